// Original file: proto/sdpo/v1/sweep.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CancelRequest as _sdpo_v1_CancelRequest, CancelRequest__Output as _sdpo_v1_CancelRequest__Output } from '../../sdpo/v1/CancelRequest.js';
import type { DrainWorkerRequest as _sdpo_v1_DrainWorkerRequest, DrainWorkerRequest__Output as _sdpo_v1_DrainWorkerRequest__Output } from '../../sdpo/v1/DrainWorkerRequest.js';
import type { DrainWorkerResponse as _sdpo_v1_DrainWorkerResponse, DrainWorkerResponse__Output as _sdpo_v1_DrainWorkerResponse__Output } from '../../sdpo/v1/DrainWorkerResponse.js';
import type { GetSweepRequest as _sdpo_v1_GetSweepRequest, GetSweepRequest__Output as _sdpo_v1_GetSweepRequest__Output } from '../../sdpo/v1/GetSweepRequest.js';
import type { ListSweepsRequest as _sdpo_v1_ListSweepsRequest, ListSweepsRequest__Output as _sdpo_v1_ListSweepsRequest__Output } from '../../sdpo/v1/ListSweepsRequest.js';
import type { ListSweepsResponse as _sdpo_v1_ListSweepsResponse, ListSweepsResponse__Output as _sdpo_v1_ListSweepsResponse__Output } from '../../sdpo/v1/ListSweepsResponse.js';
import type { StreamResultsRequest as _sdpo_v1_StreamResultsRequest, StreamResultsRequest__Output as _sdpo_v1_StreamResultsRequest__Output } from '../../sdpo/v1/StreamResultsRequest.js';
import type { SubmitRequest as _sdpo_v1_SubmitRequest, SubmitRequest__Output as _sdpo_v1_SubmitRequest__Output } from '../../sdpo/v1/SubmitRequest.js';
import type { SweepInfo as _sdpo_v1_SweepInfo, SweepInfo__Output as _sdpo_v1_SweepInfo__Output } from '../../sdpo/v1/SweepInfo.js';
import type { SweepResult as _sdpo_v1_SweepResult, SweepResult__Output as _sdpo_v1_SweepResult__Output } from '../../sdpo/v1/SweepResult.js';
import type { WatchRequest as _sdpo_v1_WatchRequest, WatchRequest__Output as _sdpo_v1_WatchRequest__Output } from '../../sdpo/v1/WatchRequest.js';

