// Original file: proto/sdpo/v1/sweep.proto

import type { IntRange as _sdpo_v1_IntRange, IntRange__Output as _sdpo_v1_IntRange__Output } from '../../sdpo/v1/IntRange.js';

export interface Axis {
  'name'?: (string);
  'valuesJson'?: (string)[];
  'range'?: (_sdpo_v1_IntRange | null);
}

export interface Axis__Output {
  'name': (string);
  'valuesJson': (string)[];
  'range': (_sdpo_v1_IntRange__Output | null);
}
