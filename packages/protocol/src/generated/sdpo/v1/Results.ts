// Original file: proto/sdpo/v1/worker.proto

import type { TaskResult as _sdpo_v1_TaskResult, TaskResult__Output as _sdpo_v1_TaskResult__Output } from '../../sdpo/v1/TaskResult.js';

export interface Results {
  'results'?: (_sdpo_v1_TaskResult)[];
}

export interface Results__Output {
  'results': (_sdpo_v1_TaskResult__Output)[];
}
