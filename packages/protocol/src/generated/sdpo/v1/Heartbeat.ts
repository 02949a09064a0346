// Original file: proto/sdpo/v1/worker.proto


export interface Heartbeat {
  'busy'?: (number);
}

export interface Heartbeat__Output {
  'busy': (number);
}
