// A submit's task rows, written in slices: the same code runs on the coordinator's
// thread (small grids) and on the submit thread (big ones, see submit-thread.ts).
import type { Database } from 'better-sqlite3';
import { TASK } from './store-base.js';

/**
 * The task keys of a grid's cells in grid order: the next one, `null` when the next is
 * not ready yet (the slice ends there), `undefined` after the last.
 */
export type NextKey = () => Buffer | null | undefined;

/** The keys of an expanded grid (hex, as {@link expandSweep} gives them), as a {@link NextKey}. */
export function keysOf(cells: Iterator<{ readonly key: string }>): NextKey {
  return () => {
    const c = cells.next();
    return c.done ? undefined : Buffer.from(c.value.key, 'hex');
  };
}

/** Writes the task rows of sweep `sweepId`, cell `i` at index `i`, one slice (transaction) at a time. */
export class TaskRows {
  /** Rows written as cached: their key already had a result. */
  hits = 0;
  /** Whether another task row (of any sweep, or of this one) has one of these rows' keys. */
  sharesKeys = false;
  /** Other sweeps holding one of these rows' keys (see {@link takeOthers}). */
  private others = new Set<number>();
  private index = 0;
  private readonly keyRows;
  private readonly insert;

  constructor(
    private readonly db: Database,
    private readonly sweepId: number,
    private readonly next: NextKey,
  ) {
    this.keyRows = db.prepare('SELECT sweep_id, result FROM tasks WHERE key = ?').raw();
    this.insert = db.prepare('INSERT INTO tasks (sweep_id, idx, key, state, result) VALUES (?, ?, ?, ?, ?)');
  }

  /**
   * Writes the next rows in one IMMEDIATE transaction, until `enough()` says so (asked
   * every 32 rows, a few hundred µs of work), the next key is not ready, or the last
   * cell is written; true then. An invalid cell throws its INVALID_GRID error (from
   * `next`), and the slice is rolled back.
   */
  slice(enough: () => boolean): boolean {
    let finished = false;
    this.db.transaction(() => {
      for (let n = 0; ; n++) {
        if ((n & 31) === 31 && enough()) return;
        const key = this.next();
        if (key === undefined) {
          finished = true;
          return;
        }
        if (key === null) return;
        // Usually nothing: a new key. Else the rows that share it, any with a result.
        let result: number | undefined;
        for (const [sweepId, stored] of this.keyRows.all(key) as [number, number | null][]) {
          this.sharesKeys = true;
          if (sweepId !== this.sweepId) this.others.add(sweepId);
          if (stored !== null) result = stored;
        }
        if (result !== undefined) this.hits++;
        this.insert.run(this.sweepId, this.index++, key, result === undefined ? TASK.pending : TASK.cached, result ?? null);
      }
    }).immediate();
    return finished;
  }

  /** The other sweeps found sharing a key since the last call. */
  takeOthers(): number[] {
    const ids = [...this.others];
    this.others = new Set();
    return ids;
  }
}
