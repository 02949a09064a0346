// Original file: proto/sdpo/v1/sweep.proto

import type { Long } from '@grpc/proto-loader';

export interface WorkerInfo {
  'workerId'?: (string);
  'name'?: (string);
  'threads'?: (number);
  'inFlight'?: (number);
  'completed'?: (number | string | Long);
  'rate'?: (number | string);
  'joinedAt'?: (string);
}

export interface WorkerInfo__Output {
  'workerId': (string);
  'name': (string);
  'threads': (number);
  'inFlight': (number);
  'completed': (number);
  'rate': (number);
  'joinedAt': (string);
}
