export { startWorker, taskRunnerUrl, type WorkerOptions, type RunningWorker } from './worker.js';
export type { Outcome } from './task-runner.js';