export interface SweepServiceClient extends grpc.Client {
  Cancel(argument: _sdpo_v1_CancelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  Cancel(argument: _sdpo_v1_CancelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  Cancel(argument: _sdpo_v1_CancelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  Cancel(argument: _sdpo_v1_CancelRequest, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  cancel(argument: _sdpo_v1_CancelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  cancel(argument: _sdpo_v1_CancelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  cancel(argument: _sdpo_v1_CancelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  cancel(argument: _sdpo_v1_CancelRequest, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  
  DrainWorker(argument: _sdpo_v1_DrainWorkerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_DrainWorkerResponse__Output>): grpc.ClientUnaryCall;
  DrainWorker(argument: _sdpo_v1_DrainWorkerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sdpo_v1_DrainWorkerResponse__Output>): grpc.ClientUnaryCall;
  DrainWorker(argument: _sdpo_v1_DrainWorkerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_DrainWorkerResponse__Output>): grpc.ClientUnaryCall;
  DrainWorker(argument: _sdpo_v1_DrainWorkerRequest, callback: grpc.requestCallback<_sdpo_v1_DrainWorkerResponse__Output>): grpc.ClientUnaryCall;
  drainWorker(argument: _sdpo_v1_DrainWorkerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_DrainWorkerResponse__Output>): grpc.ClientUnaryCall;
  drainWorker(argument: _sdpo_v1_DrainWorkerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sdpo_v1_DrainWorkerResponse__Output>): grpc.ClientUnaryCall;
  drainWorker(argument: _sdpo_v1_DrainWorkerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_DrainWorkerResponse__Output>): grpc.ClientUnaryCall;
  drainWorker(argument: _sdpo_v1_DrainWorkerRequest, callback: grpc.requestCallback<_sdpo_v1_DrainWorkerResponse__Output>): grpc.ClientUnaryCall;
  
  GetSweep(argument: _sdpo_v1_GetSweepRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  GetSweep(argument: _sdpo_v1_GetSweepRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  GetSweep(argument: _sdpo_v1_GetSweepRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  GetSweep(argument: _sdpo_v1_GetSweepRequest, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  getSweep(argument: _sdpo_v1_GetSweepRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  getSweep(argument: _sdpo_v1_GetSweepRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  getSweep(argument: _sdpo_v1_GetSweepRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  getSweep(argument: _sdpo_v1_GetSweepRequest, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  
  ListSweeps(argument: _sdpo_v1_ListSweepsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  ListSweeps(argument: _sdpo_v1_ListSweepsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sdpo_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  ListSweeps(argument: _sdpo_v1_ListSweepsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  ListSweeps(argument: _sdpo_v1_ListSweepsRequest, callback: grpc.requestCallback<_sdpo_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  listSweeps(argument: _sdpo_v1_ListSweepsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  listSweeps(argument: _sdpo_v1_ListSweepsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sdpo_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  listSweeps(argument: _sdpo_v1_ListSweepsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  listSweeps(argument: _sdpo_v1_ListSweepsRequest, callback: grpc.requestCallback<_sdpo_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  
  StreamResults(argument: _sdpo_v1_StreamResultsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_sdpo_v1_SweepResult__Output>;
  StreamResults(argument: _sdpo_v1_StreamResultsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_sdpo_v1_SweepResult__Output>;
  streamResults(argument: _sdpo_v1_StreamResultsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_sdpo_v1_SweepResult__Output>;
  streamResults(argument: _sdpo_v1_StreamResultsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_sdpo_v1_SweepResult__Output>;
  
  Submit(argument: _sdpo_v1_SubmitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  Submit(argument: _sdpo_v1_SubmitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  Submit(argument: _sdpo_v1_SubmitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  Submit(argument: _sdpo_v1_SubmitRequest, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  submit(argument: _sdpo_v1_SubmitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  submit(argument: _sdpo_v1_SubmitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  submit(argument: _sdpo_v1_SubmitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  submit(argument: _sdpo_v1_SubmitRequest, callback: grpc.requestCallback<_sdpo_v1_SweepInfo__Output>): grpc.ClientUnaryCall;
  
  Watch(argument: _sdpo_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_sdpo_v1_SweepInfo__Output>;
  Watch(argument: _sdpo_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_sdpo_v1_SweepInfo__Output>;
  watch(argument: _sdpo_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_sdpo_v1_SweepInfo__Output>;
  watch(argument: _sdpo_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_sdpo_v1_SweepInfo__Output>;
  
}

export interface SweepServiceHandlers extends grpc.UntypedServiceImplementation {
  Cancel: grpc.handleUnaryCall<_sdpo_v1_CancelRequest__Output, _sdpo_v1_SweepInfo>;
  
  DrainWorker: grpc.handleUnaryCall<_sdpo_v1_DrainWorkerRequest__Output, _sdpo_v1_DrainWorkerResponse>;
  
  GetSweep: grpc.handleUnaryCall<_sdpo_v1_GetSweepRequest__Output, _sdpo_v1_SweepInfo>;
  
  ListSweeps: grpc.handleUnaryCall<_sdpo_v1_ListSweepsRequest__Output, _sdpo_v1_ListSweepsResponse>;
  
  StreamResults: grpc.handleServerStreamingCall<_sdpo_v1_StreamResultsRequest__Output, _sdpo_v1_SweepResult>;
  
  Submit: grpc.handleUnaryCall<_sdpo_v1_SubmitRequest__Output, _sdpo_v1_SweepInfo>;
  
  Watch: grpc.handleServerStreamingCall<_sdpo_v1_WatchRequest__Output, _sdpo_v1_SweepInfo>;
  
}

export interface SweepServiceDefinition extends grpc.ServiceDefinition {
  Cancel: MethodDefinition<_sdpo_v1_CancelRequest, _sdpo_v1_SweepInfo, _sdpo_v1_CancelRequest__Output, _sdpo_v1_SweepInfo__Output>
  DrainWorker: MethodDefinition<_sdpo_v1_DrainWorkerRequest, _sdpo_v1_DrainWorkerResponse, _sdpo_v1_DrainWorkerRequest__Output, _sdpo_v1_DrainWorkerResponse__Output>
  GetSweep: MethodDefinition<_sdpo_v1_GetSweepRequest, _sdpo_v1_SweepInfo, _sdpo_v1_GetSweepRequest__Output, _sdpo_v1_SweepInfo__Output>
  ListSweeps: MethodDefinition<_sdpo_v1_ListSweepsRequest, _sdpo_v1_ListSweepsResponse, _sdpo_v1_ListSweepsRequest__Output, _sdpo_v1_ListSweepsResponse__Output>
  StreamResults: MethodDefinition<_sdpo_v1_StreamResultsRequest, _sdpo_v1_SweepResult, _sdpo_v1_StreamResultsRequest__Output, _sdpo_v1_SweepResult__Output>
  Submit: MethodDefinition<_sdpo_v1_SubmitRequest, _sdpo_v1_SweepInfo, _sdpo_v1_SubmitRequest__Output, _sdpo_v1_SweepInfo__Output>
  Watch: MethodDefinition<_sdpo_v1_WatchRequest, _sdpo_v1_SweepInfo, _sdpo_v1_WatchRequest__Output, _sdpo_v1_SweepInfo__Output>
}
