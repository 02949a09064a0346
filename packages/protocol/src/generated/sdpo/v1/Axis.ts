// Original file: proto/sdpo/v1/sweep.proto


export interface Axis {
  'name'?: (string);
  'valuesJson'?: (string)[];
}

export interface Axis__Output {
  'name': (string);
  'valuesJson': (string)[];
}
