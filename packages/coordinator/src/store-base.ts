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
}
