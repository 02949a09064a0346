// Original file: proto/sdpo/v1/worker.proto

import type { Hello as _sdpo_v1_Hello, Hello__Output as _sdpo_v1_Hello__Output } from '../../sdpo/v1/Hello.js';
import type { Credit as _sdpo_v1_Credit, Credit__Output as _sdpo_v1_Credit__Output } from '../../sdpo/v1/Credit.js';
import type { Results as _sdpo_v1_Results, Results__Output as _sdpo_v1_Results__Output } from '../../sdpo/v1/Results.js';
import type { Failure as _sdpo_v1_Failure, Failure__Output as _sdpo_v1_Failure__Output } from '../../sdpo/v1/Failure.js';
import type { Heartbeat as _sdpo_v1_Heartbeat, Heartbeat__Output as _sdpo_v1_Heartbeat__Output } from '../../sdpo/v1/Heartbeat.js';

export interface WorkerMessage {
  'hello'?: (_sdpo_v1_Hello | null);
  'credit'?: (_sdpo_v1_Credit | null);
  'results'?: (_sdpo_v1_Results | null);
  'failure'?: (_sdpo_v1_Failure | null);
  'heartbeat'?: (_sdpo_v1_Heartbeat | null);
  'msg'?: "hello"|"credit"|"results"|"failure"|"heartbeat";
}

export interface WorkerMessage__Output {
  'hello'?: (_sdpo_v1_Hello__Output | null);
  'credit'?: (_sdpo_v1_Credit__Output | null);
  'results'?: (_sdpo_v1_Results__Output | null);
  'failure'?: (_sdpo_v1_Failure__Output | null);
  'heartbeat'?: (_sdpo_v1_Heartbeat__Output | null);
  'msg'?: "hello"|"credit"|"results"|"failure"|"heartbeat";
}
