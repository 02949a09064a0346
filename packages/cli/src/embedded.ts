import { availableParallelism } from 'node:os';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import cliProgress from 'cli-progress';
import { CoordinatorError, startCoordinator, type SweepProgress } from '@sdpo/coordinator';
import { startWorker } from '@sdpo/worker';
import { LIMITS, loadGridFile, ProtocolError, type SweepDefinition, type SweepInfo__Output } from '@sdpo/protocol';
import type { RunResult } from '@sdpo/sim';
import { CliError, EXIT } from './errors.js';

/** Where `sdpo run` and `sdpo study` keep results unless `--store` says otherwise. */
export const DEFAULT_STORE = './sdpo-store.db';
/** The coordinator address the cluster commands use unless told otherwise. */
export const DEFAULT_COORDINATOR = '127.0.0.1:7070';

/**
 * The CLI's logger: JSON lines on stderr when stderr is not a TTY (for log
 * shippers), short readable lines on a TTY. Level from SDPO_LOG_LEVEL, else
 * `fallback` (quiet by default for commands with their own progress output).
 */
export function createLogger(fallback: pino.Level | 'silent' = 'info'): Logger {
  const level = process.env['SDPO_LOG_LEVEL'] ?? fallback;
  if (!process.stderr.isTTY) return pino({ level, base: { pid: process.pid } }, pino.destination(2));
  const names: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
  const pretty = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        try {
          const { level: l, time, msg, pid: _p, hostname: _h, ...rest } = JSON.parse(line) as Record<string, unknown>;
          const extra = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
          const t = new Date(Number(time)).toISOString().slice(11, 19);
          process.stderr.write(`${t} ${(names[Number(l)] ?? String(l)).padEnd(5)} ${String(msg)}${extra ? `  ${extra}` : ''}\n`);
        } catch {
          process.stderr.write(line + '\n');
        }
      }
      cb();
    },
  });
  return pino({ level }, pretty);
}

/**
 * What the protocol lets a worker announce in its Hello and hold (orchestration
 * spec §7), so the flags are checked before connecting, with the flag named,
 * rather than refused by the coordinator after.
 */
export const WORKER_LIMITS = {
  /** Characters of a worker's name. */
  name: LIMITS.maxWorkerName,
  /** Pool threads one worker may announce. */
  threads: LIMITS.maxThreads,
  /** Tasks one worker may hold at once. */
  credits: LIMITS.maxCredits,
} as const;

/** Options of {@link runGridEmbedded}. */
export interface EmbeddedOptions {
  /** SQLite store (default {@link DEFAULT_STORE}). */
  readonly storePath?: string;
  /** Pool threads (default os.availableParallelism()). */
  readonly threads?: number;
  /** Called on every change of counts (throttled to ~4/s) and about once a second. */
  readonly onProgress?: (p: SweepProgress) => void;
  /** Aborting stops cleanly: running tasks are abandoned, committed results stay, a rerun resumes. */
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Node flags of the pool threads (see WorkerOptions.poolExecArgv). */
  readonly poolExecArgv?: readonly string[];
}

/** What an embedded run did. */
export interface EmbeddedOutcome {
  readonly sweepName: string;
  /** running (interrupted), done, failed (done with failures) or cancelled. */
  readonly state: SweepProgress['state'];
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  /** Results computed by this sweep (over all its runs) vs reused from the store's cache. */
  readonly computed: number;
  readonly cached: number;
  /** True when the signal aborted the run before the sweep finished. */
  readonly interrupted: boolean;
  readonly storePath: string;
}

/**
 * Runs a sweep on this machine: a coordinator on a loopback gRPC port
 * (127.0.0.1, ephemeral) and one local worker with a Piscina pool, in one
 * process, over the same protocol a cluster uses. Resubmitting a sweep of
 * the same name and grid resumes it; finished tasks are never recomputed.
 * Throws ProtocolError (bad grid cell) or CoordinatorError (name taken by
 * another grid) before any work, with nothing written.
 */
