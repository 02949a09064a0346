// Original file: proto/sdpo/v1/sweep.proto

import type { Long } from '@grpc/proto-loader';

export interface FailedTask {
  'index'?: (number | string | Long);
  'key'?: (string);
  'code'?: (string);
  'message'?: (string);
}

export interface FailedTask__Output {
  'index': (number);
  'key': (string);
  'code': (string);
  'message': (string);
}
