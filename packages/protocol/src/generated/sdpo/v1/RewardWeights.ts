// Original file: proto/sdpo/v1/run.proto


export interface RewardWeights {
  'local'?: (number | string);
  'coherence'?: (number | string);
  'global'?: (number | string);
}

export interface RewardWeights__Output {
  'local': (number);
  'coherence': (number);
  'global': (number);
}
