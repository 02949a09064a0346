// Original file: proto/sdpo/v1/run.proto

import type { RunConfig as _sdpo_v1_RunConfig, RunConfig__Output as _sdpo_v1_RunConfig__Output } from '../../sdpo/v1/RunConfig.js';
import type { RunSummary as _sdpo_v1_RunSummary, RunSummary__Output as _sdpo_v1_RunSummary__Output } from '../../sdpo/v1/RunSummary.js';
import type { RunCurves as _sdpo_v1_RunCurves, RunCurves__Output as _sdpo_v1_RunCurves__Output } from '../../sdpo/v1/RunCurves.js';

export interface RunResult {
  'simVersion'?: (string);
  'config'?: (_sdpo_v1_RunConfig | null);
  'summary'?: (_sdpo_v1_RunSummary | null);
  'curves'?: (_sdpo_v1_RunCurves | null);
  'wallMs'?: (number | string);
}

export interface RunResult__Output {
  'simVersion': (string);
  'config': (_sdpo_v1_RunConfig__Output | null);
  'summary': (_sdpo_v1_RunSummary__Output | null);
  'curves': (_sdpo_v1_RunCurves__Output | null);
  'wallMs': (number);
}
