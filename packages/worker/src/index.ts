export { startWorker, taskRunnerUrl, type WorkerOptions, type RunningWorker } from './worker.js';
export type { ChunkOutcome } from './task-runner.js';
