// Original file: proto/sdpo/v1/sweep.proto


export interface DrainWorkerRequest {
  'worker'?: (string);
  'reason'?: (string);
}

export interface DrainWorkerRequest__Output {
  'worker': (string);
  'reason': (string);
}
