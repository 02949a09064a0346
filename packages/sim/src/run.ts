import type { RunConfigInput } from './config.js';
import type { RunResult } from './result.js';

/** Placeholder until the simulation lands (being written now). */
export function runSimulation(_config: RunConfigInput): RunResult {
  throw new Error('runSimulation: not implemented yet');
}
