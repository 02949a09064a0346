// Original file: proto/sdpo/v1/worker.proto


export interface Revoke {
  'leaseId'?: (string);
  'keys'?: (string)[];
}

export interface Revoke__Output {
  'leaseId': (string);
  'keys': (string)[];
}
