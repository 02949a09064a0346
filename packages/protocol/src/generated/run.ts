import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { HybridParams as _sdpo_v1_HybridParams, HybridParams__Output as _sdpo_v1_HybridParams__Output } from './sdpo/v1/HybridParams.js';
import type { RewardWeights as _sdpo_v1_RewardWeights, RewardWeights__Output as _sdpo_v1_RewardWeights__Output } from './sdpo/v1/RewardWeights.js';
import type { RunConfig as _sdpo_v1_RunConfig, RunConfig__Output as _sdpo_v1_RunConfig__Output } from './sdpo/v1/RunConfig.js';
import type { RunCurves as _sdpo_v1_RunCurves, RunCurves__Output as _sdpo_v1_RunCurves__Output } from './sdpo/v1/RunCurves.js';
import type { RunResult as _sdpo_v1_RunResult, RunResult__Output as _sdpo_v1_RunResult__Output } from './sdpo/v1/RunResult.js';
import type { RunSummary as _sdpo_v1_RunSummary, RunSummary__Output as _sdpo_v1_RunSummary__Output } from './sdpo/v1/RunSummary.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  sdpo: {
    v1: {
      HybridParams: MessageTypeDefinition<_sdpo_v1_HybridParams, _sdpo_v1_HybridParams__Output>
      RewardWeights: MessageTypeDefinition<_sdpo_v1_RewardWeights, _sdpo_v1_RewardWeights__Output>
      RunConfig: MessageTypeDefinition<_sdpo_v1_RunConfig, _sdpo_v1_RunConfig__Output>
      RunCurves: MessageTypeDefinition<_sdpo_v1_RunCurves, _sdpo_v1_RunCurves__Output>
      RunResult: MessageTypeDefinition<_sdpo_v1_RunResult, _sdpo_v1_RunResult__Output>
      RunSummary: MessageTypeDefinition<_sdpo_v1_RunSummary, _sdpo_v1_RunSummary__Output>
    }
  }
}

