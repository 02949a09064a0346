// Original file: proto/sdpo/v1/run.proto

import type { RewardWeights as _sdpo_v1_RewardWeights, RewardWeights__Output as _sdpo_v1_RewardWeights__Output } from '../../sdpo/v1/RewardWeights.js';
import type { HybridParams as _sdpo_v1_HybridParams, HybridParams__Output as _sdpo_v1_HybridParams__Output } from '../../sdpo/v1/HybridParams.js';
import type { Long } from '@grpc/proto-loader';

export interface RunConfig {
  'seed'?: (number | string | Long);
  'method'?: (string);
  'feedback'?: (string);
  'noise'?: (number | string);
  'vocab'?: (number);
  'length'?: (number);
  'group'?: (number);
  'steps'?: (number);
  'lr'?: (number | string);
  'kappa'?: (number | string);
  'emaRate'?: (number | string);
  'divergence'?: (string);
  'jsdBeta'?: (number | string);
  'weights'?: (_sdpo_v1_RewardWeights | null);
  'binaryQuantile'?: (number | string);
  'hybrid'?: (_sdpo_v1_HybridParams | null);
  'evalEvery'?: (number);
}

export interface RunConfig__Output {
  'seed': (number);
  'method': (string);
  'feedback': (string);
  'noise': (number);
  'vocab': (number);
  'length': (number);
  'group': (number);
  'steps': (number);
  'lr': (number);
  'kappa': (number);
  'emaRate': (number);
  'divergence': (string);
  'jsdBeta': (number);
  'weights': (_sdpo_v1_RewardWeights__Output | null);
  'binaryQuantile': (number);
  'hybrid': (_sdpo_v1_HybridParams__Output | null);
  'evalEvery': (number);
}
