import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Logger } from 'pino';
import {
  canonicalResult, configAt, encodeLease, encodeResultBody, expandSweep, resultFromBytes, resultFromWire, taskKey, ProtocolError,
  type SweepDefinition, type CoordinatorMessage, type LeaseTask,
} from '@sdpo/protocol';
import { gridSize, SIM_VERSION, type RunConfig } from '@sdpo/sim';
import { definitionText, isoNow, Store, StoreError, TASK, type SweepRow, type SweepState } from './store.js';
import { CoordinatorError } from './errors.js';
import { SubmitStopped, SubmitThread, yieldTurns, type WrittenRows } from './submit-thread.js';
import { keysOf, TaskRows } from './task-rows.js';

/** Scheduler tuning; every period in ms. */
export interface SchedulerOptions {
  /** A lease lapses this long after the worker's last message (default 60 000 ms). */
  readonly leaseMs?: number;
  /** Workers send a heartbeat this often (default 5 000 ms). */
  readonly heartbeatMs?: number;
  /**
   * A task is marked failed (WORKER_LOST) once its worker was lost this many
   * times while running it: the stream broke or the lease expired (default 5).
   */
  readonly maxLost?: number;
  readonly logger: Logger;
  /** Defaults to @sdpo/sim's SIM_VERSION; tests may pin another. */
  readonly simVersion?: string;
  /**
   * Schedule every unfinished sweep in the store at start (default true).
   * Embedded runs pass false: they work on the sweep they submit, which
   * resumes on its own when resubmitted.
   */
  readonly resume?: boolean;
  /**
   * Grids of at least this many tasks are written by a thread of their own, the submit thread,
   * while this thread expands them (default {@link SUBMIT_THREAD_MIN}).
   */
  readonly submitThreadMin?: number;
  /**
   * While the submit thread is not up, only grids of at least this many tasks wait for it
   * to start; smaller ones are written inline and start it for the next submit
   * (default {@link SUBMIT_THREAD_WAIT_MIN}).
   */
  readonly submitThreadWait?: number;
}

/** Progress of one sweep, as `status` shows it. */
export interface SweepProgress {
  readonly name: string;
  readonly state: SweepState;
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly cached: number;
  readonly computed: number;
  readonly inFlight: number;
  readonly workers: number;
  /** Results per second over the last minute. */
  readonly rate: number;
  /** Seconds left at that rate; NaN when unknown. */
  readonly etaSeconds: number;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly simVersion: string;
  readonly definition: SweepDefinition;
}

/** A connected worker as the scheduler sees it. */
export interface WorkerView {
  readonly workerId: string;
  readonly name: string;
  readonly threads: number;
  readonly inFlight: number;
  readonly completed: number;
}

/** Where the scheduler sends messages for one worker (the gRPC stream, or a test double). */
export interface WorkerSink {
  send(msg: CoordinatorMessage): void;
  /** Ends the worker's stream with an error status (lease expiry). */
  abort(reason: string): void;
}

interface TaskRef {
  readonly sweepId: number;
  readonly idx: number;
  readonly key: string;
  attempts: number;
  fails: number;
  /** Leases lost with their worker (stream broken, lease expired) in this coordinator's life. */
  lost: number;
}

interface Inflight extends TaskRef {
  /** The config as leased: a result must carry exactly this config. */
  readonly config: RunConfig;
  /** Its encoding as the Lease carried it (a view of the Lease's bytes). */
  readonly leased: Uint8Array;
  readonly leaseId: string;
  readonly attempt: number;
  readonly workerId: string;
}

/** An accepted result waiting for the commit: its lease and its canonical stored body. */
interface Commit {
  readonly inf: Inflight;
  readonly body: Uint8Array;
  readonly wallMs: number;
}

interface WorkerState {
  readonly id: string;
  readonly name: string;
  readonly threads: number;
  readonly sink: WorkerSink;
  credits: number;
  readonly inflight: Set<string>;
  lastSeen: number;
  completed: number;
  draining: boolean;
  /** Running a task that was lost before, alone: nothing more is leased to it until it is empty. */
  isolating: boolean;
  /** Its credits wait in `credited` to be leased against. */
  creditQueued: boolean;
}

interface SweepRuntime {
  row: Mutable<SweepRow>;
  /** Next grid index to read pending tasks from. */
  cursor: number;
  exhausted: boolean;
  samples: { t: number; done: number }[];
  /**
   * False only when no other task row has one of this sweep's keys: known for a
   * sweep submitted in this coordinator's life (its submit looks every key up,
   * and a later submit sharing a key sets it); a resumed sweep is assumed to share.
   * A result of a sweep that shares no keys is stored without the key-index probe.
   */
  sharesKeys: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const REFILL = 1024;
/**
 * Losses after which a task runs alone. One loss is most often a node that
 * went away, and running every task it held alone would slow recovery; a
 * second loss of the same task is suspicious. Tasks that shared a crashing
 * task's first two runs reach two losses with it, then run alone and pass,
 * so with --max-lost of 3 or more only the crashing task is failed.
 */
const ISOLATE_AFTER_LOSSES = 2;
/**
 * A submit written inline (a small grid) writes its task rows in transactions of about this
 * many ms of inserts, yielding to the event loop between them; the commit adds about as much
 * again (it rewrites the key-index pages its rows touched). Shorter slices cost throughput:
 * a 1,000,000-task submit took 46 s in 25 ms slices, 33 s in 100 ms ones, 32 s in one
 * transaction (measured, before the submit thread).
 */
const SUBMIT_SLICE_MS = 20;

/** The error of a submit that a shutdown cut short. */
const shutDownMidSubmit = () => new CoordinatorError('SHUTTING_DOWN', 'the coordinator shut down while the sweep was being submitted; submit it again');

/** Grids of at least this many tasks are written by the submit thread (see {@link SubmitThread}). */
const SUBMIT_THREAD_MIN = 10_000;
/**
 * ... but while the thread is not up, only grids this large wait for it to start: starting
 * it (0.24 s built, 0.7 s under tsx) costs less than writing 200,000 rows inline (about 4 s).
 */
const SUBMIT_THREAD_WAIT_MIN = 200_000;
/**
 * Per turn of the event loop, at most about this many tasks are leased and this many
 * results committed (whole batches, so a turn may run over). A status call waits for
 * about two turns (its response's trailers go out a turn after its message), so turns
 * are kept short. Status p99 under 200 simulated workers (measured): one budget shared
 * by leases and commits, 86–144 ms at 128 and 50–127 ms at 64; one each, 64: 47–85 ms.
 */
const RESULT_SLICE = 64;
/**
 * Results stored per multi-row statement (6 values a row, far below SQLite's 32,766).
 * One statement for 64 rows instead of 64 statements: in a benchmark of the commit
 * path, 12 µs of SQLite per result instead of 22 µs.
 */
const COMMIT_CHUNK = 64;

/** No task is leased for this long after results could not be committed (a full disk), ms; see `holdLeases`. */
const STORE_HOLD_FIRST_MS = 1000;
/** The longest such wait, ms: the time it may take leasing to resume once space is freed. */
const STORE_HOLD_MAX_MS = 30_000;

/** One result as a worker reported it: its RunResult as protobuf bytes (or a decoded wire object). */
export interface InboundResult {
  readonly key: string;
  readonly leaseId: string;
  readonly attempt: number;
  readonly result: unknown;
}

/** What the coordinator answers to a batch of results. */
export interface Ack {
  readonly accepted: string[];
  readonly rejected: string[];
}

type FailureReport = { key: string; leaseId: string; attempt: number; code: string; message: string };

interface QueuedResults {
  readonly workerId: string;
  readonly batch: readonly InboundResult[];
  readonly reply: (ack: Ack) => void;
}

/**
 * The scheduler: sweeps, credit-based leasing, fencing, retries and the
 * store writes behind them. Single-threaded: every handler runs to
 * completion, and each batch of results is committed in one transaction
 * before it is acknowledged.
 *
 * Emits `progress` (sweep name) after every change of counts.
 */
export class Scheduler extends EventEmitter {
  readonly leaseMs: number;
  private readonly submitThreadMin: number;
  private readonly submitThreadWait: number;
  private readonly submitThread = new SubmitThread();
  readonly heartbeatMs: number;
  readonly maxLost: number;
  readonly simVersion: string;
  private readonly log: Logger;
  /** Every lease is logged at debug level; checked once, as leases are the hottest path. */
  private readonly logLeases: boolean;
  private readonly sweeps = new Map<number, SweepRuntime>();
  /** The rate (tasks/s) of each sweep that stopped running in this process, when it stopped. */
  private readonly lastRates = new Map<number, number>();
  private readonly workers = new Map<string, WorkerState>();
  private readonly inflight = new Map<string, Inflight>();
  private ready: TaskRef[] = [];
  private readyHead = 0;
  private retry: TaskRef[] = [];
  /**
   * Keys settled (cached or failed) by another task since `ready` was loaded:
   * the only way a task read as pending from the store stops being pending
   * while it waits there, so `take` needs no store query for ready tasks.
   */
  private readonly settled = new Set<string>();
  private readonly epoch = randomBytes(4).toString('hex');
  private leaseCounter = 0;
  private workerCounter = 0;
  private pumpScheduled = false;
  private closed = false;
  /**
   * Set from a failed commit of results (a full disk) until one holds: while
   * `timer` runs no task is leased (see {@link holdLeases}). Before, every failed
   * commit requeued its tasks, which were leased again at once: the coordinator
   * looped, logging ~30 errors a second, while the workers recomputed them.
   */
  private storeTrouble: { waitMs: number; failures: number; timer: NodeJS.Timeout | undefined } | undefined;
  /** Set once the store's file is found deleted or replaced under this process ({@link Store.fileGone}): every write is refused. */
  private storeGone: string | undefined;
  private submitQueue: Promise<unknown> = Promise.resolve();
  /** The sweep being submitted (its row does not exist yet): its id, whether the submit thread writes it, and its rows that results completed or failed meanwhile. */
  private building: { readonly id: number; readonly threaded: boolean; cachedLater: number; failedLater: number } | undefined;
  /**
   * The worker that takes no new work until it is empty, so that a task lost
   * before (which runs only on an empty worker) cannot starve behind busy ones.
   */
  private reserved: string | undefined;
  /** Workers with new credits to lease against, and result batches to commit, each in arrival order. */
  private readonly credited: string[] = [];
  private readonly resultQueue: QueuedResults[] = [];
  private inboundScheduled = false;
  /** Whether queued results wait for the end of the checkpointer's pause (see afterWalPause). */
  private waitingForWal = false;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly q;
  private readonly chunkStmts = new Map<number, { shared: Statement; insert: Statement; complete: Statement; events: Statement }>();