export async function runGridEmbedded(def: SweepDefinition, options: EmbeddedOptions = {}): Promise<EmbeddedOutcome> {
  const storePath = options.storePath ?? DEFAULT_STORE;
  const logger = options.logger ?? createLogger('warn');
  const coordinator = await startCoordinator({ storePath, listen: '127.0.0.1:0', logger, resume: false });
  const { scheduler } = coordinator;
  const threads = options.threads ?? availableParallelism();
  // Started before the submit, so the pool's threads load while the grid is written. The one
  // local worker holds 192 tasks per thread, not the cluster default of 2: with no other worker
  // to balance against, more in hand only means fewer messages and bigger pool chunks (the
  // default preset's efficiency, measured: 0.89 with 16 per thread and 20 ms chunks, 0.91–0.92
  // with 48 and 40 ms; once the WebAssembly kernels made runs 15 % faster, 48 gave 0.895–0.904
  // and 96 gave 0.912–0.922, four runs each, alternating; 192 gave +0.0045 over 96, mean of 14
  // alternating pairs, as the running chunks no longer take most of what it holds). Its results
  // go back every 250 ms (or 256 results): each store commit rewrites the key-index pages its
  // results touch, so 15 results a commit cost the store about 70 µs each and 50 or more about
  // 20 µs (measured).
  const worker = startWorker({
    coordinator: `127.0.0.1:${coordinator.port}`, logger, name: 'embedded', exitOnDisconnect: true, threads, credits: 192 * threads,
    flushMs: 250, flushCount: 256,
    ...(options.poolExecArgv ? { poolExecArgv: options.poolExecArgv } : {}),
  });
  try {
    const { progress: first } = await scheduler.submit(def);
    if (first.state === 'cancelled') throw cancelledSweep(def.name);
    let last = first;
    options.onProgress?.(first);
    if (first.state === 'running' && !options.signal?.aborted) {
      await new Promise<void>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const report = () => {
          last = scheduler.progress(def.name);
          options.onProgress?.(last);
          if (last.state !== 'running') finish();
        };
        const onProgress = (name: string) => {
          if (name !== def.name) return;
          // The end is reported at once; progress at most every 250 ms.
          if (scheduler.progress(name).state !== 'running') report();
          else timer ??= setTimeout(() => ((timer = undefined), report()), 250);
        };
        const tick = setInterval(report, 1000);
        const onAbort = () => finish();
        let finished = false;
        const finish = () => {
          finished = true;
          clearInterval(tick);
          if (timer) clearTimeout(timer);
          scheduler.off('progress', onProgress);
          options.signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        scheduler.on('progress', onProgress);
        options.signal?.addEventListener('abort', onAbort, { once: true });
        // Only while waiting: once finished, the worker's end (and the store's close) is expected.
        worker.done.then(() => {
          if (!finished && scheduler.progress(def.name).state === 'running' && !options.signal?.aborted) reject(new Error('the local worker stopped before the sweep finished'));
        }, (err: unknown) => {
          if (!finished) reject(err);
        });
      });
      last = scheduler.progress(def.name);
      options.onProgress?.(last);
    }
    return {
      sweepName: def.name, state: last.state, total: last.total, done: last.done, failed: last.failed,
      computed: last.computed, cached: last.cached, interrupted: last.state === 'running', storePath,
    };
  } finally {
    // Both at once: the pool's threads end while the store takes its last checkpoint.
    await Promise.all([worker.stop(), coordinator.close()]);
  }
}

// ---- shared by the orchestration commands ------------------------------------

/** Reads a grid file, turning any problem into a CliError (exit 2) that names the field or line. */
export function loadGridOrExit(path: string | undefined, command: string): SweepDefinition {
  if (!path) throw new CliError(`${command}: a grid file is required (YAML or JSON; see the README's grid format)`);
  try {
    return loadGridFile(path);
  } catch (err) {
    if (err instanceof ProtocolError) throw new CliError(err.message);
    throw err;
  }
}

/** The error of a submit under the name of a cancelled sweep: it would do nothing, silently. */
export function cancelledSweep(name: string): CliError {
  return new CliError(`the sweep '${name}' was cancelled, and a cancelled sweep is not resumed: submit the grid under another name (its stored results are reused)`);
}

/** Maps errors a sweep submission may raise to exit-2 CliErrors; rethrows the rest. */
export function submissionError(err: unknown): never {
  if (err instanceof ProtocolError || (err instanceof CoordinatorError && err.code === 'SWEEP_EXISTS')) throw new CliError(err.message);
  throw err;
}

const fmtEta = (s: number): string => {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
};

/** What a progress bar or line shows of a sweep. */
export type ProgressView = Pick<SweepProgress, 'name' | 'done' | 'total' | 'failed' | 'rate' | 'etaSeconds' | 'workers' | 'state'>;

/** A progress line as the non-TTY output shows it. */
export function progressLine(p: ProgressView): string {
  const pct = p.total ? ((100 * p.done) / p.total).toFixed(1) : '100.0';
  return `${p.name}: ${p.done}/${p.total} done (${pct}%)${p.failed ? `, ${p.failed} failed` : ''}, ${p.rate.toFixed(1)}/s, ETA ${p.state === 'running' ? fmtEta(p.etaSeconds) : '0s'}, ${p.workers} worker${p.workers === 1 ? '' : 's'}`;
}

/**
 * Progress on stderr: a cli-progress bar on a TTY (done/total, rate, ETA,
 * workers), else (or with `lines`) a plain line at most every `everyMs` and at
 * the end.
 */
