// Original file: proto/sdpo/v1/sweep.proto

import type { WorkerInfo as _sdpo_v1_WorkerInfo, WorkerInfo__Output as _sdpo_v1_WorkerInfo__Output } from '../../sdpo/v1/WorkerInfo.js';

export interface DrainWorkerResponse {
  'workers'?: (_sdpo_v1_WorkerInfo)[];
}

export interface DrainWorkerResponse__Output {
  'workers': (_sdpo_v1_WorkerInfo__Output)[];
}
