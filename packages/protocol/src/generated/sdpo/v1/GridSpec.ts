// Original file: proto/sdpo/v1/sweep.proto

import type { Axis as _sdpo_v1_Axis, Axis__Output as _sdpo_v1_Axis__Output } from '../../sdpo/v1/Axis.js';
import type { FixedField as _sdpo_v1_FixedField, FixedField__Output as _sdpo_v1_FixedField__Output } from '../../sdpo/v1/FixedField.js';

export interface GridSpec {
  'name'?: (string);
  'axes'?: (_sdpo_v1_Axis)[];
  'fixed'?: (_sdpo_v1_FixedField)[];
  'maxAttempts'?: (number);
}

export interface GridSpec__Output {
  'name': (string);
  'axes': (_sdpo_v1_Axis__Output)[];
  'fixed': (_sdpo_v1_FixedField__Output)[];
  'maxAttempts': (number);
}
