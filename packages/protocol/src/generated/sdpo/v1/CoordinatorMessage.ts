// Original file: proto/sdpo/v1/worker.proto

import type { Welcome as _sdpo_v1_Welcome, Welcome__Output as _sdpo_v1_Welcome__Output } from '../../sdpo/v1/Welcome.js';
import type { Lease as _sdpo_v1_Lease, Lease__Output as _sdpo_v1_Lease__Output } from '../../sdpo/v1/Lease.js';
import type { Revoke as _sdpo_v1_Revoke, Revoke__Output as _sdpo_v1_Revoke__Output } from '../../sdpo/v1/Revoke.js';
import type { Drain as _sdpo_v1_Drain, Drain__Output as _sdpo_v1_Drain__Output } from '../../sdpo/v1/Drain.js';
import type { Ack as _sdpo_v1_Ack, Ack__Output as _sdpo_v1_Ack__Output } from '../../sdpo/v1/Ack.js';

export interface CoordinatorMessage {
  'welcome'?: (_sdpo_v1_Welcome | null);
  'lease'?: (_sdpo_v1_Lease | null);
  'revoke'?: (_sdpo_v1_Revoke | null);
  'drain'?: (_sdpo_v1_Drain | null);
  'ack'?: (_sdpo_v1_Ack | null);
  'msg'?: "welcome"|"lease"|"revoke"|"drain"|"ack";
}

export interface CoordinatorMessage__Output {
  'welcome'?: (_sdpo_v1_Welcome__Output | null);
  'lease'?: (_sdpo_v1_Lease__Output | null);
  'revoke'?: (_sdpo_v1_Revoke__Output | null);
  'drain'?: (_sdpo_v1_Drain__Output | null);
  'ack'?: (_sdpo_v1_Ack__Output | null);
  'msg'?: "welcome"|"lease"|"revoke"|"drain"|"ack";
}