export function progressReporter(options: { readonly quiet?: boolean; readonly everyMs?: number; readonly lines?: boolean } = {}) {
  const tty = process.stderr.isTTY === true && !options.quiet && !options.lines;
  let bar: cliProgress.SingleBar | undefined;
  let lastLine = 0;
  let lastText = '';
  return {
    update(p: ProgressView) {
      if (options.quiet) return;
      if (tty) {
        const payload = { rate: p.rate.toFixed(1), eta: fmtEta(p.etaSeconds), workers: p.workers };
        if (!bar) {
          bar = new cliProgress.SingleBar(
            { format: `${p.name} {bar} {value}/{total} | {rate}/s | ETA {eta} | workers {workers}`, hideCursor: true, stream: process.stderr },
            cliProgress.Presets.shades_classic,
          );
          bar.start(p.total, p.done, payload);
        } else bar.update(p.done, payload);
        return;
      }
      const now = Date.now();
      const text = progressLine(p);
      if (text !== lastText && (now - lastLine >= (options.everyMs ?? 2000) || p.state !== 'running' || p.done === p.total)) {
        process.stderr.write(`progress ${text}\n`);
        lastLine = now;
        lastText = text;
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

/** Mean finalReward per method × feedback, as rows for {@link formatTable}. */
export function rewardMatrix(results: readonly RunResult[]): { header: string[]; rows: string[][]; cells: { method: string; feedback: string; n: number; meanFinalReward: number }[] } {
  const acc = new Map<string, { sum: number; n: number }>();
  const methods: string[] = [];
  const feedbacks: string[] = [];
  for (const r of results) {
    const { method, feedback } = r.config;
    if (!methods.includes(method)) methods.push(method);
    if (!feedbacks.includes(feedback)) feedbacks.push(feedback);
    const k = `${method}\u0000${feedback}`;
    const a = acc.get(k) ?? { sum: 0, n: 0 };
    a.sum += r.summary.finalReward;
    a.n++;
    acc.set(k, a);
  }
  const cells: { method: string; feedback: string; n: number; meanFinalReward: number }[] = [];
  const rows = methods.map((m) => [
    m,
    ...feedbacks.map((f) => {
      const a = acc.get(`${m}\u0000${f}`);
      if (!a) return '—';
      cells.push({ method: m, feedback: f, n: a.n, meanFinalReward: a.sum / a.n });
      return (a.sum / a.n).toFixed(4);
    }),
  ]);
  return { header: ['method \\ feedback', ...feedbacks], rows, cells };
}

/** Turns a gRPC client error into a CliError: the coordinator's message; exit 2 for bad input (a refused token is one), 3 when it cannot be reached, 1 otherwise. */
export function clientError(err: unknown, address: string): never {
  const e = err as { code?: number; details?: string; message?: string; metadata?: { get(key: string): unknown[] } };
  if (typeof e.code !== 'number') throw err;
  // The coordinator could not write its store (a full disk, an I/O error, a store gone or made read-only under it):
  // nothing of this command was stored, and the same command succeeds once the store can be written again.
  const sdpoCode = String(e.metadata?.get('sdpo-code')[0] ?? '');
  if (STORE_WRITE_CODES.test(sdpoCode)) {
    const remedy = sdpoCode === 'STORE_GONE' ? 'restart the coordinator' : 'free space or fix the store';
    throw new CliError(`the coordinator at ${address} could not write its store (${e.details ?? sdpoCode}); nothing of this command was stored: ${remedy}, then run it again`, EXIT.unreachable);
  }
  // 3 INVALID_ARGUMENT, 4 DEADLINE_EXCEEDED, 5 NOT_FOUND, 6 ALREADY_EXISTS, 9 FAILED_PRECONDITION, 14 UNAVAILABLE, 16 UNAUTHENTICATED
  if (e.code === 4) throw new CliError(`the coordinator at ${address} did not answer in time (${e.details ?? 'deadline exceeded'})`, EXIT.unreachable);
  if (e.code === 14) throw new CliError(`cannot reach a coordinator at ${address} (${e.details ?? 'unavailable'}); start one with \`sdpo coordinator\` or pass --coordinator HOST:PORT`, EXIT.unreachable);
  if (e.code === 16) throw new CliError(`coordinator at ${address} refused the token (${e.details}); pass --token-file or set SDPO_TOKEN`, EXIT.badInput);
  throw new CliError(e.details ?? e.message ?? String(err), [3, 5, 6, 9].includes(e.code) ? 2 : 1);
}

/** SQLite's result codes (better-sqlite3's `code`) and ours that mean the store cannot be written now. */
const STORE_WRITE_CODES = /^(SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED|NOMEM)(_\w+)?|STORE_GONE)$/;

/** A SweepInfo (wire) as the SweepProgress shape the progress reporter takes. */
export function infoToProgress(i: SweepInfo__Output): SweepProgress {
  return {
    name: i.name, state: i.state as SweepProgress['state'], total: i.total, done: i.done, failed: i.failed, cancelled: i.cancelled,
    cached: i.cached, computed: i.computed, inFlight: i.inFlight, workers: i.workers, rate: i.rate, etaSeconds: i.etaSeconds,
    createdAt: i.createdAt, finishedAt: i.finishedAt || null, simVersion: i.simVersion,
    definition: JSON.parse(i.gridJson || 'null') as SweepDefinition,
  };
}
