// Original file: proto/sdpo/v1/sweep.proto

import type { SweepInfo as _sdpo_v1_SweepInfo, SweepInfo__Output as _sdpo_v1_SweepInfo__Output } from '../../sdpo/v1/SweepInfo.js';
import type { WorkerInfo as _sdpo_v1_WorkerInfo, WorkerInfo__Output as _sdpo_v1_WorkerInfo__Output } from '../../sdpo/v1/WorkerInfo.js';

export interface ListSweepsResponse {
  'sweeps'?: (_sdpo_v1_SweepInfo)[];
  'workers'?: (_sdpo_v1_WorkerInfo)[];
}

export interface ListSweepsResponse__Output {
  'sweeps': (_sdpo_v1_SweepInfo__Output)[];
  'workers': (_sdpo_v1_WorkerInfo__Output)[];
}
