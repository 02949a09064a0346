// The submit thread's task (see submit-thread.ts), run on a Piscina thread:
// writes a big sweep's task rows, from the keys the coordinator's thread puts in
// a ring (key-ring.ts) as it expands the grid, through a connection of its own,
// taking turns with the coordinator's thread (write-gate.ts), so that thread
// keeps serving workers and status calls while a million rows go in.
import Database from 'better-sqlite3';
import { KeyRing } from './key-ring.js';
import { tuneWriter, WalPause } from './store-base.js';
import { TaskRows } from './task-rows.js';
import { WriteGate } from './write-gate.js';

/** Keys a slice waits for before it starts (unless they are the last): a short slice's commit writes its index pages for few rows. */
const SLICE_MIN_KEYS = 2048;

/** What the coordinator's thread hands over: the sweep's id, the store, the gate, the ring of keys. */
export interface SubmitJob {
  readonly sweepId: number;
  readonly storePath: string;
  readonly gate: SharedArrayBuffer;
  readonly ring: SharedArrayBuffer;
  /** The store's {@link WalPause}. */
  readonly walPause: SharedArrayBuffer;
  /** Longest slice (one transaction), ms; a slice also ends as soon as the coordinator's thread wants to write. */
  readonly sliceMs: number;
}

/** How a job ended: every row written (the counts), told to stop, or the grid's (or the store's) error. */
export type SubmitOutcome =
  | { readonly written: { readonly hits: number; readonly sharesKeys: boolean; readonly others: readonly number[] } }
  | { readonly stopped: true }
  | { readonly error: { name: string; code: string | undefined; message: string; issues: unknown } };

export default function submit(job: SubmitJob | { warmUp: true }): SubmitOutcome | undefined {
  // Only starts the thread (and loads this module) for later submits.
  if ('warmUp' in job) return undefined;
  const gate = new WriteGate(job.gate);
  const ring = new KeyRing(job.ring);
  const walPause = new WalPause(job.walPause);
  let db: Database.Database | undefined;
  try {
    db = new Database(job.storePath, { fileMustExist: true });
    tuneWriter(db);
    const rows = new TaskRows(db, job.sweepId, () => ring.take());
    for (;;) {
      // Outside any transaction: the coordinator's thread may need the write lock to go on.
      if (!ring.waitFor(SLICE_MIN_KEYS, () => gate.stopping())) return { stopped: true };
      walPause.enter();
      let finished: boolean;
      try {
        if (!gate.enter()) return { stopped: true };
        const until = performance.now() + job.sliceMs;
        try {
          finished = rows.slice(() => gate.yielding() || ring.aborted() || walPause.on || performance.now() > until);
        } finally {
          gate.leave();
          ring.release();
        }
      } finally {
        walPause.leave();
      }
      if (finished) return { written: { hits: rows.hits, sharesKeys: rows.sharesKeys, others: rows.takeOthers() } };
    }
  } catch (err) {
    const e = err as Error & { code?: string; issues?: unknown };
    return { error: { name: e.name, code: e.code, message: e.message, issues: e.issues } };
  } finally {
    db?.close();
  }
}
