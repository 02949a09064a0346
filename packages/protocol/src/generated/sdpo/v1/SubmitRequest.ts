// Original file: proto/sdpo/v1/sweep.proto

import type { GridSpec as _sdpo_v1_GridSpec, GridSpec__Output as _sdpo_v1_GridSpec__Output } from '../../sdpo/v1/GridSpec.js';

export interface SubmitRequest {
  'grid'?: (_sdpo_v1_GridSpec | null);
}

export interface SubmitRequest__Output {
  'grid': (_sdpo_v1_GridSpec__Output | null);
}
