import { Piscina } from 'piscina';
import { ProtocolError, type Issue, type ProtocolErrorCode, type SweepDefinition } from '@sdpo/protocol';
import type { SubmitJob, SubmitOutcome } from './submit-task.js';
import { WriteGate } from './write-gate.js';

/** The submit thread's module: `.ts` under tsx, `.js` when built. */
function threadUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./submit-task${ext}`, import.meta.url);
}

/** How long the submit thread waits for another submit before it exits, ms. */
const THREAD_IDLE_MS = 5_000;
/**
 * Longest transaction of the submit thread, ms. Each commit rewrites the key-index pages
 * its rows touched, so longer slices write fewer pages per row; the coordinator's thread
 * does not wait for a whole slice (the thread ends one within 32 rows when it wants to write).
 */
const THREAD_SLICE_MS = 100;

/** The rows a submit thread wrote: cache hits, whether keys are shared, and the other sweeps sharing them. */
export interface WrittenRows {
  readonly hits: number;
  readonly sharesKeys: boolean;
  readonly others: readonly number[];
}

/** A submit cut short by {@link SubmitThread.stop}. */
export class SubmitStopped extends Error {}

/**
 * A thread that writes big submits: it expands the grid (resolves each cell,
 * hashes its key) and writes the task rows through a connection of its own.
 * Written on the coordinator's thread, a row and its share of the commit cost
 * about 16 µs there (slices of ~2,300 rows took ~36 ms, commit included), and
 * a status call waited behind each slice: median 62–66 ms, p90 91–99 ms while a
 * million tasks went in (measured). On this thread the coordinator's thread
 * only serves; the two take turns at the store's write lock through a
 * {@link WriteGate}. A one-thread Piscina pool, started on first use (Piscina
 * loads the task's TypeScript under tsx, as for the worker's pool); submits run
 * one at a time. The thread exits after {@link THREAD_IDLE_MS} without a submit:
 * starting it costs 0.7 s under tsx and 0.24 s built (measured), so
 * back-to-back submits keep it, while a coordinator that only serves does not
 * carry it. A submit does not wait for it to start unless its grid is huge (the
 * scheduler's submitThreadWait): it is written inline, and warms the thread up
 * for the next.
 */
export class SubmitThread {
  private pool: Piscina | undefined;
  /** The job in progress: its gate, and its end (settled, never rejected). */
  private job: { readonly gate: WriteGate; readonly done: Promise<unknown> } | undefined;
  /** Whether the thread is up, its module loaded (a task has finished on it since it started). */
  private up = false;
  private warming = false;

  /** True when the thread is up: a submit handed to it starts at once. */
  get warm(): boolean {
    return this.up;
  }

  /**
   * Starts the thread (if it is not up) for the submits that follow; it exits again after its
   * idle time. `failed` hears why it could not start (grids are then written inline).
   */
  warmUp(failed: (err: Error) => void): void {
    if (this.up || this.warming) return;
    this.warming = true;
    const pool = this.startPool();
    pool.run({ warmUp: true }).then(
      () => {
        this.warming = false;
        if (this.pool === pool) this.up = true;
      },
      (err: Error) => {
        this.warming = false;
        // Stopped meanwhile (shutdown) is no failure.
        if (this.pool === pool) failed(err);
      },
    );
  }

  private startPool(): Piscina {
    if (this.pool) return this.pool;
    const pool = new Piscina({ filename: threadUrl().href, minThreads: 0, maxThreads: 1, idleTimeout: THREAD_IDLE_MS });
    // The idle timeout ended the thread: the next submit would wait for a new one.
    pool.on('workerDestroy', () => (this.up = false));
    this.pool = pool;
    return pool;
  }

  /**
   * Writes the task rows of `def` as sweep `sweepId` on the thread. Resolves once every row
   * is committed; rejects with the grid's INVALID_GRID error (or the store's), or with
   * {@link SubmitStopped}, always after the thread has left the store. Rows already
   * committed stay: the caller deletes them.
   */
  async write(def: SweepDefinition, simVersion: string, sweepId: number, storePath: string): Promise<WrittenRows> {
    const pool = this.startPool();
    const gate = new WriteGate();
    const job: SubmitJob = { def, simVersion, sweepId, storePath, gate: gate.buffer, sliceMs: THREAD_SLICE_MS };
    const run = pool.run(job) as Promise<SubmitOutcome>;
    this.job = { gate, done: run.catch(() => undefined) };
    let outcome: SubmitOutcome;
    try {
      outcome = await run;
    } catch (err) {
      throw new Error(`the submit thread failed: ${(err as Error).message}`);
    } finally {
      this.job = undefined;
    }
    if (this.pool === pool) this.up = true;
    if ('stopped' in outcome) throw new SubmitStopped('the submit thread was stopped');
    if ('error' in outcome) throw threadError(outcome.error);
    return outcome.written;
  }

  /**
   * Runs `fn`, a write transaction of the coordinator's thread: while a job writes, once
   * the thread is out of its transaction (it waits until `fn` returns); else at once.
   */
  hold<T>(fn: () => T): T {
    return this.job ? this.job.gate.hold(fn) : fn();
  }

  /** Stops the thread: a job in progress ends its slice and fails with {@link SubmitStopped}; a later request starts a new thread. */
  stop(): void {
    const pool = this.pool;
    this.pool = undefined;
    this.up = false;
    const job = this.job;
    job?.gate.stop();
    // Not ended mid-transaction: the pool goes once the job has left the store.
    void (job?.done ?? Promise.resolve()).then(() => pool?.destroy());
  }
}

/** The error the thread reported, rebuilt: a grid's ProtocolError keeps its code and issues. */
function threadError(e: { name: string; code: string | undefined; message: string; issues: unknown }): Error {
  if (e.name === 'ProtocolError') return new ProtocolError(e.code as ProtocolErrorCode, e.message, (e.issues ?? []) as Issue[]);
  return Object.assign(new Error(e.message), { code: e.code });
}
