// Original file: proto/sdpo/v1/sweep.proto


export interface FixedField {
  'name'?: (string);
  'valueJson'?: (string);
}

export interface FixedField__Output {
  'name': (string);
  'valueJson': (string);
}
