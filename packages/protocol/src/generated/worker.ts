import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Ack as _sdpo_v1_Ack, Ack__Output as _sdpo_v1_Ack__Output } from './sdpo/v1/Ack.js';
import type { CoordinatorMessage as _sdpo_v1_CoordinatorMessage, CoordinatorMessage__Output as _sdpo_v1_CoordinatorMessage__Output } from './sdpo/v1/CoordinatorMessage.js';
import type { Credit as _sdpo_v1_Credit, Credit__Output as _sdpo_v1_Credit__Output } from './sdpo/v1/Credit.js';
import type { Drain as _sdpo_v1_Drain, Drain__Output as _sdpo_v1_Drain__Output } from './sdpo/v1/Drain.js';
import type { Failure as _sdpo_v1_Failure, Failure__Output as _sdpo_v1_Failure__Output } from './sdpo/v1/Failure.js';
import type { Heartbeat as _sdpo_v1_Heartbeat, Heartbeat__Output as _sdpo_v1_Heartbeat__Output } from './sdpo/v1/Heartbeat.js';
import type { Hello as _sdpo_v1_Hello, Hello__Output as _sdpo_v1_Hello__Output } from './sdpo/v1/Hello.js';
import type { HybridParams as _sdpo_v1_HybridParams, HybridParams__Output as _sdpo_v1_HybridParams__Output } from './sdpo/v1/HybridParams.js';
import type { Lease as _sdpo_v1_Lease, Lease__Output as _sdpo_v1_Lease__Output } from './sdpo/v1/Lease.js';
import type { Results as _sdpo_v1_Results, Results__Output as _sdpo_v1_Results__Output } from './sdpo/v1/Results.js';
import type { Revoke as _sdpo_v1_Revoke, Revoke__Output as _sdpo_v1_Revoke__Output } from './sdpo/v1/Revoke.js';
import type { RewardWeights as _sdpo_v1_RewardWeights, RewardWeights__Output as _sdpo_v1_RewardWeights__Output } from './sdpo/v1/RewardWeights.js';
import type { RunConfig as _sdpo_v1_RunConfig, RunConfig__Output as _sdpo_v1_RunConfig__Output } from './sdpo/v1/RunConfig.js';
import type { RunCurves as _sdpo_v1_RunCurves, RunCurves__Output as _sdpo_v1_RunCurves__Output } from './sdpo/v1/RunCurves.js';
import type { RunResult as _sdpo_v1_RunResult, RunResult__Output as _sdpo_v1_RunResult__Output } from './sdpo/v1/RunResult.js';
import type { RunSummary as _sdpo_v1_RunSummary, RunSummary__Output as _sdpo_v1_RunSummary__Output } from './sdpo/v1/RunSummary.js';
import type { Task as _sdpo_v1_Task, Task__Output as _sdpo_v1_Task__Output } from './sdpo/v1/Task.js';
import type { TaskResult as _sdpo_v1_TaskResult, TaskResult__Output as _sdpo_v1_TaskResult__Output } from './sdpo/v1/TaskResult.js';
import type { Welcome as _sdpo_v1_Welcome, Welcome__Output as _sdpo_v1_Welcome__Output } from './sdpo/v1/Welcome.js';
import type { WorkerMessage as _sdpo_v1_WorkerMessage, WorkerMessage__Output as _sdpo_v1_WorkerMessage__Output } from './sdpo/v1/WorkerMessage.js';
import type { WorkerServiceClient as _sdpo_v1_WorkerServiceClient, WorkerServiceDefinition as _sdpo_v1_WorkerServiceDefinition } from './sdpo/v1/WorkerService.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  sdpo: {
    v1: {
      Ack: MessageTypeDefinition<_sdpo_v1_Ack, _sdpo_v1_Ack__Output>
      CoordinatorMessage: MessageTypeDefinition<_sdpo_v1_CoordinatorMessage, _sdpo_v1_CoordinatorMessage__Output>
      Credit: MessageTypeDefinition<_sdpo_v1_Credit, _sdpo_v1_Credit__Output>
      Drain: MessageTypeDefinition<_sdpo_v1_Drain, _sdpo_v1_Drain__Output>
      Failure: MessageTypeDefinition<_sdpo_v1_Failure, _sdpo_v1_Failure__Output>
      Heartbeat: MessageTypeDefinition<_sdpo_v1_Heartbeat, _sdpo_v1_Heartbeat__Output>
      Hello: MessageTypeDefinition<_sdpo_v1_Hello, _sdpo_v1_Hello__Output>
      HybridParams: MessageTypeDefinition<_sdpo_v1_HybridParams, _sdpo_v1_HybridParams__Output>
      Lease: MessageTypeDefinition<_sdpo_v1_Lease, _sdpo_v1_Lease__Output>
      Results: MessageTypeDefinition<_sdpo_v1_Results, _sdpo_v1_Results__Output>
      Revoke: MessageTypeDefinition<_sdpo_v1_Revoke, _sdpo_v1_Revoke__Output>
      RewardWeights: MessageTypeDefinition<_sdpo_v1_RewardWeights, _sdpo_v1_RewardWeights__Output>
      RunConfig: MessageTypeDefinition<_sdpo_v1_RunConfig, _sdpo_v1_RunConfig__Output>
      RunCurves: MessageTypeDefinition<_sdpo_v1_RunCurves, _sdpo_v1_RunCurves__Output>
      RunResult: MessageTypeDefinition<_sdpo_v1_RunResult, _sdpo_v1_RunResult__Output>
      RunSummary: MessageTypeDefinition<_sdpo_v1_RunSummary, _sdpo_v1_RunSummary__Output>
      Task: MessageTypeDefinition<_sdpo_v1_Task, _sdpo_v1_Task__Output>
      TaskResult: MessageTypeDefinition<_sdpo_v1_TaskResult, _sdpo_v1_TaskResult__Output>
      Welcome: MessageTypeDefinition<_sdpo_v1_Welcome, _sdpo_v1_Welcome__Output>
      WorkerMessage: MessageTypeDefinition<_sdpo_v1_WorkerMessage, _sdpo_v1_WorkerMessage__Output>
      WorkerService: SubtypeConstructor<typeof grpc.Client, _sdpo_v1_WorkerServiceClient> & { service: _sdpo_v1_WorkerServiceDefinition }
    }
  }
}

