import { readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';

/** Who holds a store for writing, as its `-owner` file says (for the message only). */
interface Owner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

function readOwner(file: string): Owner | undefined {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as Partial<Owner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' ? { pid: o.pid, host: o.host, since: String(o.since ?? '?') } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Claims the store at `path` for writing by this process and returns its
 * release. SQLite would let a second coordinator (or an `sdpo run` on the same
 * default store) write the same sweeps: both ran every task, and their counts
 * diverged for good (measured by an audit).
 *
 * The claim is an exclusive lock on the SQLite file `PATH-lock`, held by a
 * connection in exclusive locking mode for as long as the store is open. The
 * kernel drops the lock when its process ends, however it ends, so a claim
 * can never be left behind. (The first version was a `PATH-owner` file
 * created exclusively, with the owner's pid checked for life. Two processes
 * taking over the same stale file at once could both win, and a restarted
 * container whose coordinator got the dead one's pid again was refused by its
 * own pid.) The lock file stays on disk: deleting a file others may have open
 * would let two processes lock two different files of one name. `PATH-owner`
 * now only says who holds the lock, for a refused process's message.
 * `inUse` builds the error for a store held by another connection.
 *
 * The lock is named after the file's real path, so a store opened through a
 * symbolic link takes the same lock (SQLite itself resolves the link, so both
 * names share one WAL). A file with more than one hard link is refused: its
 * names cannot be told to be one file from the name, and SQLite would keep a
 * WAL per name, so two writers through two names would both run every task
 * and could corrupt it (an audit ran two coordinators that way: 1,854 of 2,400
 * tasks computed twice, a sweep that never finished).
 */
export function claimStore(path: string, inUse: (message: string) => Error): () => void {
  const real = realpathSync(path);
  const links = statSync(real).nlink;
  if (links > 1) {
    throw new Error(
      `${path} has ${links} hard links: SQLite keeps a WAL per name, so writers through two names would not see each other; keep one name (remove the other links) or copy the file`,
    );
  }
  const lock = new Database(`${real}-lock`, { timeout: 0 });
  try {
    lock.pragma('journal_mode = OFF');
    lock.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the EXCLUSIVE lock, which exclusive locking mode keeps until close.
    lock.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS lock (x); COMMIT');
  } catch (err) {
    lock.close();
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    const owner = readOwner(`${real}-owner`);
    const who =
      owner === undefined
        ? 'another process (a coordinator or an sdpo run)'
        : owner.pid === process.pid && owner.host === hostname()
          ? 'this process (another open store)'
          : `process ${owner.pid}${owner.host === hostname() ? '' : ` on host ${owner.host}`} (a coordinator or an sdpo run, since ${owner.since})`;
    throw inUse(`the store ${path} is in use by ${who}; stop it first, or give another --store`);
  }
  const me: Owner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const file = `${real}-owner`;
  try {
    writeFileSync(file, JSON.stringify(me) + '\n');
  } catch {
    // The note is for messages only; the lock is the claim.
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // The note first, while the lock still keeps any other process from writing its own.
    rmSync(file, { force: true });
    lock.close();
  };
}
