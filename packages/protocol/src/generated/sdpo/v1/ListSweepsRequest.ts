// Original file: proto/sdpo/v1/sweep.proto


export interface ListSweepsRequest {
}

export interface ListSweepsRequest__Output {
}
