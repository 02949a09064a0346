import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Axis as _sdpo_v1_Axis, Axis__Output as _sdpo_v1_Axis__Output } from './sdpo/v1/Axis.js';
import type { CancelRequest as _sdpo_v1_CancelRequest, CancelRequest__Output as _sdpo_v1_CancelRequest__Output } from './sdpo/v1/CancelRequest.js';
import type { DrainWorkerRequest as _sdpo_v1_DrainWorkerRequest, DrainWorkerRequest__Output as _sdpo_v1_DrainWorkerRequest__Output } from './sdpo/v1/DrainWorkerRequest.js';
import type { DrainWorkerResponse as _sdpo_v1_DrainWorkerResponse, DrainWorkerResponse__Output as _sdpo_v1_DrainWorkerResponse__Output } from './sdpo/v1/DrainWorkerResponse.js';
import type { FailedTask as _sdpo_v1_FailedTask, FailedTask__Output as _sdpo_v1_FailedTask__Output } from './sdpo/v1/FailedTask.js';
import type { FixedField as _sdpo_v1_FixedField, FixedField__Output as _sdpo_v1_FixedField__Output } from './sdpo/v1/FixedField.js';
import type { GetSweepRequest as _sdpo_v1_GetSweepRequest, GetSweepRequest__Output as _sdpo_v1_GetSweepRequest__Output } from './sdpo/v1/GetSweepRequest.js';
import type { GridSpec as _sdpo_v1_GridSpec, GridSpec__Output as _sdpo_v1_GridSpec__Output } from './sdpo/v1/GridSpec.js';
import type { HybridParams as _sdpo_v1_HybridParams, HybridParams__Output as _sdpo_v1_HybridParams__Output } from './sdpo/v1/HybridParams.js';
import type { IntRange as _sdpo_v1_IntRange, IntRange__Output as _sdpo_v1_IntRange__Output } from './sdpo/v1/IntRange.js';
import type { ListSweepsRequest as _sdpo_v1_ListSweepsRequest, ListSweepsRequest__Output as _sdpo_v1_ListSweepsRequest__Output } from './sdpo/v1/ListSweepsRequest.js';
import type { ListSweepsResponse as _sdpo_v1_ListSweepsResponse, ListSweepsResponse__Output as _sdpo_v1_ListSweepsResponse__Output } from './sdpo/v1/ListSweepsResponse.js';
import type { RewardWeights as _sdpo_v1_RewardWeights, RewardWeights__Output as _sdpo_v1_RewardWeights__Output } from './sdpo/v1/RewardWeights.js';
import type { RunConfig as _sdpo_v1_RunConfig, RunConfig__Output as _sdpo_v1_RunConfig__Output } from './sdpo/v1/RunConfig.js';
import type { RunCurves as _sdpo_v1_RunCurves, RunCurves__Output as _sdpo_v1_RunCurves__Output } from './sdpo/v1/RunCurves.js';
import type { RunResult as _sdpo_v1_RunResult, RunResult__Output as _sdpo_v1_RunResult__Output } from './sdpo/v1/RunResult.js';
import type { RunSummary as _sdpo_v1_RunSummary, RunSummary__Output as _sdpo_v1_RunSummary__Output } from './sdpo/v1/RunSummary.js';
import type { StreamResultsRequest as _sdpo_v1_StreamResultsRequest, StreamResultsRequest__Output as _sdpo_v1_StreamResultsRequest__Output } from './sdpo/v1/StreamResultsRequest.js';
import type { SubmitRequest as _sdpo_v1_SubmitRequest, SubmitRequest__Output as _sdpo_v1_SubmitRequest__Output } from './sdpo/v1/SubmitRequest.js';
import type { SweepInfo as _sdpo_v1_SweepInfo, SweepInfo__Output as _sdpo_v1_SweepInfo__Output } from './sdpo/v1/SweepInfo.js';
import type { SweepResult as _sdpo_v1_SweepResult, SweepResult__Output as _sdpo_v1_SweepResult__Output } from './sdpo/v1/SweepResult.js';
import type { SweepServiceClient as _sdpo_v1_SweepServiceClient, SweepServiceDefinition as _sdpo_v1_SweepServiceDefinition } from './sdpo/v1/SweepService.js';
import type { WatchRequest as _sdpo_v1_WatchRequest, WatchRequest__Output as _sdpo_v1_WatchRequest__Output } from './sdpo/v1/WatchRequest.js';
import type { WorkerInfo as _sdpo_v1_WorkerInfo, WorkerInfo__Output as _sdpo_v1_WorkerInfo__Output } from './sdpo/v1/WorkerInfo.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  sdpo: {
    v1: {
      Axis: MessageTypeDefinition<_sdpo_v1_Axis, _sdpo_v1_Axis__Output>
      CancelRequest: MessageTypeDefinition<_sdpo_v1_CancelRequest, _sdpo_v1_CancelRequest__Output>
      DrainWorkerRequest: MessageTypeDefinition<_sdpo_v1_DrainWorkerRequest, _sdpo_v1_DrainWorkerRequest__Output>
      DrainWorkerResponse: MessageTypeDefinition<_sdpo_v1_DrainWorkerResponse, _sdpo_v1_DrainWorkerResponse__Output>
      FailedTask: MessageTypeDefinition<_sdpo_v1_FailedTask, _sdpo_v1_FailedTask__Output>
      FixedField: MessageTypeDefinition<_sdpo_v1_FixedField, _sdpo_v1_FixedField__Output>
      GetSweepRequest: MessageTypeDefinition<_sdpo_v1_GetSweepRequest, _sdpo_v1_GetSweepRequest__Output>
      GridSpec: MessageTypeDefinition<_sdpo_v1_GridSpec, _sdpo_v1_GridSpec__Output>
      HybridParams: MessageTypeDefinition<_sdpo_v1_HybridParams, _sdpo_v1_HybridParams__Output>
      IntRange: MessageTypeDefinition<_sdpo_v1_IntRange, _sdpo_v1_IntRange__Output>
      ListSweepsRequest: MessageTypeDefinition<_sdpo_v1_ListSweepsRequest, _sdpo_v1_ListSweepsRequest__Output>
      ListSweepsResponse: MessageTypeDefinition<_sdpo_v1_ListSweepsResponse, _sdpo_v1_ListSweepsResponse__Output>
      RewardWeights: MessageTypeDefinition<_sdpo_v1_RewardWeights, _sdpo_v1_RewardWeights__Output>
      RunConfig: MessageTypeDefinition<_sdpo_v1_RunConfig, _sdpo_v1_RunConfig__Output>
      RunCurves: MessageTypeDefinition<_sdpo_v1_RunCurves, _sdpo_v1_RunCurves__Output>
      RunResult: MessageTypeDefinition<_sdpo_v1_RunResult, _sdpo_v1_RunResult__Output>
      RunSummary: MessageTypeDefinition<_sdpo_v1_RunSummary, _sdpo_v1_RunSummary__Output>
      StreamResultsRequest: MessageTypeDefinition<_sdpo_v1_StreamResultsRequest, _sdpo_v1_StreamResultsRequest__Output>
      SubmitRequest: MessageTypeDefinition<_sdpo_v1_SubmitRequest, _sdpo_v1_SubmitRequest__Output>
      SweepInfo: MessageTypeDefinition<_sdpo_v1_SweepInfo, _sdpo_v1_SweepInfo__Output>
      SweepResult: MessageTypeDefinition<_sdpo_v1_SweepResult, _sdpo_v1_SweepResult__Output>
      SweepService: SubtypeConstructor<typeof grpc.Client, _sdpo_v1_SweepServiceClient> & { service: _sdpo_v1_SweepServiceDefinition }
      WatchRequest: MessageTypeDefinition<_sdpo_v1_WatchRequest, _sdpo_v1_WatchRequest__Output>
      WorkerInfo: MessageTypeDefinition<_sdpo_v1_WorkerInfo, _sdpo_v1_WorkerInfo__Output>
    }
  }
}

