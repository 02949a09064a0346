// Original file: proto/sdpo/v1/run.proto


export interface HybridParams {
  'alphaMin'?: (number | string);
  'alphaMax'?: (number | string);
  'warmup'?: (number);
}

export interface HybridParams__Output {
  'alphaMin': (number);
  'alphaMax': (number);
  'warmup': (number);
}
