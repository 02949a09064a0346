// Original file: proto/sdpo/v1/sweep.proto


export interface CancelRequest {
  'name'?: (string);
}

export interface CancelRequest__Output {
  'name': (string);
}
