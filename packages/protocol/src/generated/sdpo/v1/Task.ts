// Original file: proto/sdpo/v1/worker.proto

import type { RunConfig as _sdpo_v1_RunConfig, RunConfig__Output as _sdpo_v1_RunConfig__Output } from '../../sdpo/v1/RunConfig.js';

export interface Task {
  'key'?: (string);
  'attempt'?: (number);
  'config'?: (_sdpo_v1_RunConfig | null);
}

export interface Task__Output {
  'key': (string);
  'attempt': (number);
  'config': (_sdpo_v1_RunConfig__Output | null);
}
