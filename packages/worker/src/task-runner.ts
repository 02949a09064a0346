// Piscina worker file: runs a chunk of simulations on one pool thread.
// Chunks amortize the per-task cost of crossing threads when runs are short.
// It imports @sdpo/sim only: every pool thread loads this module, and the
// wire conversion (which would pull in gRPC) happens on the main thread.
import { runSimulation, type RunConfigInput } from '@sdpo/sim';
import { encodeRunResult, type DecodedConfig } from '@sdpo/protocol/stream-codec';

/** What a pool thread returns per task. Errors are plain data: structured clone drops error classes. */
export type Outcome =
  /** `bytes`: the result as protobuf (see @sdpo/protocol/stream-codec); `wallMs`: its compute time. */
  | { readonly ok: true; readonly bytes: Uint8Array; readonly wallMs: number }
  | { readonly ok: false; readonly code: string; readonly message: string };

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
export default function runChunk(chunk: { readonly configs: readonly DecodedConfig[] }): Outcome[] {
  return chunk.configs.map((config): Outcome => {
    try {
      if (fault?.matches(config)) {
        if (fault.kind === 'crash') process.kill(process.pid, 'SIGKILL');
        throw Object.assign(new Error(`injected fault (SDPO_FAULT_INJECT) for seed ${config.seed}`), { code: 'FAULT_INJECTED' });
      }
      const result = runSimulation(config as RunConfigInput);
      return { ok: true, bytes: encodeRunResult(result), wallMs: result.timing.wallMs };
    } catch (err) {
      const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'SIM_ERROR';
      return { ok: false, code, message: err instanceof Error ? err.message : String(err) };
    }
  });
}
