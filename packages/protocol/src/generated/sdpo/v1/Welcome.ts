// Original file: proto/sdpo/v1/worker.proto


export interface Welcome {
  'workerId'?: (string);
  'heartbeatMs'?: (number);
  'leaseMs'?: (number);
}

export interface Welcome__Output {
  'workerId': (string);
  'heartbeatMs': (number);
  'leaseMs': (number);
}
