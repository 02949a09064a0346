export { Store, openStore, StoreError, TASK, type SweepRow, type SweepState, type FailedTaskRow } from './store.js';
export { Scheduler, type Ack, type InboundResult, type SchedulerOptions, type SweepProgress, type WorkerView, type WorkerSink } from './scheduler.js';
export { startCoordinator, isLoopback, splitHostPort, progressToWire, type CoordinatorOptions, type RunningCoordinator } from './server.js';
export { CoordinatorError, toGrpcStatus } from './errors.js';
export { exportHeader, exportLine, type ExportKind, type ExportRow } from './export.js';
export { renderMetrics } from './metrics.js';
