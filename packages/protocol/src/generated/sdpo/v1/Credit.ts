// Original file: proto/sdpo/v1/worker.proto


export interface Credit {
  'tasks'?: (number);
}

export interface Credit__Output {
  'tasks': (number);
}
