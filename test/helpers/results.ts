import { runSimulation, type RunResult } from '@sdpo/sim';

/** The deterministic part of a result (everything but timing). */
export function deterministic(r: RunResult) {
  return { simVersion: r.simVersion, config: r.config, summary: r.summary, curves: r.curves };
}

/** For each stored result, the fresh in-process runSimulation of its config, deterministic parts only. */
export function expectedFor(results: readonly RunResult[]) {
  return results.map((r) => deterministic(runSimulation(r.config)));
}
