// Original file: proto/sdpo/v1/worker.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CoordinatorMessage as _sdpo_v1_CoordinatorMessage, CoordinatorMessage__Output as _sdpo_v1_CoordinatorMessage__Output } from '../../sdpo/v1/CoordinatorMessage.js';
import type { WorkerMessage as _sdpo_v1_WorkerMessage, WorkerMessage__Output as _sdpo_v1_WorkerMessage__Output } from '../../sdpo/v1/WorkerMessage.js';

export interface WorkerServiceClient extends grpc.Client {
  Connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_sdpo_v1_WorkerMessage, _sdpo_v1_CoordinatorMessage__Output>;
  Connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_sdpo_v1_WorkerMessage, _sdpo_v1_CoordinatorMessage__Output>;
  connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_sdpo_v1_WorkerMessage, _sdpo_v1_CoordinatorMessage__Output>;
  connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_sdpo_v1_WorkerMessage, _sdpo_v1_CoordinatorMessage__Output>;
  
}

export interface WorkerServiceHandlers extends grpc.UntypedServiceImplementation {
  Connect: grpc.handleBidiStreamingCall<_sdpo_v1_WorkerMessage__Output, _sdpo_v1_CoordinatorMessage>;
  
}

export interface WorkerServiceDefinition extends grpc.ServiceDefinition {
  Connect: MethodDefinition<_sdpo_v1_WorkerMessage, _sdpo_v1_CoordinatorMessage, _sdpo_v1_WorkerMessage__Output, _sdpo_v1_CoordinatorMessage__Output>
}
