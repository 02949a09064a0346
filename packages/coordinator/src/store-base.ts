// What the store shares with the submit thread, which loads this module and not
// store.ts (that one loads the whole protocol package).
import type { Database } from 'better-sqlite3';

/** Task states as stored. `leased` is never stored: a restart voids every lease. */
export const TASK = { pending: 0, computed: 1, cached: 2, failed: 3, cancelled: 4 } as const;

/** The settings of a connection that writes to a store (the coordinator's, and the submit thread's). */
export function tuneWriter(db: Database): void {
  db.pragma('busy_timeout = 5000');
  // WAL + NORMAL: a commit survives a process crash; only an OS crash may lose the last transactions.
  db.pragma('synchronous = NORMAL');
  // 64 MiB of page cache (the default is 2 MiB): results and the key indexes of a
  // large sweep stay in memory, so a commit writes pages without reading them first.
  db.pragma('cache_size = -65536');
  // Checkpoints run on the store's checkpointer thread (store.ts); a writing connection only
  // checkpoints as a backstop, past ~400 MiB of WAL, and when it closes.
  db.pragma('wal_autocheckpoint = 100000');
  // A WAL that grew past this (a long reader held the checkpoints back) is cut back to it when it starts over.
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
}

/** Size the WAL file is cut back to when it starts over, bytes (see {@link tuneWriter}). */
const WAL_SIZE_LIMIT_BYTES = 128 * 2 ** 20;

/** Slots of the {@link WalPause}'s shared Int32Array. */
const PAUSE = 0; // 1 while the checkpointer asks writers not to begin a transaction
const ACTIVE = 1; // write transactions in progress (each writer counts itself in and out)

/**
 * The checkpointer thread's request to the store's writers (the coordinator's thread and the
 * submit thread) to hold off their next transaction, over shared memory. The WAL starts over
 * only when a transaction begins with every frame already copied into the database file;
 * while the writers keep appending, the checkpoints running beside them never catch up, so
 * the WAL grew to 400 MiB (the backstop, a checkpoint inside a writer's commit that stalled
 * it for 150–370 ms), and to 830 MiB during a million-task submit (measured). Past its limit
 * the checkpointer sets the pause, waits for the transactions in progress to end, copies the
 * last frames, and lifts it; the next transaction then starts the WAL over. A writer that
 * does not take part only keeps the WAL from starting over: nothing here is needed for safety.
 */
export class WalPause {
  private readonly a: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(2 * 4)) {
    this.a = new Int32Array(buffer);
  }

  /** Whether the checkpointer asks writers to hold off their next transaction. */
  get on(): boolean {
    return Atomics.load(this.a, PAUSE) !== 0;
  }

  /** Resolves once no pause is on (at once if none is), or after `ms`, without blocking the event loop. */
  async over(ms = WAL_PAUSE_MAX_MS): Promise<void> {
    const w = Atomics.waitAsync(this.a, PAUSE, 1, ms);
    if (w.async) await w.value;
  }

  /** Runs `fn`, a write transaction, counted in; after the pause if one is on, waiting (blocking) at most `waitMs`. */
  run<T>(fn: () => T, waitMs = WAL_PAUSE_MAX_MS): T {
    this.enter(waitMs);
    try {
      return fn();
    } finally {
      this.leave();
    }
  }

  /** Counts a transaction in, once no pause is on (or after `ms`). */
  enter(ms = WAL_PAUSE_MAX_MS): void {
    const a = this.a;
    const until = performance.now() + ms;
    for (;;) {
      // Both sides announce, then look at the other: at least one of them sees the other (sequentially consistent).
      Atomics.add(a, ACTIVE, 1);
      if (Atomics.load(a, PAUSE) === 0) return;
      const left = until - performance.now();
      if (left <= 0) return;
      this.leave();
      Atomics.wait(a, PAUSE, 1, left);
    }
  }

  /** Counts a transaction out (committed or rolled back). */
  leave(): void {
    Atomics.sub(this.a, ACTIVE, 1);
    Atomics.notify(this.a, ACTIVE);
  }
}

/** Longest pause the checkpointer asks for, ms: past it, it gives up until its next round. */
export const WAL_PAUSE_MAX_MS = 200;
