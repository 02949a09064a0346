// Original file: proto/sdpo/v1/worker.proto


export interface Ack {
  'accepted'?: (string)[];
  'rejected'?: (string)[];
}

export interface Ack__Output {
  'accepted': (string)[];
  'rejected': (string)[];
}
