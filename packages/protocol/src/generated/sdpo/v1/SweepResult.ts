// Original file: proto/sdpo/v1/sweep.proto

import type { RunResult as _sdpo_v1_RunResult, RunResult__Output as _sdpo_v1_RunResult__Output } from '../../sdpo/v1/RunResult.js';
import type { Long } from '@grpc/proto-loader';

export interface SweepResult {
  'index'?: (number | string | Long);
  'key'?: (string);
  'result'?: (_sdpo_v1_RunResult | null);
}

export interface SweepResult__Output {
  'index': (number);
  'key': (string);
  'result': (_sdpo_v1_RunResult__Output | null);
}
