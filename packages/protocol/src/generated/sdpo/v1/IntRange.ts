// Original file: proto/sdpo/v1/sweep.proto


export interface IntRange {
  'from'?: (number | string);
  'to'?: (number | string);
}

export interface IntRange__Output {
  'from': (number);
  'to': (number);
}
