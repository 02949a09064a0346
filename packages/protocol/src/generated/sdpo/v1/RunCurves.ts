// Original file: proto/sdpo/v1/run.proto


export interface RunCurves {
  'step'?: (number | string)[];
  'reward'?: (number | string)[];
  'entropy'?: (number | string)[];
  'topSequenceProb'?: (number | string)[];
  'credit'?: (number | string)[];
  'kl'?: (number | string)[];
  'alpha'?: (number | string)[];
}

export interface RunCurves__Output {
  'step': (number)[];
  'reward': (number)[];
  'entropy': (number)[];
  'topSequenceProb': (number)[];
  'credit': (number)[];
  'kl': (number)[];
  'alpha': (number)[];
}
