// Original file: proto/sdpo/v1/sweep.proto


export interface WatchRequest {
  'name'?: (string);
}

export interface WatchRequest__Output {
  'name': (string);
}
