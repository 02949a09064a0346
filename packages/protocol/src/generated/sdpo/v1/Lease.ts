// Original file: proto/sdpo/v1/worker.proto

import type { Task as _sdpo_v1_Task, Task__Output as _sdpo_v1_Task__Output } from '../../sdpo/v1/Task.js';

export interface Lease {
  'leaseId'?: (string);
  'tasks'?: (_sdpo_v1_Task)[];
}

export interface Lease__Output {
  'leaseId': (string);
  'tasks': (_sdpo_v1_Task__Output)[];
}
