import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Who holds a store for writing: the content of its `-owner` file. */
interface Owner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

/** Whether process `pid` on this host still runs (a zombie does not: it is dead, only not yet reaped). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    // No /proc (not Linux): kill(pid, 0) said it exists.
    return true;
  }
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
 * Claims the store at `path` for writing by this process, through the file
 * `PATH-owner` (created exclusively), and returns its release. SQLite would let
 * a second coordinator (or an `sdpo run` on the same default store) write the
 * same sweeps: both ran every task, and their counts diverged for good
 * (measured by an audit). An owner file left by a process that died is taken
 * over; one from another host cannot be checked and is refused with the way out.
 * `inUse` builds the error for a live owner.
 */
export function claimStore(path: string, inUse: (message: string) => Error): () => void {
  const file = `${path}-owner`;
  const me: Owner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const text = JSON.stringify(me) + '\n';
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, text, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
    }
    const owner = readOwner(file);
    if (owner && owner.host !== me.host) {
      throw inUse(`the store ${path} is held by process ${owner.pid} on host ${owner.host} (since ${owner.since}); if that process is gone, delete ${file}`);
    }
    if (owner && alive(owner.pid)) {
      const who = owner.pid === me.pid ? 'this process (another open store)' : `process ${owner.pid} (a coordinator or an sdpo run, since ${owner.since})`;
      throw inUse(`the store ${path} is in use by ${who}; stop it first, or give another --store`);
    }
    // Left by a process that is gone (or unreadable): removed, then claimed again (once).
    rmSync(file, { force: true });
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // Only our own claim: never a file another process wrote after taking over.
    if (readOwner(file)?.pid === me.pid) rmSync(file, { force: true });
  };
}

