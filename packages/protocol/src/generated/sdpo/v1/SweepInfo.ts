// Original file: proto/sdpo/v1/sweep.proto

import type { FailedTask as _sdpo_v1_FailedTask, FailedTask__Output as _sdpo_v1_FailedTask__Output } from '../../sdpo/v1/FailedTask.js';
import type { Long } from '@grpc/proto-loader';

export interface SweepInfo {
  'name'?: (string);
  'state'?: (string);
  'total'?: (number | string | Long);
  'done'?: (number | string | Long);
  'failed'?: (number | string | Long);
  'cancelled'?: (number | string | Long);
  'cached'?: (number | string | Long);
  'computed'?: (number | string | Long);
  'inFlight'?: (number | string | Long);
  'workers'?: (number);
  'rate'?: (number | string);
  'etaSeconds'?: (number | string);
  'createdAt'?: (string);
  'finishedAt'?: (string);
  'simVersion'?: (string);
  'failures'?: (_sdpo_v1_FailedTask)[];
  'gridJson'?: (string);
}

export interface SweepInfo__Output {
  'name': (string);
  'state': (string);
  'total': (number);
  'done': (number);
  'failed': (number);
  'cancelled': (number);
  'cached': (number);
  'computed': (number);
  'inFlight': (number);
  'workers': (number);
  'rate': (number);
  'etaSeconds': (number);
  'createdAt': (string);
  'finishedAt': (string);
  'simVersion': (string);
  'failures': (_sdpo_v1_FailedTask__Output)[];
  'gridJson': (string);
}
