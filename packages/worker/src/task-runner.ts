// Piscina worker file: runs a chunk of simulations on one pool thread.
// Chunks amortize the per-task cost of crossing threads when runs are short.
// It imports @sdpo/sim only: every pool thread loads this module, and the
// wire conversion (which would pull in gRPC) happens on the main thread.
import { runSimulation, type RunConfig, type RunResult } from '@sdpo/sim';

/** What a pool thread returns per task. Errors are plain data: structured clone drops error classes. */
export type Outcome = { readonly ok: true; readonly result: RunResult } | { readonly ok: false; readonly code: string; readonly message: string };

export default function runChunk(chunk: { readonly configs: readonly RunConfig[] }): Outcome[] {
  return chunk.configs.map((config): Outcome => {
    try {
      return { ok: true, result: runSimulation(config) };
    } catch (err) {
      const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'SIM_ERROR';
      return { ok: false, code, message: err instanceof Error ? err.message : String(err) };
    }
  });
}
