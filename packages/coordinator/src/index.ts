export { Store, openStore, StoreError, TASK, type SweepRow, type SweepState, type FailedTaskRow } from './store.js';
export { Scheduler, type SchedulerOptions, type SweepProgress, type WorkerView, type WorkerSink } from './scheduler.js';
export { startCoordinator, isLoopback, splitHostPort, progressToWire, type CoordinatorOptions, type RunningCoordinator } from './server.js';
export { CoordinatorError, toGrpcStatus } from './errors.js';
export { renderMetrics } from './metrics.js';
