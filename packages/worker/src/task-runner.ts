// Piscina worker file: runs a chunk of simulations on one pool thread.
// Chunks amortize the per-task cost of crossing threads when runs are short.
// It imports @sdpo/sim only: every pool thread loads this module, and the
// wire conversion (which would pull in gRPC) happens on the main thread.
import { runSimulation, type RunConfigInput, type RunResult } from '@sdpo/sim';
import { packResults, unpackConfig, type DecodedConfig, type PackedConfigs, type PackedResults } from '@sdpo/protocol/stream-codec';

/**
 * What a pool thread returns for a chunk: the results' protobuf bytes packed in
 * one buffer (see @sdpo/protocol/stream-codec; empty for a failed task), each
 * task's compute time (ms), and the failures. Plain data in few objects: each
 * object crossing threads is a structured clone of its own. Errors are data too:
 * structured clone drops error classes.
 */
export interface ChunkOutcome {
  readonly results: PackedResults;
  readonly wallMs: Float64Array;
  readonly failures: readonly { readonly index: number; readonly code: string; readonly message: string }[];
}

/**
 * Fault injection for tests, off unless `SDPO_FAULT_INJECT` is set to
 * `throw:FIELD=VALUE[,FIELD=VALUE…]` or `crash:…`: every task whose config
 * matches all the given fields (compared as text, e.g. `throw:seed=1` or
 * `crash:seed=3,method=sdpo`) throws FAULT_INJECTED instead of running
 * (`throw`), or kills the whole worker process with SIGKILL, as an
 * out-of-memory kill or a native crash would (`crash`). Read once per pool
 * thread; pool threads inherit the worker process's environment.
 */
const fault = parseFaultRule(process.env['SDPO_FAULT_INJECT']);

function parseFaultRule(spec: string | undefined): { kind: 'throw' | 'crash'; matches: (c: DecodedConfig) => boolean } | undefined {
  if (!spec) return undefined;
  const m = /^(throw|crash):(.+)$/.exec(spec.trim());
  if (!m) throw new Error(`SDPO_FAULT_INJECT: expected 'throw:FIELD=VALUE[,FIELD=VALUE]' or 'crash:…', got '${spec}'`);
  const pairs = m[2]!.split(',').map((kv) => {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`SDPO_FAULT_INJECT: expected FIELD=VALUE, got '${kv}'`);
    return [kv.slice(0, i).trim(), kv.slice(i + 1).trim()] as const;
  });
  return { kind: m[1] as 'throw' | 'crash', matches: (c) => pairs.every(([k, v]) => String((c as unknown as Record<string, unknown>)[k]) === v) };
}

/** Runs each config of the chunk; configs come from the wire, so runSimulation's run schema is their check. */
export default function runChunk(chunk: { readonly configs: PackedConfigs }): ChunkOutcome {
  const n = chunk.configs.offsets.length - 1;
  const results: (RunResult | undefined)[] = [];
  const wallMs = new Float64Array(n);
  const failures: { index: number; code: string; message: string }[] = [];
  for (let i = 0; i < n; i++) {
    try {
      const config = unpackConfig(chunk.configs, i);
      if (fault?.matches(config)) {
        if (fault.kind === 'crash') process.kill(process.pid, 'SIGKILL');
        throw Object.assign(new Error(`injected fault (SDPO_FAULT_INJECT) for seed ${config.seed}`), { code: 'FAULT_INJECTED' });
      }
      const result = runSimulation(config as RunConfigInput);
      results.push(result);
      wallMs[i] = result.timing.wallMs;
    } catch (err) {
      results.push(undefined);
      const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'SIM_ERROR';
      failures.push({ index: i, code, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return { results: packResults(results), wallMs, failures };
}
