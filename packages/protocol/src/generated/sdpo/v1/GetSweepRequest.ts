// Original file: proto/sdpo/v1/sweep.proto


export interface GetSweepRequest {
  'name'?: (string);
}

export interface GetSweepRequest__Output {
  'name': (string);
}
