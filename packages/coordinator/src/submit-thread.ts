import { Piscina } from 'piscina';
import { ProtocolError, type Issue, type ProtocolErrorCode } from '@sdpo/protocol';
import { KeyRing } from './key-ring.js';
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

/** Longest slice of expanding a big grid on the coordinator's thread, ms: a status call waits for about three. */
const EXPAND_SLICE_MS = 5;
/**
 * Turns of the event loop between two slices of a submit's work on the coordinator's thread
 * (expanding here, or writing inline). A status call needs about three (its message, its
 * reply, its trailers): with one turn between slices of an inline submit it waited about
 * three slices (median 62 ms during a million-task submit written inline), with four 26 ms.
 */
const YIELD_TURNS = 4;

/** Lets the event loop run {@link YIELD_TURNS} turns (calls waiting behind a submit's slice). */
export async function yieldTurns(): Promise<void> {
  for (let turn = 0; turn < YIELD_TURNS; turn++) await new Promise((r) => setImmediate(r));
}

/** The rows a submit thread wrote: cache hits, whether keys are shared, and the other sweeps sharing them. */
export interface WrittenRows {
  readonly hits: number;
  readonly sharesKeys: boolean;
  readonly others: readonly number[];
}

/** A submit cut short by {@link SubmitThread.stop}. */
export class SubmitStopped extends Error {}

/**
 * A thread that writes big submits: it writes the task rows through a
 * connection of its own, from the keys the coordinator's thread puts in a
 * {@link KeyRing} as it expands the grid (resolves each cell, hashes its key) in
 * short slices. Written on the coordinator's thread, a row and its share of the
 * commit cost about 16 µs there (slices of ~2,300 rows took ~36 ms, commit
 * included), and a status call waited behind each slice: median 62–66 ms, p90
 * 91–99 ms while a million tasks went in (measured). The coordinator's thread
 * and this one take turns at the store's write lock through a {@link WriteGate}.
 * A one-thread Piscina pool, started on first use (Piscina loads the task's
 * TypeScript under tsx, as for the worker's pool); submits run one at a time. The thread exits after {@link THREAD_IDLE_MS} without a submit:
 * starting it costs 0.7 s under tsx and 0.24 s built (measured), so
 * back-to-back submits keep it, while a coordinator that only serves does not
 * carry it. A submit does not wait for it to start unless its grid is huge (the
 * scheduler's submitThreadWait): it is written inline, and warms the thread up
 * for the next. The thread expanded the grid itself at first, but expanding and
 * writing take about as long per row (~12 and ~10 µs, profiled), and the
 * coordinator's thread, idle meanwhile unless it serves, then resolved every
 * cell again to lease it.
 */
export class SubmitThread {
  private pool: Piscina | undefined;
  /** The job in progress: its gate, and its end (settled, never rejected). */
  private job: { readonly gate: WriteGate; readonly ring: KeyRing; readonly done: Promise<unknown> } | undefined;
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
   * Writes the task rows of sweep `sweepId` on the thread, the keys of `cells` in grid
   * order. `cells` is expanded here, on the calling thread, in slices of about
   * {@link EXPAND_SLICE_MS} with a few turns of the event loop between them, while the
   * thread writes the rows of the keys before: the two take about as long per row.
   * Resolves once every row is committed; rejects with the grid's INVALID_GRID error
   * (thrown by `cells`), the store's, or {@link SubmitStopped}, always after the thread
   * has left the store. Rows already committed stay: the caller deletes them.
   */
  async write(cells: Iterator<{ readonly key: string }>, sweepId: number, storePath: string, walPause: SharedArrayBuffer): Promise<WrittenRows> {
    const pool = this.startPool();
    const gate = new WriteGate();
    const ring = new KeyRing();
    const job: SubmitJob = { sweepId, storePath, gate: gate.buffer, ring: ring.buffer, walPause, sliceMs: THREAD_SLICE_MS };
    const run = pool.run(job) as Promise<SubmitOutcome>;
    let ended = false;
    const done = run.then(
      () => void (ended = true),
      () => void (ended = true),
    );
    this.job = { gate, ring, done };
    let outcome: SubmitOutcome;
    try {
      try {
        await produce(cells, ring, () => ended || gate.stopping());
      } catch (err) {
        // The grid failed here: the thread stops taking keys and leaves the store first.
        ring.abort();
        await done;
        throw err;
      }
      try {
        outcome = await run;
      } catch (err) {
        throw new Error(`the submit thread failed: ${(err as Error).message}`);
      }
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
    job?.ring.abort();
    // Not ended mid-transaction: the pool goes once the job has left the store.
    void (job?.done ?? Promise.resolve()).then(() => pool?.destroy());
  }
}

/**
 * Puts the keys of `cells` into `ring` until the last (then finishes it) or `stop()`:
 * slices of about {@link EXPAND_SLICE_MS}, then {@link YIELD_TURNS} turns of the
 * event loop, or a wait while the ring is full.
 */
async function produce(cells: Iterator<{ readonly key: string }>, ring: KeyRing, stop: () => boolean): Promise<void> {
  for (;;) {
    const until = performance.now() + EXPAND_SLICE_MS;
    for (let n = 1, space = ring.space(); ; n++) {
      if (space === 0) {
        space = ring.space();
        if (space === 0) break;
      }
      const c = cells.next();
      if (c.done) {
        ring.finish();
        return;
      }
      ring.put(c.value.key);
      space--;
      if ((n & 63) === 0 && performance.now() > until) break;
    }
    ring.publish();
    if (stop()) return;
    if (ring.space() === 0) await ring.taken(EXPAND_SLICE_MS * 4);
    else await yieldTurns();
    if (stop()) return;
  }
}

/** The error the thread reported, rebuilt: a grid's ProtocolError keeps its code and issues. */
function threadError(e: { name: string; code: string | undefined; message: string; issues: unknown }): Error {
  if (e.name === 'ProtocolError') return new ProtocolError(e.code as ProtocolErrorCode, e.message, (e.issues ?? []) as Issue[]);
  return Object.assign(new Error(e.message), { code: e.code });
}
