// Original file: proto/sdpo/v1/worker.proto


export interface Hello {
  'name'?: (string);
  'threads'?: (number);
  'simVersion'?: (string);
  'protocolVersion'?: (number);
}

export interface Hello__Output {
  'name': (string);
  'threads': (number);
  'simVersion': (string);
  'protocolVersion': (number);
}
