// Original file: proto/sdpo/v1/sweep.proto


export interface StreamResultsRequest {
  'name'?: (string);
}

export interface StreamResultsRequest__Output {
  'name': (string);
}
