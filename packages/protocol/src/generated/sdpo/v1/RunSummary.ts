// Original file: proto/sdpo/v1/run.proto


export interface RunSummary {
  'finalReward'?: (number | string);
  'initialReward'?: (number | string);
  'aucReward'?: (number | string);
  'entropyInitial'?: (number | string);
  'entropyFinal'?: (number | string);
  'entropyDrop'?: (number | string);
  'creditCorr'?: (number | string);
  'creditSteps'?: (number);
  'stepsTo90'?: (number | string);
  'topSequenceProbFinal'?: (number | string);
}

export interface RunSummary__Output {
  'finalReward': (number);
  'initialReward': (number);
  'aucReward': (number);
  'entropyInitial': (number);
  'entropyFinal': (number);
  'entropyDrop': (number);
  'creditCorr': (number);
  'creditSteps': (number);
  'stepsTo90': (number);
  'topSequenceProbFinal': (number);
}