  constructor(
    readonly store: Store,
    options: SchedulerOptions,
  ) {
    super();
    this.leaseMs = options.leaseMs ?? 60_000;
    this.submitThreadMin = options.submitThreadMin ?? SUBMIT_THREAD_MIN;
    this.submitThreadWait = options.submitThreadWait ?? SUBMIT_THREAD_WAIT_MIN;
    this.heartbeatMs = options.heartbeatMs ?? 5_000;
    this.maxLost = options.maxLost ?? 5;
    this.simVersion = options.simVersion ?? SIM_VERSION;
    this.log = options.logger;
    this.logLeases = this.log.isLevelEnabled('debug');
    const db = store.db;
    this.q = {
      insertSweep: db.prepare(
        `INSERT INTO sweeps (id, name, definition, sim_version, total, state, created_at) VALUES (?, ?, ?, ?, ?, 'running', ?)`,
      ),
      maxSweepId: db.prepare('SELECT coalesce(max(id), 0) FROM sweeps').pluck(),
      deleteTasks: db.prepare('DELETE FROM tasks WHERE sweep_id = ?'),
      cacheUnloaded: db.prepare(
        "UPDATE sweeps SET done = done + 1, cached = cached + 1 WHERE id = ? AND state = 'running' RETURNING name, done, failed, cancelled, total",
      ),
      failUnloaded: db.prepare("UPDATE sweeps SET failed = failed + 1 WHERE id = ? AND state = 'running' RETURNING name, done, failed, cancelled, total"),
      finishUnloaded: db.prepare('UPDATE sweeps SET state = ?, finished_at = ? WHERE id = ?'),
      countStates: db.prepare('SELECT state, count(*) FROM tasks WHERE sweep_id = ? GROUP BY state').raw(),
      resultId: db.prepare('SELECT result FROM tasks WHERE key = ? AND result IS NOT NULL LIMIT 1').pluck(),
      saveCounts: db.prepare(
        'UPDATE sweeps SET done = ?, failed = ?, cancelled = ?, cached = ?, computed = ?, state = ?, finished_at = ? WHERE id = ?',
      ),
      // Rows as arrays, keys as hex text from SQLite: half the cost of objects holding a Buffer per key.
      pending: db
        .prepare('SELECT idx, lower(hex(key)), attempts, fails FROM tasks WHERE sweep_id = ? AND idx >= ? AND state = 0 ORDER BY idx LIMIT ?')
        .raw(),
      taskState: db.prepare('SELECT state FROM tasks WHERE sweep_id = ? AND idx = ?').pluck(),
      insertResult: db.prepare('INSERT INTO results (key, sim_version, body, wall_ms, worker, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      resultBody: db.prepare('SELECT r.body FROM tasks t JOIN results r ON r.id = t.result WHERE t.key = ? LIMIT 1').pluck(),
      resultBodyById: db.prepare('SELECT body FROM results WHERE id = ?').pluck(),
      completeTask: db.prepare(`UPDATE tasks SET state = ${TASK.computed}, attempts = ?, result = ? WHERE sweep_id = ? AND idx = ? AND state = 0`),
      linkResult: db.prepare('UPDATE tasks SET result = ? WHERE sweep_id = ? AND idx = ? AND result IS NULL'),
      cacheKey: db.prepare(`UPDATE tasks SET state = ${TASK.cached}, result = ? WHERE key = ? AND state = 0 RETURNING sweep_id`),
      failKey: db.prepare(`UPDATE tasks SET state = ${TASK.failed} WHERE key = ? AND state = 0 RETURNING sweep_id`),
      saveAttempts: db.prepare('UPDATE tasks SET attempts = ?, fails = ? WHERE sweep_id = ? AND idx = ?'),
      insertFailure: db.prepare(
        'INSERT INTO failures (sweep_id, idx, key, attempt, worker, code, message, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      event: db.prepare('INSERT INTO events (at, kind, sweep_id, key, worker, detail) VALUES (?, ?, ?, ?, ?, ?)'),
      cancelTasks: db.prepare(`UPDATE tasks SET state = ${TASK.cancelled} WHERE sweep_id = ? AND state = 0`),
      pendingWithKey: db.prepare('SELECT 1 FROM tasks WHERE key = ? AND state = 0 AND sweep_id != ? LIMIT 1').pluck(),
      pendingRowsWithKey: db.prepare('SELECT sweep_id, idx FROM tasks WHERE key = ? AND state = 0 AND sweep_id != ?').raw(),
    };
    // Task rows of a submit that never finished (the coordinator died mid-way) sit past the last sweep id.
    const orphans = db.prepare('DELETE FROM tasks WHERE sweep_id > ?').run(this.q.maxSweepId.get()).changes;
    if (orphans > 0) this.log.warn({ tasks: orphans }, 'dropped the task rows of a submit that did not finish');
    // Resume: every unfinished sweep of this simVersion is scheduled again from its first pending task.
    for (const row of options.resume === false ? [] : store.listSweeps()) {
      if (row.state !== 'running') continue;
      if (row.simVersion !== this.simVersion) {
        this.log.warn({ sweep: row.name, simVersion: row.simVersion }, 'unfinished sweep from another simVersion is not resumed');
        continue;
      }
      this.resumeSweep(row);
    }
    this.expiryTimer = setInterval(() => this.expireLeases(), Math.min(1000, Math.max(50, this.leaseMs / 4)));
    this.expiryTimer.unref();
  }

  // ---- sweeps -----------------------------------------------------------

  /**
   * Submits a sweep. Idempotent: the same name with the same grid returns
   * the existing sweep (resuming it if unfinished); the same name with a
   * different grid is an error. Tasks whose key already has a result (from
   * any sweep) are marked cached and never run.
   *
   * A grid's rows are written in slices, each its own transaction: a big grid's by
   * the submit thread ({@link SubmitThread}), a small one's here, in slices of about
   * {@link SUBMIT_SLICE_MS}; so the coordinator keeps serving workers and status
   * calls while a million tasks go in. Until the last slice commits the sweep
   * row does not exist: its task rows are invisible, an invalid cell
   * anywhere deletes them again, and a coordinator that dies meanwhile drops
   * them at its next start. Submits run one at a time.
   */
  submit(def: SweepDefinition): Promise<{ progress: SweepProgress; created: boolean }> {
    const run = this.submitQueue.then(() => this.submitNow(def));
    this.submitQueue = run.catch(() => undefined);
    return run;
  }

  private async submitNow(def: SweepDefinition): Promise<{ progress: SweepProgress; created: boolean }> {
    const text = definitionText(def);
    const existing = this.store.getSweep(def.name);
    if (existing) {
      if (definitionText(existing.definition) !== text || existing.simVersion !== this.simVersion) {
        throw new CoordinatorError(
          'SWEEP_EXISTS',
          `a sweep named '${def.name}' already exists with a different ${existing.simVersion !== this.simVersion ? `simVersion (${existing.simVersion})` : 'grid'}; give the new grid another name (cached results are reused across sweeps)`,
        );
      }
      if (existing.state === 'running' && !this.sweeps.has(existing.id)) {
        this.resumeSweep(existing);
        this.schedulePump();
      }
      return { progress: this.progress(def.name), created: false };
    }
    if (this.closed) throw new CoordinatorError('SHUTTING_DOWN', 'the coordinator is shutting down; submit again to the next one');
    const total = gridSize(def.grid);
    const t0 = performance.now();
    // The id the sweep row will take; its task rows are written under it first.
    const id = (this.q.maxSweepId.get() as number) + 1;
    const threaded = total >= this.submitThreadMin && (this.submitThread.warm || total >= this.submitThreadWait);
    // A big grid that does not wait for the thread to start warms it up for the next submit.
    if (!threaded && total >= this.submitThreadMin) {
      this.submitThread.warmUp((err) => this.log.warn({ err: err.message }, 'the submit thread did not start; big grids are written inline'));
    }
    this.building = { id, threaded, cachedLater: 0, failedLater: 0 };
    let sharesKeys: boolean;
    try {
      const written = threaded ? await this.writeOnThread(def, id) : await this.writeInline(def, id);
      if (this.closed) throw shutDownMidSubmit();
      sharesKeys = written.sharesKeys;
      this.markSharing(written.others);
      this.write(() => {
        // Cache hits when written, plus rows that results completed or failed since (counted by commitResults and failTask).
        const cached = written.hits + this.building!.cachedLater;
        const failed = this.building!.failedLater;
        const state: SweepState = cached + failed < total ? 'running' : failed > 0 ? 'failed' : 'done';
        this.q.insertSweep.run(id, def.name, text, this.simVersion, total, isoNow());
        this.q.saveCounts.run(cached, failed, 0, cached, 0, state, state === 'running' ? null : isoNow(), id);
        this.q.event.run(isoNow(), 'submitted', id, null, null, JSON.stringify({ total, cached }));
      });
    } catch (err) {
      // A store already closed (shutdown) keeps them until the next start drops them.
      if (this.store.db.open) this.write(() => this.q.deleteTasks.run(id));
      // A shutdown that stopped the submit thread is reported as the shutdown.
      if (this.closed && !(err instanceof CoordinatorError)) throw shutDownMidSubmit();
      throw err;
    } finally {
      this.building = undefined;
    }
    const row = this.store.sweepById(id);
    this.log.info({ sweep: def.name, total, cached: row.cached, ms: Math.round(performance.now() - t0), written: threaded ? 'thread' : 'inline' }, 'sweep submitted');
    // Its definition is the object just submitted: leases share its resolver.
    if (row.state === 'running') this.sweeps.set(id, { row: { ...row, definition: def }, cursor: 0, exhausted: false, samples: [{ t: Date.now(), done: row.done }], sharesKeys });
    this.emit('progress', def.name);
    this.schedulePump();
    return { progress: this.progress(def.name), created: true };
  }

  /**
   * Writes a grid's task rows on this thread in slices of about {@link SUBMIT_SLICE_MS},
   * yielding to the event loop between them. Another sweep found sharing a key hears it
   * at once: its results then look for this sweep's rows.
   */
  private async writeInline(def: SweepDefinition, id: number): Promise<WrittenRows> {
    const rows = new TaskRows(this.store.db, id, keysOf(expandSweep(def, this.simVersion)));
    for (;;) {
      // The checkpointer's pause (a few ms): waited for without blocking the event loop.
      await this.store.walPause.over();
      const until = performance.now() + SUBMIT_SLICE_MS;
      const finished = this.store.walPause.run(() => rows.slice(() => this.store.walPause.on || performance.now() > until), 0);
      this.markSharing(rows.takeOthers());
      // The other sweeps sharing keys have heard it already.
      if (finished) return { hits: rows.hits, sharesKeys: rows.sharesKeys, others: [] };
      await yieldTurns();
      if (this.closed) throw shutDownMidSubmit();
    }
  }

  /** Marks sweeps found holding a key of the sweep being submitted: their results then look for its rows. */
  private markSharing(sweepIds: readonly number[]): void {
    for (const id of sweepIds) {
      const rt = this.sweeps.get(id);
      if (rt) rt.sharesKeys = true;
    }
  }

  /** Writes a grid's task rows on the submit thread; meanwhile every result looks for rows sharing its key (see commitChunk). */
  private async writeOnThread(def: SweepDefinition, id: number): Promise<WrittenRows> {
    try {
      return await this.submitThread.write(expandSweep(def, this.simVersion), id, this.store.path, this.store.walPause.buffer);
    } catch (err) {
      throw err instanceof SubmitStopped ? shutDownMidSubmit() : err;
    }
  }

  /**
   * Runs `fn` as a write transaction; while the submit thread writes, once it is out of its own.
   * It does not wait for the checkpointer's pause (`WalPause` in store-base.ts), which would stop the event
   * loop: the checkpointer waits for it instead. Results, the bulk of the writes, wait for the
   * pause to end without blocking (flushInbound).
   */
  private write<T>(fn: () => T): T {
    if (this.storeGone) throw new StoreError('STORE_GONE', `${this.storeGone}: nothing more is stored; stop this process and start it again`);
    return this.store.walPause.run(() => this.submitThread.hold(() => this.store.db.transaction(fn).immediate()), 0);
  }

  /** Cancels a running sweep: its pending tasks are marked cancelled; running ones are revoked. */
  cancel(name: string): SweepProgress {
    const row = this.store.getSweep(name);
    if (!row) throw new CoordinatorError('NO_SUCH_SWEEP', `no sweep named '${name}'`);
    this.flushInbound(Number.POSITIVE_INFINITY);
    const rt = this.sweeps.get(row.id);
    if (!rt) return this.progress(name);
    const byWorker = new Map<string, string[]>();
    try {
      this.write(() => {
        const n = this.q.cancelTasks.run(row.id).changes;
        rt.row.cancelled += n;
        rt.row.state = 'cancelled';
        rt.row.finishedAt = isoNow();
        this.saveRow(rt);
        this.q.event.run(isoNow(), 'cancelled', row.id, null, null, JSON.stringify({ tasks: n }));
      });
    } catch (err) {
      // Nothing was stored (e.g. a full disk): the sweep runs on, with its counts as stored.
      this.reloadRows(new Set([rt]));
      throw err;
    }
    for (const inf of [...this.inflight.values()]) {
      if (inf.sweepId !== row.id) continue;
      // Another sweep still wants this key: let the lease run to completion for it. Should it fail
      // or be lost, its retry goes to that sweep (see heirOf).
      if (this.q.pendingWithKey.get(Buffer.from(inf.key, 'hex'), row.id) !== undefined) continue;
      this.dropInflight(inf);
      const list = byWorker.get(inf.workerId) ?? [];
      list.push(inf.key);
      byWorker.set(inf.workerId, list);
    }
    for (const [wid, keys] of byWorker) this.workers.get(wid)?.sink.send({ revoke: { leaseId: '', keys } });
    this.retire(rt);
    this.log.info({ sweep: name }, 'sweep cancelled');
    this.emit('progress', name);
    return this.progress(name);
  }

  /** Progress of a sweep (from memory when running, else from the store). */
  progress(name: string): SweepProgress {
    let row: SweepRow | undefined;
    let rt: SweepRuntime | undefined;
    for (const s of this.sweeps.values()) if (s.row.name === name) rt = s;
    row = rt?.row ?? this.store.getSweep(name);
    if (!row) throw new CoordinatorError('NO_SUCH_SWEEP', `no sweep named '${name}'`);
    let inFlight = 0;
    for (const inf of this.inflight.values()) if (inf.sweepId === row.id) inFlight++;
    const rate = rt ? this.rate(rt) : (this.lastRates.get(row.id) ?? 0);
    const left = row.total - row.done - row.failed - row.cancelled;
    return {
      name: row.name, state: row.state, total: row.total, done: row.done, failed: row.failed, cancelled: row.cancelled,
      cached: row.cached, computed: row.computed, inFlight, workers: rt ? this.workers.size : 0, rate,
      etaSeconds: row.state !== 'running' ? 0 : rate > 0 ? left / rate : Number.NaN, createdAt: row.createdAt,
      finishedAt: row.finishedAt, simVersion: row.simVersion, definition: row.definition,
    };
  }

  /** Every sweep in the store, oldest first. */
  list(): SweepProgress[] {
    return this.store.listSweeps().map((r) => this.progress(r.name));
  }

  /** Connected workers. */
  workerViews(): WorkerView[] {
    return [...this.workers.values()].map((w) => ({ workerId: w.id, name: w.name, threads: w.threads, inFlight: w.inflight.size, completed: w.completed }));
  }

  /** A sweep that stopped running leaves memory; its last rate stays for the progress that reports its end. */
  private retire(rt: SweepRuntime): void {
    // Over the sample window (its last minute) up to now: a sweep shorter than a sample step has one sample.
    const a = rt.samples[0];
    const dt = a === undefined ? 0 : Date.now() - a.t;
    this.lastRates.set(rt.row.id, dt > 0 ? ((rt.row.done - a!.done) * 1000) / dt : 0);
    this.sweeps.delete(rt.row.id);
  }

  private rate(rt: SweepRuntime): number {
    const s = rt.samples;
    if (s.length < 2) return 0;
    const a = s[0]!;
    const b = s[s.length - 1]!;
    return b.t > a.t ? ((b.done - a.done) * 1000) / (b.t - a.t) : 0;
  }

  private sample(rt: SweepRuntime): void {
    const t = Date.now();
    const s = rt.samples;
    const last = s[s.length - 1];
    if (last && t - last.t < 250) last.done = rt.row.done, (last.t = t);
    else s.push({ t, done: rt.row.done });
    while (s.length > 2 && t - s[0]!.t > 60_000) s.shift();
  }

  private saveRow(rt: SweepRuntime): void {
    const r = rt.row;
    this.q.saveCounts.run(r.done, r.failed, r.cancelled, r.cached, r.computed, r.state, r.finishedAt, r.id);
  }

  /**
   * Schedules a stored unfinished sweep again. Its counts are taken from its task rows, not
   * from its sweep row: while it was not loaded (a coordinator started without resume, as an
   * embedded run is, or before it was resubmitted), results and failures of another sweep
   * sharing keys settled some of its rows without counting them. One left with nothing to
   * run finishes here.
   */
  private resumeSweep(row: SweepRow): void {
    const rt: SweepRuntime = { row: { ...row }, cursor: 0, exhausted: false, samples: [], sharesKeys: true };
    const r = rt.row;
    const stored = [r.done, r.failed, r.cancelled, r.cached, r.computed].join();
    r.computed = r.cached = r.failed = r.cancelled = 0;
    for (const [state, n] of this.q.countStates.all(r.id) as [number, number][]) {
      if (state === TASK.computed) r.computed = n;
      else if (state === TASK.cached) r.cached = n;
      else if (state === TASK.failed) r.failed = n;
      else if (state === TASK.cancelled) r.cancelled = n;
    }
    r.done = r.computed + r.cached;
    if ([r.done, r.failed, r.cancelled, r.cached, r.computed].join() !== stored) {
      this.log.info({ sweep: r.name, stored, counted: { done: r.done, failed: r.failed, computed: r.computed, cached: r.cached } }, 'recounted a resumed sweep from its tasks');
      this.write(() => {
        this.maybeFinish(rt);
        this.saveRow(rt);
      });
    }
    if (r.state !== 'running') {
      this.emit('progress', r.name);
      return;
    }
    rt.samples.push({ t: Date.now(), done: r.done });
    this.sweeps.set(r.id, rt);
    this.log.info({ sweep: r.name, done: r.done, total: r.total }, 'resuming sweep');
  }

  /** Marks a sweep finished when nothing is left; call inside the write transaction. */
  private maybeFinish(rt: SweepRuntime): void {
    const r = rt.row;
    if (r.state === 'running' && r.done + r.failed + r.cancelled >= r.total) {
      r.state = r.failed > 0 ? 'failed' : 'done';
      r.finishedAt = isoNow();
      this.q.event.run(isoNow(), 'finished', r.id, null, null, JSON.stringify({ state: r.state, done: r.done, failed: r.failed }));
      this.log.info({ sweep: r.name, state: r.state, done: r.done, failed: r.failed, computed: r.computed, cached: r.cached }, 'sweep finished');
    }
  }

  // ---- workers ------------------------------------------------------------

  /** Registers a worker after its Hello; throws VERSION_MISMATCH when it runs another simulation or protocol. */
  addWorker(hello: { name: string; threads: number; simVersion: string; protocolVersion: number }, protocolVersion: number, sink: WorkerSink): string {
    if (hello.simVersion !== this.simVersion) {
      throw new CoordinatorError('VERSION_MISMATCH', `worker '${hello.name}' runs simVersion ${hello.simVersion}, the coordinator ${this.simVersion}; run the same sdpo version on both`);
    }
    if (hello.protocolVersion !== protocolVersion) {
      throw new CoordinatorError('VERSION_MISMATCH', `worker '${hello.name}' speaks protocol version ${hello.protocolVersion}, the coordinator ${protocolVersion}; run the same sdpo version on both`);
    }
    const id = `w${++this.workerCounter}-${this.epoch}`;
    this.workers.set(id, { id, name: hello.name, threads: hello.threads, sink, credits: 0, inflight: new Set(), lastSeen: Date.now(), completed: 0, draining: false, isolating: false, creditQueued: false });
    sink.send({ welcome: { workerId: id, heartbeatMs: this.heartbeatMs, leaseMs: this.leaseMs } });
    this.log.info({ worker: id, name: hello.name, threads: hello.threads }, 'worker joined');
    return id;
  }

  /** Any message from a worker extends its leases. */
  touch(workerId: string): void {
    const w = this.workers.get(workerId);
    if (w) w.lastSeen = Date.now();
  }

  /** A worker grants `n` more credits. */
  credit(workerId: string, n: number, maxCredits: number): void {
    const w = this.workers.get(workerId);
    if (!w) return;
    // Tasks held count too, or a worker repeating Credit{max} could hold any number. A worker's own
    // window is at most maxCredits, but a Credit can arrive before the Results it follows are
    // committed, so tasks answered but not yet committed still count as held: 2 × maxCredits
    // bounds a worker without ever clipping an honest one.
    w.credits = Math.max(0, Math.min(w.credits + n, maxCredits, 2 * maxCredits - w.inflight.size));
    // Leased on a later turn, before that turn's commits, and this worker's results wait
    // while its credit does: the lease goes out before the ack of any Results it sent after
    // this Credit, so a worker that drains and leaves on its last ack has received every
    // task its credits asked for.
    if (!w.creditQueued) {
      w.creditQueued = true;
      this.credited.push(w.id);
      this.scheduleInbound();
    }
  }

  /**
   * The worker's stream closed: its tasks go back to the front of the queue
   * at once, each counting a loss (a draining worker leaves holding nothing).
   * A task lost {@link maxLost} times, as one that crashes its worker's
   * process is every time, is marked failed with WORKER_LOST instead.
   */
  removeWorker(workerId: string, reason: string): void {
    this.flushInbound(Number.POSITIVE_INFINITY, workerId);
    const w = this.workers.get(workerId);
    if (!w) return;
    this.workers.delete(workerId);
    if (this.reserved === workerId) this.reserved = undefined;
    const back: TaskRef[] = [];
    const lost: TaskRef[] = [];
    for (const key of w.inflight) {
      const inf = this.inflight.get(key);
      if (!inf) continue;
      this.inflight.delete(key);
      // Once closing, leases are void: the next coordinator starts them afresh.
      const ref = { sweepId: inf.sweepId, idx: inf.idx, key: inf.key, attempts: inf.attempts, fails: inf.fails, lost: inf.lost + (this.closed ? 0 : 1) };
      (ref.lost >= this.maxLost ? lost : back).push(ref);
    }
    for (const ref of lost) {
      const message = `lost ${ref.lost} times with its worker (last: ${w.name}, ${reason}); a task whose worker process dies or stops answering while running it is not run again after ${this.maxLost} losses`;
      this.recordFailure(ref, workerId, 'WORKER_LOST', message, true);
    }
    back.sort((a, b) => a.sweepId - b.sweepId || a.idx - b.idx);
    this.retry.unshift(...back);
    if (back.length && !this.closed) {
      try {
        this.store.db.prepare('INSERT INTO events (at, kind, worker, detail) VALUES (?, ?, ?, ?)').run(isoNow(), 'requeued', workerId, JSON.stringify({ tasks: back.length, reason }));
      } catch (err) {
        // The event log only records it (the tasks are requeued in memory): a full disk must not stop this.
        this.log.warn({ err: (err as Error).message }, 'could not log the requeue in the store');
      }
    }
    this.log.info({ worker: workerId, requeued: back.length, reason }, 'worker left');
    for (const s of this.sweeps.values()) this.emit('progress', s.row.name);
    this.schedulePump();
  }

  /**
   * Tells the worker with id `idOrName`, or every worker with that name, to
   * drain: it takes no more tasks, finishes what it holds and leaves.
   * Returns the workers told; throws NO_SUCH_WORKER when none matches.
   */
  drainWorker(idOrName: string, reason: string): WorkerView[] {
    const matched = [...this.workers.values()].filter((w) => w.id === idOrName || w.name === idOrName);
    if (matched.length === 0) {
      const known = [...this.workers.values()].map((w) => `${w.name} (${w.id})`).join(', ') || 'none';
      throw new CoordinatorError('NO_SUCH_WORKER', `no connected worker with id or name '${idOrName}' (connected: ${known})`);
    }
    for (const w of matched) {
      w.draining = true;
      w.sink.send({ drain: { reason } });
      this.log.info({ worker: w.id, name: w.name, reason }, 'worker told to drain');
    }
    return matched.map((w) => ({ workerId: w.id, name: w.name, threads: w.threads, inFlight: w.inflight.size, completed: w.completed }));
  }

  /** Tells every worker to drain (coordinator shutdown). */
  drainAll(reason: string): void {
    for (const w of this.workers.values()) {
      w.draining = true;
      w.sink.send({ drain: { reason } });
    }
  }

  private expireLeases(): void {
    if (this.storeGone === undefined) {
      this.storeGone = this.store.fileGone();
      if (this.storeGone) {
        this.log.error({ store: this.store.path }, `${this.storeGone}: from now on nothing is stored and no result is accepted; stop this process and start it again`);
      }
    }
    let t = Date.now();
    // Every message refreshes its worker's lastSeen: the queue is flushed (results that arrived
    // first are committed first) only when some worker looks expired, not on every tick.
    let expired = false;
    for (const w of this.workers.values()) {
      if (t - w.lastSeen > this.leaseMs) {
        expired = true;
        break;
      }
    }
    if (!expired) return;
    this.flushInbound(Number.POSITIVE_INFINITY);
    t = Date.now();
    for (const w of [...this.workers.values()]) {
      if (t - w.lastSeen > this.leaseMs) {
        this.log.warn({ worker: w.id, silentMs: t - w.lastSeen }, 'worker missed its lease deadline; requeueing its tasks');
        if (w.inflight.size) w.sink.send({ revoke: { leaseId: '', keys: [...w.inflight] } });
        this.removeWorker(w.id, 'lease expired');
        w.sink.abort('lease expired: no heartbeat within the lease period');
      }
    }
  }

  private dropInflight(inf: Inflight): void {
    this.inflight.delete(inf.key);
    this.workers.get(inf.workerId)?.inflight.delete(inf.key);
  }

  // ---- leasing ----------------------------------------------------------------

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Leases up to each worker's credits, in order (retries first, then sweeps oldest first, grid order). */
  private pump(): void {
    // A worker whose credits wait in `credited` is leased to when they come up, in order.
    for (const w of this.workers.values()) if (!w.creditQueued) this.pumpWorker(w);
  }

  /** Leases up to worker `w`'s credits; returns how many tasks it leased. */
  private pumpWorker(w: WorkerState): number {
    if (w.draining || w.credits <= 0 || this.storeTrouble?.timer) return 0;
    if (w.inflight.size > 0 && (w.isolating || this.reserved === w.id)) return 0;
    w.isolating = false;
    const tasks = this.take(w.credits, w);
    if (tasks.length === 0) return 0;
    const leaseId = `${this.epoch}-${++this.leaseCounter}`;
    const wire: LeaseTask[] = [];
    for (const t of tasks) {
      const rt = this.sweeps.get(t.sweepId)!;
      t.attempts++;
      wire.push({ key: t.key, attempt: t.attempts, config: configAt(rt.row.definition, t.idx) });
    }
    // Encoded here, not by the stream's serializer: each result's config is checked against these bytes.
    const { bytes, configs } = encodeLease(leaseId, wire);
    tasks.forEach((t, i) => {
      const inf: Inflight = { sweepId: t.sweepId, idx: t.idx, key: t.key, attempts: t.attempts, fails: t.fails, lost: t.lost, config: wire[i]!.config, leased: configs[i]!, leaseId, attempt: t.attempts, workerId: w.id };
      this.inflight.set(t.key, inf);
      w.inflight.add(t.key);
    });
    w.credits -= tasks.length;
    // The stream's serializer passes encoded bytes through as they are.
    w.sink.send(bytes as unknown as CoordinatorMessage);
    if (this.logLeases) this.log.debug({ worker: w.id, lease: leaseId, tasks: tasks.length }, 'leased');
    return tasks.length;
  }

  /**
   * Up to `n` tasks for worker `w`, in order. A task lost with its worker
   * {@link ISOLATE_AFTER_LOSSES} times may be what killed it, so it is leased
   * only alone, to a worker holding nothing else: if it crashes that one too,
   * no other task shares its loss. Until an empty worker takes it, it stays
   * at the front. A task lost once (a node that went away) runs as usual.
   */
  private take(n: number, w: WorkerState): TaskRef[] {
    const out: TaskRef[] = [];
    const held: TaskRef[] = [];
    // Keys taken by this call: they are in flight only once the lease goes out.
    const taken = new Set<string>();
    while (out.length < n) {
      const fromRetry = this.retry.length > 0;
      let t = fromRetry ? this.retry.shift() : this.nextReady();
      if (!t) break;
      let rt = this.sweeps.get(t.sweepId);
      if ((!rt || rt.row.state !== 'running') && fromRetry) {
        // Its sweep stopped, but another may want the key (see heirOf).
        const heir = this.heirOf(t.key, t.sweepId);
        if (heir !== undefined) {
          t = { ...t, ...heir };
          rt = this.sweeps.get(heir.sweepId);
        }
      }
      if (!rt || rt.row.state !== 'running') continue;
      // The same config queued twice (two sweeps, or a repeated cell) runs once; its result completes both.
      if (this.inflight.has(t.key) || taken.has(t.key)) continue;
      if (fromRetry ? this.q.taskState.get(t.sweepId, t.idx) !== TASK.pending : this.settled.has(t.key)) continue;
      if (t.lost >= ISOLATE_AFTER_LOSSES) {
        if (out.length === 0 && w.inflight.size === 0) {
          w.isolating = true;
          out.push(t);
          break;
        }
        held.push(t);
        taken.add(t.key);
        continue;
      }
      out.push(t);
      taken.add(t.key);
    }
    this.retry.unshift(...held);
    if (held.length === 0 || w.isolating) {
      // Nothing waits for an empty worker any more (or this one now runs it): no reservation.
      if (this.reserved === w.id) this.reserved = undefined;
    } else if (this.reserved === undefined || !this.workers.has(this.reserved)) this.reserved = w.id;
    return out;
  }

  /**
   * A pending task with `key` in a running sweep other than `exceptSweep`: where a lease or a retry
   * of a sweep that stopped (cancelled) goes on, since a running sweep passes over a key in flight.
   */
  private heirOf(key: string, exceptSweep: number): { sweepId: number; idx: number } | undefined {
    for (const [sweepId, idx] of this.q.pendingRowsWithKey.all(Buffer.from(key, 'hex'), exceptSweep) as [number, number][]) {
      if (this.sweeps.get(sweepId)?.row.state === 'running') return { sweepId, idx };
    }
    return undefined;
  }

  private nextReady(): TaskRef | undefined {
    if (this.readyHead >= this.ready.length) {
      this.ready = [];
      this.readyHead = 0;
      this.settled.clear();
      for (const rt of this.sweeps.values()) {
        if (rt.exhausted || rt.row.state !== 'running') continue;
        const rows = this.q.pending.all(rt.row.id, rt.cursor, REFILL) as [idx: number, key: string, attempts: number, fails: number][];
        if (rows.length < REFILL) rt.exhausted = true;
        if (rows.length === 0) continue;
        rt.cursor = rows[rows.length - 1]![0] + 1;
        this.ready = rows.map(([idx, key, attempts, fails]) => ({ sweepId: rt.row.id, idx, key, attempts, fails, lost: 0 }));
        break;
      }
    }
    return this.readyHead < this.ready.length ? this.ready[this.readyHead++] : undefined;
  }

  // ---- results and failures ------------------------------------------------------

  /**
   * Queues a batch of results from a worker; `reply` gets its ack once the
   * accepted ones are committed. Batches from every worker are committed
   * together a turn of the event loop later (group commit), a slice of at
   * most {@link RESULT_SLICE} results at a time, so a flood of results never
   * holds the loop long: status calls are served in between.
   */
  results(workerId: string, batch: readonly InboundResult[], reply: (ack: Ack) => void): void {
    this.resultQueue.push({ workerId, batch, reply });
    this.scheduleInbound();
  }

  private scheduleInbound(): void {
    if (this.inboundScheduled) return;
    this.inboundScheduled = true;
    setImmediate(() => {
      this.inboundScheduled = false;
      this.flushInbound(RESULT_SLICE);
    });
  }

  /** Flushes the queued results once the checkpointer's pause is over (it lasts a few ms). */
  private afterWalPause(): void {
    if (this.waitingForWal) return;
    this.waitingForWal = true;
    void this.store.walPause.over().then(() => {
      this.waitingForWal = false;
      if (!this.closed) this.scheduleInbound();
    });
  }

  /**
   * Leases against queued credits, then commits queued result batches, at most
   * about `limit` tasks of each (whole batches; Infinity: all); the rest waits
   * for the next turn. Credits go first, since a worker idles until they are
   * served; a batch from a worker whose credit still waits is held back, so a
   * lease always goes out before the ack of results sent after its credit.
   * Every entry point that changes leases (failure, a worker leaving, expiry,
   * cancel) calls it with Infinity first, so it sees what arrived before it;
   * `leaving` (a worker going away) gets no lease.
   */
  private flushInbound(limit: number, leaving?: string): void {
    let n = 0;
    let k = 0;
    while (k < this.credited.length && n < limit) {
      const w = this.workers.get(this.credited[k++]!);
      if (!w) continue;
      w.creditQueued = false;
      if (w.id !== leaving && !this.closed) n += this.pumpWorker(w);
    }
    this.credited.splice(0, k);
    if (limit !== Number.POSITIVE_INFINITY && this.resultQueue.length && this.store.walPause.on) {
      // The checkpointer is having the WAL start over: the results wait a moment, the event loop goes on.
      if (this.credited.length) this.scheduleInbound();
      this.afterWalPause();
      return;
    }
    const take: QueuedResults[] = [];
    const held: QueuedResults[] = [];
    n = 0;
    k = 0;
    for (; k < this.resultQueue.length && n < limit; k++) {
      const b = this.resultQueue[k]!;
      if (this.workers.get(b.workerId)?.creditQueued) held.push(b);
      else {
        take.push(b);
        n += b.batch.length;
      }
    }
    this.resultQueue.splice(0, k, ...held);
    if (take.length) this.commitResults(take);
    if (this.credited.length || this.resultQueue.length) this.scheduleInbound();
  }

  /**
   * Fences each result (current lease and attempt, or byte-identical to the
   * stored result), commits the accepted ones of every batch in one
   * transaction, then acknowledges each batch.
   */
  private commitResults(batches: readonly QueuedResults[]): void {
    const acks: Ack[] = [];
    const commits: Commit[] = [];
    const failures: { workerId: string; inf: Inflight; code: string; message: string }[] = [];
    // Refused results, logged with the commit: 'rejected' by fencing, 'invalid' when they fail the shape check.
    const events: { kind: 'rejected' | 'invalid'; key: string; workerId: string; leaseId: string; attempt: number; reason?: string }[] = [];
    for (const { workerId, batch } of batches) {
      const ack: Ack = { accepted: [], rejected: [] };
      acks.push(ack);
      for (const r of batch) {
        const inf = this.inflight.get(r.key);
        const current = inf !== undefined && inf.leaseId === r.leaseId && inf.attempt === r.attempt && inf.workerId === workerId;
        let body: Uint8Array;
        let wallMs: number;
        try {
          // The stored body is always the canonical encoding: the bytes as received when they
          // already are (a worker's own encoding of a valid result of this lease, checked
          // without decoding), else decoded, checked in full and re-encoded.
          const fast = current && r.result instanceof Uint8Array ? canonicalResult(r.result, inf.leased, this.simVersion) : undefined;
          if (fast) ({ body, wallMs } = fast);
          else {
            // For the current lease the config is compared with the leased one (its key is known);
            // anything else is checked in full and must hash to its key.
            const expected = current ? inf.config : undefined;
            const result = r.result instanceof Uint8Array ? resultFromBytes(r.result, expected) : resultFromWire(r.result, expected);
            if (result.simVersion !== this.simVersion || (!current && taskKey(result.config, result.simVersion) !== r.key)) {
              throw new ProtocolError('INVALID_RESULT', `result config/simVersion does not hash to task key ${r.key}`);
            }
            body = encodeResultBody(result);
            wallMs = result.timing.wallMs;
          }
        } catch (err) {
          const message = (err as Error).message;
          this.log.warn({ worker: workerId, key: r.key, err: message }, 'invalid result');
          ack.rejected.push(r.key);
          events.push({ kind: 'invalid', key: r.key, workerId, leaseId: r.leaseId, attempt: r.attempt, reason: message });
          if (current) failures.push({ workerId, inf, code: (err as { code?: string }).code ?? 'INVALID_RESULT', message });
          continue;
        }
        if (current) {
          commits.push({ inf, body, wallMs });
          // Claimed now: a second copy later in the same slice is not current any more.
          this.inflight.delete(r.key);
          ack.accepted.push(r.key);
          continue;
        }
        const stored = this.q.resultBody.get(Buffer.from(r.key, 'hex')) as Buffer | undefined;
        if (stored && Buffer.compare(stored, body) === 0) ack.accepted.push(r.key);
        else {
          ack.rejected.push(r.key);
          this.log.warn({ worker: workerId, key: r.key, leaseId: r.leaseId, attempt: r.attempt }, 'result rejected by fencing (not the current lease)');
          events.push({ kind: 'rejected', key: r.key, workerId, leaseId: r.leaseId, attempt: r.attempt });
        }
      }
    }
    const touched = new Set<SweepRuntime>();
    // Keys that completed tasks of other sweeps too: settled only once the commit holds.
    const settle: string[] = [];
    // Rows of a sweep being submitted that these results completed: counted only once the commit holds.
    const late = { building: 0 };
    if (commits.length || events.length) {
      try {
        this.write(() => {
          const at = isoNow();
          for (const { kind, key, workerId, ...detail } of events) this.q.event.run(at, kind, null, Buffer.from(key, 'hex'), workerId, JSON.stringify(detail));
          for (let i = 0; i < commits.length; i += COMMIT_CHUNK) this.commitChunk(commits.slice(i, i + COMMIT_CHUNK), at, touched, late, settle);
          for (const rt of touched) {
            this.maybeFinish(rt);
            this.saveRow(rt);
          }
        });
      } catch (err) {
        // Nothing of the slice was stored (e.g. disk full): its tasks go back to the queue, and
        // the workers hear their results were refused. The counts read in the transaction are reloaded.
        this.holdLeases(err as Error, { results: commits.length });
        this.reloadRows(touched);
        settle.length = 0;
        late.building = 0;
        for (const c of commits) {
          this.workers.get(c.inf.workerId)?.inflight.delete(c.inf.key);
          this.retry.push({ sweepId: c.inf.sweepId, idx: c.inf.idx, key: c.inf.key, attempts: c.inf.attempts, fails: c.inf.fails, lost: c.inf.lost });
        }
        for (const a of acks) {
          a.rejected.push(...a.accepted);
          a.accepted.length = 0;
        }
        commits.length = 0;
      }
    }
    if (commits.length && this.storeTrouble) {
      this.log.info({ failedCommits: this.storeTrouble.failures }, 'results are committed again');
      clearTimeout(this.storeTrouble.timer);
      this.storeTrouble = undefined;
    }
    for (const key of settle) this.settled.add(key);
    if (this.building) this.building.cachedLater += late.building;
    for (const c of commits) {
      const w = this.workers.get(c.inf.workerId);
      w?.inflight.delete(c.inf.key);
      if (w) w.completed++;
    }
    for (const rt of touched) {
      this.sample(rt);
      if (rt.row.state !== 'running') this.retire(rt);
      this.emit('progress', rt.row.name);
    }
    batches.forEach((b, i) => b.reply(acks[i]!));
    for (const f of failures) this.failTask(f.workerId, { key: f.inf.key, leaseId: f.inf.leaseId, attempt: f.inf.attempt, code: f.code, message: f.message });
    this.schedulePump();
  }

  /** Sweeps whose counts a failed transaction changed in memory: read again from the store. */
  private reloadRows(touched: Set<SweepRuntime>): void {
    for (const rt of touched) Object.assign(rt.row, this.store.sweepById(rt.row.id), { definition: rt.row.definition });
    touched.clear();
  }

  /**
   * After a failed commit of results or of a task's failure (the tasks went back to the queue):
   * stops leasing for a while, 1 s after the first failure, and twice as long
   * after each lease round that failed again, up to {@link STORE_HOLD_MAX_MS}.
   * A store that cannot be written then costs one lease round per wait
   * instead of a loop. Results of tasks already leased are still tried as they
   * come (their failures during a wait only count); the first commit that
   * holds ends it. Logged as an error when a wait starts, so a full disk gives
   * a line per wait, not thousands.
   */
  private holdLeases(err: Error, what: Record<string, unknown>): void {
    const prev = this.storeTrouble;
    if (prev?.timer) {
      prev.failures++;
      return;
    }
    const waitMs = prev ? Math.min(STORE_HOLD_MAX_MS, prev.waitMs * 2) : STORE_HOLD_FIRST_MS;
    const failures = (prev?.failures ?? 0) + 1;
    this.log.error(
      { err: err.message, ...what, failedCommits: failures, holdMs: waitMs, store: this.store.path },
      this.storeGone
        ? 'could not write to the store: its file is gone; the tasks are requeued, and none is leased for a while. Stop this process and start it again'
        : 'could not write to the store (is the disk full?); the tasks are requeued, and none is leased for a while. Free space: it resumes by itself',
    );
    const trouble: NonNullable<Scheduler['storeTrouble']> = { waitMs, failures, timer: undefined };
    trouble.timer = setTimeout(() => {
      trouble.timer = undefined;
      this.schedulePump();
    }, waitMs);
    trouble.timer.unref();
    this.storeTrouble = trouble;
  }

  /**
   * Stores a chunk of accepted results (distinct keys: a key is current in one
   * lease only) and completes their tasks; inside the transaction. Keys with no
   * other task row (the usual case, read from the key index alone) cannot have
   * a stored result yet nor another task waiting: their rows are written by
   * multi-row statements. The others go one by one through {@link commitShared};
   * their keys are pushed to `settle` when they completed other tasks too.
   */
  private commitChunk(chunk: readonly Commit[], at: string, touched: Set<SweepRuntime>, late: { building: number }, settle: string[]): void {
    const keys = chunk.map((c) => Buffer.from(c.inf.key, 'hex'));
    // Only keys of sweeps that may share keys are looked up (a sweep cancelled meanwhile is no longer known: looked up).
    // While the submit thread writes, every key: it tells which sweeps share keys only at its end.
    const all = this.building?.threaded === true;
    const probe = all ? keys : keys.filter((_, i) => this.sweeps.get(chunk[i]!.inf.sweepId)?.sharesKeys !== false);
    const shared = probe.length ? new Set((this.chunkStatements(probe.length).shared.all(probe) as Buffer[]).map((k) => k.toString('hex'))) : new Set<string>();
    const plain: Commit[] = [];
    const plainKeys: Buffer[] = [];
    chunk.forEach((c, i) => {
      if (!shared.has(c.inf.key)) {
        plain.push(c);
        plainKeys.push(keys[i]!);
      } else if (this.commitShared(c, keys[i]!, at, touched, late)) settle.push(c.inf.key);
    });
    if (plain.length === 0) return;
    const st = this.chunkStatements(plain.length);
    const rows: unknown[] = [];
    plain.forEach((c, i) => rows.push(plainKeys[i], this.simVersion, c.body, c.wallMs, this.workers.get(c.inf.workerId)?.name ?? c.inf.workerId, at));
    // A multi-row INSERT gives its rows consecutive rowids, one past the largest (no AUTOINCREMENT, no other writer).
    const first = Number(st.insert.run(rows).lastInsertRowid) - plain.length + 1;
    const updates: unknown[] = [];
    plain.forEach((c, i) => updates.push(c.inf.sweepId, c.inf.idx, c.inf.attempt, first + i));
    const completed = st.complete.all(updates) as number[];
    for (const sweepId of completed) this.countDone(sweepId, true, touched, late);
    if (completed.length < plain.length) {
      // Some were not pending any more (cancelled meanwhile): still linked, so their results stay in the cache.
      plain.forEach((c, i) => this.q.linkResult.run(first + i, c.inf.sweepId, c.inf.idx));
    }
    const events: unknown[] = [];
    plain.forEach((c, i) => events.push(at, 'result', c.inf.sweepId, plainKeys[i], c.inf.workerId, `{"attempt":${c.inf.attempt}}`));
    st.events.run(events);
  }

  /** The multi-row statements of {@link commitChunk} for `n` rows, prepared once per size. */
  private chunkStatements(n: number) {
    let st = this.chunkStmts.get(n);
    if (!st) {
      const db = this.store.db;
      const rows = (width: number) => Array(n).fill(`(${Array(width).fill('?').join(', ')})`).join(', ');
      st = {
        shared: db.prepare(`SELECT key FROM tasks WHERE key IN (${Array(n).fill('?').join(', ')}) GROUP BY key HAVING count(*) > 1`).pluck(),
        insert: db.prepare(`INSERT INTO results (key, sim_version, body, wall_ms, worker, created_at) VALUES ${rows(6)}`),
        complete: db
          .prepare(
            `UPDATE tasks SET state = ${TASK.computed}, attempts = v.column3, result = v.column4 FROM (VALUES ${rows(4)}) AS v
             WHERE tasks.sweep_id = v.column1 AND tasks.idx = v.column2 AND tasks.state = 0 RETURNING tasks.sweep_id`,
          )
          .pluck(),
        events: db.prepare(`INSERT INTO events (at, kind, sweep_id, key, worker, detail) VALUES ${rows(6)}`),
      };
      this.chunkStmts.set(n, st);
    }
    return st;
  }

  /**
   * Stores one accepted result whose key other task rows share, unless the key
   * already has one (then only confirms it is identical), and completes its
   * task and every other pending task with its key (true when there were such).
   */
  private commitShared(c: Commit, key: Buffer, at: string, touched: Set<SweepRuntime>, late: { building: number }): boolean {
    const { inf, body, wallMs } = c;
    let id = this.q.resultId.get(key) as number | undefined;
    if (id === undefined) id = Number(this.q.insertResult.run(key, this.simVersion, body, wallMs, this.workers.get(inf.workerId)?.name ?? inf.workerId, at).lastInsertRowid);
    else if (Buffer.compare(this.q.resultBodyById.get(id) as Buffer, body) !== 0) {
      // Already stored (e.g. a duplicate cell finished first): never overwrite, only confirm identity.
      this.log.error({ key: inf.key, worker: inf.workerId }, 'a result differs from the stored one for the same key (non-determinism?); kept the stored one');
    }
    if (this.q.completeTask.run(inf.attempt, id, inf.sweepId, inf.idx).changes > 0) this.countDone(inf.sweepId, true, touched, late);
    // Not pending any more (cancelled meanwhile): still linked, so the result stays in the cache.
    else this.q.linkResult.run(id, inf.sweepId, inf.idx);
    const others = this.q.cacheKey.all(id, key) as { sweep_id: number }[];
    for (const row of others) this.countDone(row.sweep_id, false, touched, late);
    this.q.event.run(at, 'result', inf.sweepId, key, inf.workerId, `{"attempt":${inf.attempt}}`);
    return others.length > 0;
  }

  /** Counts a task of sweep `sweepId` done (computed or from the cache) in memory; the transaction's end saves the counts. */
  private countDone(sweepId: number, computed: boolean, touched: Set<SweepRuntime>, late: { building: number }): void {
    const rt = this.sweeps.get(sweepId);
    if (!rt) {
      // A sweep still being submitted: its rows count when its submit finishes.
      if (sweepId === this.building?.id) late.building++;
      else this.settleUnloaded(sweepId, false);
      return;
    }
    rt.row.done++;
    if (computed) rt.row.computed++;
    else rt.row.cached++;
    touched.add(rt);
  }

  /**
   * A task row of a stored sweep not loaded here (an unfinished sweep that an embedded run
   * does not resume) was completed from the cache or failed by another sweep's task: its
   * stored counts follow (so `status` from the store shows them), and a sweep left with
   * nothing to run finishes. Call inside the write transaction.
   */
  private settleUnloaded(sweepId: number, failed: boolean): void {
    const r = (failed ? this.q.failUnloaded : this.q.cacheUnloaded).get(sweepId) as
      | { name: string; done: number; failed: number; cancelled: number; total: number }
      | undefined;
    if (!r || r.done + r.failed + r.cancelled < r.total) return;
    const state: SweepState = r.failed > 0 ? 'failed' : 'done';
    const at = isoNow();
    this.q.finishUnloaded.run(state, at, sweepId);
    this.q.event.run(at, 'finished', sweepId, null, null, JSON.stringify({ state, done: r.done, failed: r.failed }));
    this.log.info({ sweep: r.name, state, done: r.done, failed: r.failed }, 'sweep finished (not loaded here: completed by the results of another sweep)');
  }

  /** A task failed on a worker: retried on any worker up to maxAttempts, then marked failed. */
  failure(workerId: string, f: FailureReport): void {
    this.flushInbound(Number.POSITIVE_INFINITY);
    this.failTask(workerId, f);
  }

  private failTask(workerId: string, f: FailureReport): void {
    const inf = this.inflight.get(f.key);
    if (!inf || inf.leaseId !== f.leaseId || inf.attempt !== f.attempt || inf.workerId !== workerId) {
      this.log.warn({ worker: workerId, key: f.key }, 'failure report for a lease that is not current; ignored');
      return;
    }
    this.dropInflight(inf);
    // The sweep's own retry budget; one that stopped meanwhile hands the task to a sweep still wanting it.
    const heir = this.sweeps.has(inf.sweepId) ? undefined : this.heirOf(inf.key, inf.sweepId);
    const task = heir === undefined ? inf : { ...inf, ...heir };
    const maxAttempts = this.sweeps.get(task.sweepId)?.row.definition.maxAttempts ?? 1;
    const fails = task.fails + 1;
    this.recordFailure({ ...task, fails }, workerId, f.code, f.message, fails >= maxAttempts);
  }

  /**
   * Stores a failed attempt of `task` (leased as `task.attempts`); when
   * `final`, the task and every pending task with its key are marked failed,
   * else it goes back to the queue.
   */
  private recordFailure(task: TaskRef, workerId: string, code: string, message: string, final: boolean): void {
    const key = Buffer.from(task.key, 'hex');
    const touched = new Set<SweepRuntime>();
    // Rows of a sweep being submitted that this failure failed: counted only once the commit holds.
    let lateFailed = 0;
    try {
      this.write(() => {
        const at = isoNow();
        this.q.insertFailure.run(task.sweepId, task.idx, key, task.attempts, workerId, code, message, at);
        this.q.saveAttempts.run(task.attempts, task.fails, task.sweepId, task.idx);
        this.q.event.run(at, 'failure', task.sweepId, key, workerId, JSON.stringify({ attempt: task.attempts, code }));
        if (final) {
          // The config is deterministic: every sweep holding this key fails with it.
          this.settled.add(task.key);
          for (const row of this.q.failKey.all(key) as { sweep_id: number }[]) {
            const s = this.sweeps.get(row.sweep_id);
            if (!s) {
              // A sweep still being submitted: its rows count when its submit finishes.
              if (row.sweep_id === this.building?.id) lateFailed++;
              else this.settleUnloaded(row.sweep_id, true);
              continue;
            }
            s.row.failed++;
            touched.add(s);
          }
          for (const s of touched) {
            this.maybeFinish(s);
            this.saveRow(s);
          }
        }
      });
    } catch (err) {
      // Nothing of it was stored (a full disk): the task goes back to the queue, to fail again
      // (a deterministic failure does) once the store can be written. Counts are reloaded.
      this.reloadRows(touched);
      if (final) this.settled.delete(task.key);
      this.retry.push({ sweepId: task.sweepId, idx: task.idx, key: task.key, attempts: task.attempts, fails: task.fails, lost: task.lost });
      this.holdLeases(err as Error, { failure: code, key: task.key });
      this.schedulePump();
      return;
    }
    if (this.building) this.building.failedLater += lateFailed;
    this.log.warn({ worker: workerId, key: task.key, attempt: task.attempts, code, message, final }, 'task failed');
    if (!final) this.retry.push({ sweepId: task.sweepId, idx: task.idx, key: task.key, attempts: task.attempts, fails: task.fails, lost: task.lost });
    for (const s of touched) {
      if (s.row.state !== 'running') this.retire(s);
      this.emit('progress', s.row.name);
    }
    this.schedulePump();
  }

  /** Whether any sweep is still running. */
  hasRunningSweeps(): boolean {
    return this.sweeps.size > 0;
  }

  /** Stops: commits queued results, and from now on a worker leaving loses no task (its leases are void anyway). */
  close(): void {
    this.closed = true;
    clearTimeout(this.storeTrouble?.timer);
    this.submitThread.stop();
    this.flushInbound(Number.POSITIVE_INFINITY);
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    this.expiryTimer = undefined;
  }
}
