// Original file: proto/sdpo/v1/worker.proto

import type { RunResult as _sdpo_v1_RunResult, RunResult__Output as _sdpo_v1_RunResult__Output } from '../../sdpo/v1/RunResult.js';

export interface TaskResult {
  'key'?: (string);
  'leaseId'?: (string);
  'attempt'?: (number);
  'result'?: (_sdpo_v1_RunResult | null);
}

export interface TaskResult__Output {
  'key': (string);
  'leaseId': (string);
  'attempt': (number);
  'result': (_sdpo_v1_RunResult__Output | null);
}
