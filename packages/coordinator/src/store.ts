import { accessSync, constants, copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { canonicalJson, decodeResultBody, type SweepDefinition } from '@sdpo/protocol';
import type { RunResult } from '@sdpo/sim';
import { z } from 'zod';
import { claimStore } from './owner.js';
import { TASK, tuneWriter, WAL_PAUSE_MAX_MS, WalPause } from './store-base.js';

export { TASK } from './store-base.js';

/** Sweep states: running until every task is done, failed or cancelled. */
export type SweepState = 'running' | 'done' | 'failed' | 'cancelled';

/** A sweep's row: its definition and counts. */
export interface SweepRow {
  readonly id: number;
  readonly name: string;
  readonly definition: SweepDefinition;
  readonly simVersion: string;
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly cached: number;
  readonly computed: number;
  readonly state: SweepState;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

/** A permanently failed task, with its last error. */
export interface FailedTaskRow {
  readonly index: number;
  readonly key: string;
  readonly code: string;
  readonly message: string;
}

/** Version 2's results table (the schema and the upgrade from version 1 create it). */
const RESULTS_TABLE = `
CREATE TABLE IF NOT EXISTS results (
  id INTEGER PRIMARY KEY,
  key BLOB NOT NULL,
  sim_version TEXT NOT NULL,
  body BLOB NOT NULL,
  wall_ms REAL NOT NULL,
  worker TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sweeps (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  definition TEXT NOT NULL,
  sim_version TEXT NOT NULL,
  total INTEGER NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  cancelled INTEGER NOT NULL DEFAULT 0,
  cached INTEGER NOT NULL DEFAULT 0,
  computed INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  created_at TEXT NOT NULL,
  finished_at TEXT
);
-- Configs are not stored per task: a task is (sweep, grid index) and its
-- config is recomputed from the sweep's grid, so a million tasks cost ~50 bytes each.
CREATE TABLE IF NOT EXISTS tasks (
  sweep_id INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  key BLOB NOT NULL,
  state INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  fails INTEGER NOT NULL DEFAULT 0,
  result INTEGER,
  PRIMARY KEY (sweep_id, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tasks_by_key ON tasks (key);
-- Results are found through their tasks (tasks.result; by key through tasks_by_key),
-- not through an index of their own: results arrive in random key order, and an
-- index by key put each one on a random page that its commit then wrote out whole.
-- Rows here are appended in arrival order; tasks_by_key is written at submit only.
${RESULTS_TABLE}
CREATE TABLE IF NOT EXISTS failures (
  id INTEGER PRIMARY KEY,
  sweep_id INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  key BLOB NOT NULL,
  attempt INTEGER NOT NULL,
  worker TEXT NOT NULL,
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS failures_by_task ON failures (sweep_id, idx);
CREATE INDEX IF NOT EXISTS failures_by_key ON failures (key);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  kind TEXT NOT NULL,
  sweep_id INTEGER,
  key BLOB,
  worker TEXT,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS events_by_sweep ON events (sweep_id, kind);
`;

const STORE_VERSION = '2';

/**
 * Version 1 to 2: results lose their index by key and are found through
 * tasks.result. The rows keep their rowids as ids, so the tasks are linked
 * through version 1's own key index before it is dropped. One transaction.
 */
const MIGRATE_1_TO_2 = `
ALTER TABLE results RENAME TO results_v1;
${RESULTS_TABLE}
INSERT INTO results (id, key, sim_version, body, wall_ms, worker, created_at)
  SELECT rowid, key, sim_version, body, wall_ms, worker, created_at FROM results_v1 ORDER BY rowid;
ALTER TABLE tasks ADD COLUMN result INTEGER;
UPDATE tasks SET result = (SELECT rowid FROM results_v1 WHERE results_v1.key = tasks.key);
DROP TABLE results_v1;
UPDATE meta SET v = '2' WHERE k = 'store_version';
`;
/** How often the checkpointer thread copies the WAL into the database file, ms. */
const CHECKPOINT_EVERY_MS = 100;
/** WAL pages (frames) past which the checkpointer has the WAL start over (see {@link WalPause}): 64 MiB of 4 KiB pages. */
const WAL_RESTART_PAGES = 16_384;

/**
 * The store's checkpointer, run on its own thread: every 100 ms a PASSIVE checkpoint
 * (which never blocks the coordinator's writes) copies the WAL into the database file,
 * so the coordinator's thread never runs one itself. A checkpoint of a full WAL, fsyncs
 * included, stalled its event loop for a few hundred ms: status calls and leases waited
 * behind it. Short intervals matter too: a checkpoint first fsyncs the WAL, and the
 * coordinator's next append to a page still being written back waits for that I/O (the
 * kernel's stable pages); at 500 ms, with ~7 MB to write back, those waits were 50–130 ms
 * stalls of its thread (sampled in /proc: D state in folio_wait_bit, ~1 % of its time);
 * at 100 ms they all but vanished. Past {@link WAL_RESTART_PAGES} it also has the WAL start
 * over, through the writers' {@link WalPause}. Plain CommonJS, so the thread needs no TypeScript loader.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.path, { fileMustExist: true });
} catch {
  // The store was closed (and its file removed) before this thread started: nothing to do.
  process.exit(0);
}
const pause = new Int32Array(workerData.pause);
const nap = new Int32Array(new SharedArrayBuffer(4));
const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)')[0];
let rest = 0;
const timer = setInterval(() => {
  try {
    const r = checkpoint();
    // Past the limit, with every frame this checkpoint saw copied (a reader holding an old snapshot,
    // e.g. an export from the store file, keeps frames from being copied: no pause would help then).
    if (r.log < workerData.restartPages || r.checkpointed < r.log) return;
    if (rest > 0) {
      rest--;
      return;
    }
    // The writers hold off (WalPause) while the last frames are copied, so the next transaction starts the WAL over.
    Atomics.store(pause, 0, 1);
    try {
      const until = Date.now() + workerData.pauseMs;
      // The transactions in progress end first (each writer counts itself in slot 1 while in one).
      for (let n; (n = Atomics.load(pause, 1)) !== 0 && Date.now() < until;) Atomics.wait(pause, 1, n, Math.max(1, until - Date.now()));
      let c = checkpoint();
      for (; c.checkpointed < c.log && Date.now() < until; c = checkpoint()) Atomics.wait(nap, 0, 0, 1);
      // Not done in time (a reader came in): no new pause for the next 10 rounds.
      if (c.checkpointed < c.log) rest = 10;
    } finally {
      Atomics.store(pause, 0, 0);
      Atomics.notify(pause, 0);
    }
  } catch { /* busy or closing: the next tick, or the close, checkpoints */ }
}, workerData.everyMs);
parentPort.once('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

const sweepRowSchema = z.object({
  id: z.number().int(), name: z.string(), definition: z.string(), sim_version: z.string(), total: z.number().int(),
  done: z.number().int(), failed: z.number().int(), cancelled: z.number().int(), cached: z.number().int(),
  computed: z.number().int(), state: z.enum(['running', 'done', 'failed', 'cancelled']), created_at: z.string(),
  finished_at: z.string().nullable(),
});
const definitionSchema = z.object({
  name: z.string(),
  grid: z.object({ axes: z.record(z.string(), z.array(z.any())), fixed: z.record(z.string(), z.any()) }),
  maxAttempts: z.number().int().min(1),
});

/** Thrown when a store file is not one of ours or is from a newer version. */
export class StoreError extends Error {
  constructor(
    readonly code: 'STORE_VERSION' | 'STORE_OPEN' | 'NO_SUCH_SWEEP' | 'STORE_IN_USE' | 'STORE_GONE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

const now = () => new Date().toISOString();

/**
 * The durable store: SQLite in WAL mode (orchestration spec §5). One
 * connection, used from one thread; the coordinator batches writes in
 * transactions. Rows read from disk are parsed (zod) at this edge.
 */
export class Store {
  readonly db: Database.Database;
  private readonly stmts;
  private checkpointer: Worker | undefined;
  /** The temporary directory of the copy a reader reads when the store sits on read-only media. */
  private copyDir: string | undefined;
  /** Gives up this process's claim on the store (writers only; see {@link claimStore}). */
  private release: () => void = () => undefined;
  /** The checkpointer's request to this store's writers to hold off a moment (see {@link WalPause}). */
  readonly walPause = new WalPause();
  /** A writer's file (device and inode), to notice it deleted or replaced under it ({@link fileGone}). */
  private file: { readonly dev: number; readonly ino: number } | undefined;

  /** `walRestartPages`: WAL pages past which the WAL starts over (tests make it small). */
  constructor(
    readonly path: string,
    options: { readonly readonly?: boolean; readonly walRestartPages?: number } = {},
  ) {
    try {
      this.db = openDb(path, options.readonly === true);
    } catch (err) {
      if (!(options.readonly && (err as { code?: string }).code === 'SQLITE_CANTOPEN' && existsSync(path) && !writable(dirname(path)))) {
        throw new StoreError('STORE_OPEN', `cannot open store ${path}: ${(err as Error).message}`, { cause: err });
      }
      // A store in WAL mode on read-only media (an archive): SQLite must create its -shm file
      // next to it even to read, and cannot. A copy in the temporary directory reads instead.
      this.copyDir = mkdtempSync(join(tmpdir(), 'sdpo-store-'));
      try {
        const copy = join(this.copyDir, 'store.db');
        copyFileSync(path, copy);
        if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
        this.db = openDb(copy, true);
      } catch (e) {
        rmSync(this.copyDir, { recursive: true, force: true });
        throw new StoreError('STORE_OPEN', `cannot open store ${path} (on read-only media; reading a copy failed too): ${(e as Error).message}`, { cause: e });
      }
    }
    try {
      this.db.pragma('busy_timeout = 5000');
      // The version is read before anything is written: a file this sdpo cannot use is left exactly as it was.
      let v: string | undefined;
      try {
        v = this.version();
      } catch (err) {
        this.db.close();
        throw new StoreError('STORE_OPEN', `cannot open store ${path}: ${(err as Error).message}`, { cause: err });
      }
      // A database of something else: adopting it would add our tables to it and switch it to WAL.
      const foreign = v === undefined ? (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' LIMIT 3").pluck().all() as string[]) : [];
      if (foreign.length > 0) {
        this.db.close();
        throw new StoreError('STORE_OPEN', `${path} is an SQLite database that is not an sdpo store (it has tables ${foreign.join(', ')}…); give another --store`);
      }
      if (v !== undefined && v !== STORE_VERSION && !(v === '1' && !options.readonly)) {
        this.db.close();
        throw new StoreError(
          'STORE_VERSION',
          v === '1'
            ? `${path}: store version 1, from an older sdpo; this sdpo reads version ${STORE_VERSION}. Start a coordinator on it once (\`sdpo coordinator --store ${path}\`, then Ctrl-C) to upgrade it in place`
            : `${path}: store version ${v}, this sdpo reads version ${STORE_VERSION}`,
        );
      }
      if (!options.readonly) {
        try {
          this.release = claimStore(path, (message) => new StoreError('STORE_IN_USE', message));
        } catch (err) {
          this.db.close();
          throw err instanceof StoreError ? err : new StoreError('STORE_OPEN', `cannot claim store ${path}: ${(err as Error).message}`, { cause: err });
        }
        try {
          this.db.pragma('journal_mode = WAL');
          tuneWriter(this.db);
          this.db.transaction(() => {
            // Read again under the write lock: another process may have upgraded it meanwhile.
            if (v === '1' && this.version() === '1') this.db.exec(MIGRATE_1_TO_2);
            this.db.exec(SCHEMA);
            // Written every time, even when it is there: a file SQLite opened read-only (read-only
          // media) fails here, with the store named, instead of at the scheduler's first write.
          this.db.prepare('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)').run('store_version', STORE_VERSION);
          }).immediate();
        } catch (err) {
          // E.g. a read-only file: give the claim back, and say what failed.
          this.db.close();
          this.release();
          throw new StoreError('STORE_OPEN', `cannot write to store ${path}: ${(err as Error).message}`, { cause: err });
        }
      }
      if (!options.readonly) {
        const st = statSync(path);
        this.file = { dev: st.dev, ino: st.ino };
        this.checkpointer = new Worker(CHECKPOINTER, {
          eval: true,
          workerData: {
            driver: createRequire(import.meta.url).resolve('better-sqlite3'), path, everyMs: CHECKPOINT_EVERY_MS,
            pause: this.walPause.buffer, pauseMs: WAL_PAUSE_MAX_MS, restartPages: options.walRestartPages ?? WAL_RESTART_PAGES,
          },
        });
        this.checkpointer.unref();
        // Best effort: a checkpointer that fails leaves the checkpoints to this connection (backstop and close).
        this.checkpointer.on('error', () => undefined);
      }
      this.stmts = {
        sweepByName: this.db.prepare('SELECT * FROM sweeps WHERE name = ?'),
        sweepById: this.db.prepare('SELECT * FROM sweeps WHERE id = ?'),
        sweeps: this.db.prepare('SELECT * FROM sweeps ORDER BY id'),
        resultBody: this.db.prepare('SELECT r.body AS body, r.wall_ms AS wall_ms FROM tasks t JOIN results r ON r.id = t.result WHERE t.key = ? LIMIT 1'),
      };
    } catch (err) {
      // The copy a reader made is removed with the store that failed to open.
      if (this.copyDir) rmSync(this.copyDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The stored `store_version`, or undefined in a new (or not yet initialized) file. */
  private version(): string | undefined {
    const hasMeta = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").pluck().get() !== undefined;
    return hasMeta ? (this.db.prepare('SELECT v FROM meta WHERE k = ?').pluck().get('store_version') as string | undefined) : undefined;
  }

  /** Every sweep, oldest first. */
  listSweeps(): SweepRow[] {
    return this.stmts.sweeps.all().map(parseSweepRow);
  }

  /** The sweep named `name`, or undefined. */
  getSweep(name: string): SweepRow | undefined {
    const row = this.stmts.sweepByName.get(name);
    return row === undefined ? undefined : parseSweepRow(row);
  }

  /** The sweep with id `id` (throws if none). */
  sweepById(id: number): SweepRow {
    const row = this.stmts.sweepById.get(id);
    if (row === undefined) throw new StoreError('NO_SUCH_SWEEP', `no sweep with id ${id}`);
    return parseSweepRow(row);
  }

  private requireSweep(name: string): SweepRow {
    const s = this.getSweep(name);
    if (!s) throw new StoreError('NO_SUCH_SWEEP', `no sweep named '${name}' in ${this.path} (sweeps: ${this.listSweeps().map((x) => x.name).join(', ') || 'none'})`);
    return s;
  }

  /**
   * Iterates a sweep's stored results in grid order (index ascending), one
   * row at a time; tasks without a result (pending, failed, cancelled) are skipped
   * (a task cancelled while its run was in flight for another sweep too keeps the result).
   */
  *iterateResults(name: string): Generator<{ index: number; key: string; result: RunResult }> {
    const s = this.requireSweep(name);
    const stmt = this.db.prepare(
      'SELECT t.idx AS idx, t.key AS key, r.body AS body, r.wall_ms AS wall_ms FROM tasks t JOIN results r ON r.id = t.result WHERE t.sweep_id = ? ORDER BY t.idx',
    );
    for (const row of stmt.iterate(s.id) as IterableIterator<{ idx: number; key: Buffer; body: Buffer; wall_ms: number }>) {
      yield { index: row.idx, key: row.key.toString('hex'), result: decodeResultBody(row.body, row.wall_ms) };
    }
  }

  /** A sweep's results in grid order (deterministic). For large sweeps prefer {@link iterateResults}. */
  sweepResults(name: string): RunResult[] {
    return Array.from(this.iterateResults(name), (r) => r.result);
  }

  /** The stored result for a task key (hex), or undefined. */
  resultByKey(key: string): RunResult | undefined {
    const row = this.stmts.resultBody.get(Buffer.from(key, 'hex')) as { body: Buffer; wall_ms: number } | undefined;
    return row ? decodeResultBody(row.body, row.wall_ms) : undefined;
  }

  /**
   * Permanently failed tasks of a sweep with their last error, in grid order. A row failed because
   * another row with its key (in this sweep or another) failed has no failure of its own: it takes
   * the last failure of its key.
   */
  failedTasks(name: string, limit = 100): FailedTaskRow[] {
    const s = this.requireSweep(name);
    const rows = this.db
      .prepare(
        `SELECT t.idx AS idx, t.key AS key, f.code AS code, f.message AS message FROM tasks t
         LEFT JOIN failures f ON f.id = coalesce(
           (SELECT max(id) FROM failures WHERE sweep_id = t.sweep_id AND idx = t.idx),
           (SELECT max(id) FROM failures WHERE key = t.key))
         WHERE t.sweep_id = ? AND t.state = ? ORDER BY t.idx LIMIT ?`,
      )
      .all(s.id, TASK.failed, limit) as { idx: number; key: Buffer; code: string | null; message: string | null }[];
    return rows.map((r) => ({ index: r.idx, key: r.key.toString('hex'), code: r.code ?? 'UNKNOWN', message: r.message ?? '' }));
  }

  /** Counts of events of `kind` for a sweep (e.g. 'result' = results computed for it). */
  countEvents(name: string, kind: string): number {
    const s = this.requireSweep(name);
    return this.db.prepare('SELECT count(*) FROM events WHERE sweep_id = ? AND kind = ?').pluck().get(s.id, kind) as number;
  }

  /**
   * Why the file at this writer's path is no longer the one it has open (deleted, or replaced by
   * another file), else undefined. SQLite goes on writing an unlinked file without an error: every
   * result committed after that is lost when the process ends (an audit deleted a store under a
   * coordinator, which went on acknowledging 1,300 results).
   */
  fileGone(): string | undefined {
    if (!this.file) return undefined;
    let st;
    try {
      st = statSync(this.path);
    } catch (err) {
      return (err as { code?: string }).code === 'ENOENT' ? `the store ${this.path} was deleted while this process had it open` : undefined;
    }
    return st.dev === this.file.dev && st.ino === this.file.ino ? undefined : `the store ${this.path} was replaced by another file while this process had it open`;
  }

  /** Closes the store (its last checkpoint runs here); the checkpointer thread is told to stop first. */
  close(): void {
    this.checkpointer?.postMessage('stop');
    this.checkpointer = undefined;
    if (this.db.open) this.db.close();
    this.release();
    if (this.copyDir) rmSync(this.copyDir, { recursive: true, force: true });
  }
}

/**
 * Opens the SQLite file; a reader reads once, so that a file it cannot read fails here.
 *
 * A reader opens it read-write with `query_only`, so it changes nothing, but it can still
 * do what SQLite does when the last connection to a WAL-mode file closes: remove the
 * `-wal` and `-shm` files (after checkpointing what a crashed writer left in the WAL).
 * A read-only connection cannot, so it left them behind. Where read-write is refused
 * (a write-protected file or directory), it opens read-only, as before.
 */
function openDb(path: string, readonly: boolean): Database.Database {
  if (!readonly) return new Database(path);
  try {
    return readOnce(new Database(path, { fileMustExist: true }), true);
  } catch {
    return readOnce(new Database(path, { readonly: true, fileMustExist: true }), false);
  }
}

function readOnce(db: Database.Database, queryOnly: boolean): Database.Database {
  try {
    if (queryOnly) db.pragma('query_only = ON');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Whether this process may create files in `dir`. */
function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Parses a `sweeps` row (the stored definition included). */
export function parseSweepRow(row: unknown): SweepRow {
  const r = sweepRowSchema.parse(row);
  const definition = definitionSchema.parse(JSON.parse(r.definition)) as SweepDefinition;
  return {
    id: r.id, name: r.name, definition, simVersion: r.sim_version, total: r.total, done: r.done, failed: r.failed,
    cancelled: r.cancelled, cached: r.cached, computed: r.computed, state: r.state, createdAt: r.created_at, finishedAt: r.finished_at,
  };
}

/** The stored text of a definition: canonical JSON, so equal grids compare equal. */
export function definitionText(def: SweepDefinition): string {
  return canonicalJson(def);
}

export { now as isoNow };

/**
 * Opens a store for reading (the report's entry point): `listSweeps()`,
 * `sweepResults(name)` in grid order, exports. Creates nothing; the file must exist.
 */
export function openStore(path: string): Store {
  return new Store(path, { readonly: true });
}
