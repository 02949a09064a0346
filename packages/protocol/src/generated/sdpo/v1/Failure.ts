// Original file: proto/sdpo/v1/worker.proto


export interface Failure {
  'key'?: (string);
  'leaseId'?: (string);
  'attempt'?: (number);
  'code'?: (string);
  'message'?: (string);
}

export interface Failure__Output {
  'key': (string);
  'leaseId': (string);
  'attempt': (number);
  'code': (string);
  'message': (string);
}
