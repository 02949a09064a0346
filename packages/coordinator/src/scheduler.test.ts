import test from 'ava';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { decodeConfigBytes, parseGridText, ProtocolError, PROTOCOL_VERSION, resultToWire, splitLeaseMessage, type CoordinatorMessage } from '@sdpo/protocol';
import { runSimulation, SIM_VERSION, type RunConfig } from '@sdpo/sim';
import { Scheduler, type Ack, type SweepProgress } from './scheduler.js';
import { Store, StoreError } from './store.js';

// The scheduler is driven directly (same process, no gRPC): each sink records what a worker would receive.
function setup(t: { teardown: (fn: () => void) => void }, opts: { leaseMs?: number; submitThreadMin?: number; submitThreadWait?: number; walRestartPages?: number } = {}, logger = pino({ level: 'silent' })) {
  const dir = mkdtempSync(join(tmpdir(), 'sdpo-sched-'));
  const { walRestartPages, ...schedulerOpts } = opts;
  const store = new Store(join(dir, 's.db'), walRestartPages === undefined ? {} : { walRestartPages });
  const scheduler = new Scheduler(store, { logger, ...schedulerOpts });
  t.teardown(() => {
    scheduler.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const worker = (name: string) => workerOn(scheduler, name);
  return { store, scheduler, worker };
}

/** A worker attached to `scheduler` by hand: its sink records what a real one would receive. */
function workerOn(scheduler: Scheduler, name: string) {
  const inbox: CoordinatorMessage[] = [];
  let aborted = '';
  const id = scheduler.addWorker({ name, threads: 1, simVersion: SIM_VERSION, protocolVersion: PROTOCOL_VERSION }, PROTOCOL_VERSION, {
    // Leases are sent encoded: read back as a worker reads them.
    send: (m) => inbox.push(m instanceof Uint8Array ? (decodeLease(m) as CoordinatorMessage) : m),
    abort: (r) => (aborted = r),
  });
  return { id, inbox, leases: () => inbox.filter((m) => m.lease).map((m) => m.lease!), aborted: () => aborted };
}

/** An encoded Lease message as the object the stream's serializer would have encoded, configs decoded. */
function decodeLease(bytes: Uint8Array) {
  const lease = splitLeaseMessage(bytes)!;
  return { lease: { leaseId: lease.leaseId, tasks: lease.tasks.map((x) => ({ ...x, config: decodeConfigBytes(x.config) })) } };
}

const tick = () => new Promise((r) => setImmediate(r));
/** Polls `cond` every 5 ms until it holds, failing after 10 s. */
async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met within the deadline');
    await new Promise((r) => setTimeout(r, 5));
  }
}
/** A grid of `seeds` one-method cells of 3 steps, seeds from `from`. */
const bigGrid = (name: string, from: number, seeds: number) =>
  parseGridText(`name: ${name}\naxes:\n  seed: {from: ${from}, to: ${from + seeds}}\n  method: [reinforce]\n  feedback: [binary]\n  noise: [0]\nfixed:\n  steps: 3\n`, `${name}.yaml`);
const grid = (name: string, seeds = 2) => bigGrid(name, 0, seeds);
/** A logger at level info whose lines the test reads. */
function logged() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { lines, logger };
}
const resultFor = (config: unknown) => resultToWire(runSimulation(config as RunConfig));
/** The ack of one batch of results, once the group commit has run. */
const results = (scheduler: Scheduler, workerId: string, batch: Parameters<Scheduler['results']>[1]) =>
  new Promise<Ack>((resolve) => scheduler.results(workerId, batch, resolve));

test('leases never exceed the credits granted, and go out in grid order', async (t) => {
  const { scheduler, worker } = setup(t);
  const w = worker('a');
  await scheduler.submit(grid('g', 5));
  scheduler.credit(w.id, 2, 100);
  await tick();
  t.is(w.leases().length, 1);
  t.deepEqual(w.leases()[0]!.tasks!.map((x) => (x.config as RunConfig).seed), [0, 1]);
  scheduler.credit(w.id, 1, 100);
  await tick();
  t.deepEqual(w.leases()[1]!.tasks!.map((x) => (x.config as RunConfig).seed), [2]);
});

test('a finished sweep reports the rate it ran at, not 0', async (t) => {
  const { scheduler, worker } = setup(t);
  const w = worker('a');
  await scheduler.submit(grid('g', 6));
  t.is(scheduler.progress('g').rate, 0, 'nothing done yet');
  await runToEnd(scheduler, w, 'g');
  const p = scheduler.progress('g');
  t.is(p.state, 'done');
  t.true(p.rate > 0 && Number.isFinite(p.rate), `rate ${p.rate}`);
});

test('a worker that keeps granting credits without answering holds at most twice the credit limit', async (t) => {
  const { scheduler, worker } = setup(t);
  const w = worker('greedy');
  await scheduler.submit(grid('g', 40));
  // Limit 5: an honest worker's window is at most 5, plus up to 5 answered but not yet committed.
  for (let i = 0; i < 8; i++) {
    scheduler.credit(w.id, 5, 5);
    await tick();
  }
  await tick();
  t.is(w.leases().reduce((a, l) => a + l.tasks!.length, 0), 10);
});

test('a result for a stale attempt is rejected; the current one is recorded exactly once and never overwritten', async (t) => {
  const { scheduler, store, worker } = setup(t);
  const a = worker('a');
  await scheduler.submit(grid('g', 1));
  scheduler.credit(a.id, 1, 100);
  await tick();
  const lease1 = a.leases()[0]!;
  const task = lease1.tasks![0]!;
  // Worker a goes away: its task is requeued and leased again to b with a new attempt.
  scheduler.removeWorker(a.id, 'test');
  const b = worker('b');
  scheduler.credit(b.id, 1, 100);
  await tick();
  const lease2 = b.leases()[0]!;
  t.is(lease2.tasks![0]!.key, task.key);
  t.is(lease2.tasks![0]!.attempt, task.attempt! + 1);

  const result = resultFor(task.config);
  const stale = await results(scheduler, b.id, [{ key: task.key!, leaseId: lease1.leaseId!, attempt: task.attempt!, result }]);
  t.deepEqual(stale, { accepted: [], rejected: [task.key] });
  const current = await results(scheduler, b.id, [{ key: task.key!, leaseId: lease2.leaseId!, attempt: lease2.tasks![0]!.attempt!, result }]);
  t.deepEqual(current.accepted, [task.key]);
  // A late duplicate that is byte-identical to the stored result is accepted but changes nothing.
  const dup = await results(scheduler, b.id, [{ key: task.key!, leaseId: lease1.leaseId!, attempt: task.attempt!, result: { ...result, wallMs: 1 } }]);
  t.deepEqual(dup.accepted, [task.key]);
  // A different result for the same key is refused.
  const tampered = { ...result, summary: { ...result.summary, finalReward: 0.123 } };
  t.deepEqual((await results(scheduler, b.id, [{ key: task.key!, leaseId: lease1.leaseId!, attempt: task.attempt!, result: tampered }])).rejected, [task.key]);
  t.is(store.countEvents('g', 'result'), 1);
  t.is(store.sweepResults('g')[0]!.summary.finalReward, runSimulation(task.config as RunConfig).summary.finalReward);
  t.is(scheduler.progress('g').state, 'done');
});

test('a failing task is retried up to maxAttempts, then the sweep completes with failures naming it', async (t) => {
  const { scheduler, store, worker } = setup(t);
  const w = worker('a');
  const def = { ...grid('g', 1), maxAttempts: 2 };
  await scheduler.submit(def);
  for (let i = 0; i < 2; i++) {
    scheduler.credit(w.id, 1, 100);
    await tick();
    const lease = w.leases()[i]!;
    const task = lease.tasks![0]!;
    t.is(task.attempt, i + 1);
    scheduler.failure(w.id, { key: task.key!, leaseId: lease.leaseId!, attempt: task.attempt!, code: 'SIM_ERROR', message: `boom ${i}` });
  }
  const p = scheduler.progress('g');
  t.like(p, { state: 'failed', failed: 1, done: 0 });
  t.like(store.failedTasks('g')[0], { index: 0, code: 'SIM_ERROR', message: 'boom 1' });
});

test('a task that fails for good names its error on every row with its key, in its sweep and in another', async (t) => {
  const { scheduler, store, worker } = setup(t);
  const w = worker('a');
  await scheduler.submit({ ...grid('first', 1), maxAttempts: 1 });
  // The same cell in a second sweep: its row fails with the first sweep's task, which it never leased.
  await scheduler.submit(grid('second', 1));
  scheduler.credit(w.id, 1, 100);
  await until(() => w.leases().length === 1);
  const lease = w.leases()[0]!;
  const task = lease.tasks![0]!;
  scheduler.failure(w.id, { key: task.key!, leaseId: lease.leaseId!, attempt: task.attempt!, code: 'SIM_ERROR', message: 'boom' });
  t.like(scheduler.progress('second'), { state: 'failed', failed: 1 });
  // Before, the second sweep's row had no failure of its own and read UNKNOWN with an empty message.
  for (const name of ['first', 'second']) t.like(store.failedTasks(name)[0], { index: 0, key: task.key, code: 'SIM_ERROR', message: 'boom' }, name);
});

test('a lease past its deadline is requeued and granted to another worker', async (t) => {
  const { scheduler, worker } = setup(t, { leaseMs: 300 });
  const a = worker('a');
  await scheduler.submit(grid('g', 1));
  scheduler.credit(a.id, 1, 100);
  // Dispatch is asynchronous; on a loaded machine one event-loop turn may not be enough.
  await until(() => a.leases().length > 0);
  const key = a.leases()[0]!.tasks![0]!.key;
  const b = worker('b');
  scheduler.credit(b.id, 1, 100);
  const deadline = Date.now() + 20_000;
  // b keeps its own lease alive; a stays silent.
  while (b.leases().length === 0 && Date.now() < deadline) {
    scheduler.touch(b.id);
    await new Promise((r) => setTimeout(r, 20));
  }
  t.true(b.leases().length > 0, 'b was granted the expired task before the deadline');
  t.regex(a.aborted(), /lease expired/);
  t.is(b.leases()[0]!.tasks![0]!.key, key);
});

test('a worker running another simVersion is refused with a message saying which', (t) => {
  const { scheduler } = setup(t);
  const err = t.throws(() => scheduler.addWorker({ name: 'old', threads: 1, simVersion: '0.0.1', protocolVersion: PROTOCOL_VERSION }, PROTOCOL_VERSION, { send: () => undefined, abort: () => undefined }));
  t.regex(err.message, /simVersion 0\.0\.1, the coordinator/);
});

test('a task lost twice runs alone on an empty worker; a busy worker is reserved for it and released once it is taken', async (t) => {
  const { scheduler, worker } = setup(t);
  await scheduler.submit(grid('g', 4));
  const keysOf = (l: { tasks?: { key?: string }[] | null }) => (l.tasks ?? []).map((x) => x.key!);
  // c takes one task while nothing has been lost yet.
  const c = worker('c');
  scheduler.credit(c.id, 1, 100);
  await tick();
  t.is(c.leases().flatMap(keysOf).length, 1);
  // Two workers in turn take the other three tasks and are lost with them: two losses each.
  for (const name of ['a', 'b']) {
    const w = worker(name);
    scheduler.credit(w.id, 3, 100);
    await tick();
    t.is(w.leases().flatMap(keysOf).length, 3, `${name} holds the other three tasks`);
    scheduler.removeWorker(w.id, 'test');
  }
  // c, busy, gets none of them and is reserved: nothing new until it is empty.
  scheduler.credit(c.id, 5, 100);
  await tick();
  t.is(c.leases().length, 1, 'reserved: nothing more while it holds a task');
  // An empty worker takes one lost task, alone, whatever its credits, and nothing joins it.
  const d = worker('d');
  scheduler.credit(d.id, 5, 100);
  await tick();
  t.deepEqual(d.leases().map((l) => keysOf(l).length), [1]);
  scheduler.credit(d.id, 5, 100);
  await tick();
  t.is(d.leases().length, 1, 'nothing joins it until it returns');
  // c returns its task, and, empty, takes the next lost task alone.
  const held = c.leases()[0]!;
  const task = held.tasks![0]!;
  t.deepEqual((await results(scheduler, c.id, [{ key: task.key!, leaseId: held.leaseId!, attempt: task.attempt!, result: resultFor(task.config) }])).accepted, [task.key]);
  await tick();
  t.deepEqual(c.leases().map((l) => keysOf(l).length), [1, 1], 'the reserved worker, once empty, runs a lost task alone');
});

test('a flood of credits is leased a slice per turn, and a lease still goes out before the ack of results sent after its credit', async (t) => {
  const { scheduler, worker } = setup(t);
  await scheduler.submit(grid('g', 400));
  const a = worker('a');
  scheduler.credit(a.id, 1, 100);
  await tick();
  const first = a.leases()[0]!;
  const task = first.tasks![0]!;
  // 300 workers credit one task each in one turn: leased over several turns, never all in one.
  const many = Array.from({ length: 300 }, (_, i) => worker(`w${i}`));
  for (const w of many) scheduler.credit(w.id, 1, 100);
  // Behind them, a asks for more and then returns its task: its results wait until its credit is served.
  scheduler.credit(a.id, 2, 100);
  let leasesAtAck = -1;
  scheduler.results(a.id, [{ key: task.key!, leaseId: first.leaseId!, attempt: task.attempt!, result: resultFor(task.config) }], (ack) => {
    t.deepEqual(ack.accepted, [task.key]);
    leasesAtAck = a.leases().length;
  });
  const leased = () => many.filter((w) => w.leases().length > 0).length;
  await tick();
  t.true(leased() > 0 && leased() < 300, `one turn leased to ${leased()} of 300 workers`);
  t.is(leasesAtAck, -1, 'not acknowledged while its credit waits');
  await until(() => leased() === 300 && leasesAtAck >= 0);
  t.is(leasesAtAck, 2, 'the lease for the credit went out before the ack');
});

test('joins, leases, fenced results, retries and failures are logged as structured records', async (t) => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const { scheduler, worker } = setup(t, {}, logger);
  await scheduler.submit({ ...grid('g', 1), maxAttempts: 2 });
  const w = worker('a');
  for (let i = 0; i < 2; i++) {
    scheduler.credit(w.id, 1, 100);
    await tick();
    const lease = w.leases()[i]!;
    const task = lease.tasks![0]!;
    if (i === 0) {
      // A result for a lease that is not current is fenced; then the task fails and is retried.
      await results(scheduler, w.id, [{ key: task.key!, leaseId: 'not-a-lease', attempt: 1, result: resultFor(task.config) }]);
    }
    scheduler.failure(w.id, { key: task.key!, leaseId: lease.leaseId!, attempt: task.attempt!, code: 'SIM_ERROR', message: `boom ${i}` });
  }
  const find = (msg: string) => lines.filter((l) => l['msg'] === msg);
  t.like(find('worker joined')[0], { worker: w.id, name: 'a', threads: 1 });
  t.is(find('leased').length, 2);
  t.like(find('leased')[0], { worker: w.id, tasks: 1 });
  t.like(find('result rejected by fencing (not the current lease)')[0], { worker: w.id, leaseId: 'not-a-lease' });
  t.deepEqual(find('task failed').map((l) => [l['code'], l['final'], l['attempt']]), [['SIM_ERROR', false, 1], ['SIM_ERROR', true, 2]]);
  t.like(find('sweep finished')[0], { sweep: 'g', state: 'failed', failed: 1 });
});

/** Answers every lease of worker `w` with its computed result until sweep `name` is no longer running. */
async function runToEnd(scheduler: Scheduler, w: ReturnType<typeof workerOn>, name: string): Promise<void> {
  let answered = 0;
  while (scheduler.progress(name).state === 'running') {
    scheduler.credit(w.id, 4, 100);
    await until(() => w.leases().length > answered || scheduler.progress(name).state !== 'running');
    for (const lease of w.leases().slice(answered)) {
      answered++;
      await answer(scheduler, w.id, lease);
    }
  }
}

/** Returns every task of `lease` with its computed result; resolves with the ack. */
const answer = (scheduler: Scheduler, workerId: string, lease: ReturnType<ReturnType<typeof workerOn>['leases']>[number]) =>
  results(scheduler, workerId, lease.tasks!.map((x) => ({ key: x.key!, leaseId: lease.leaseId!, attempt: x.attempt!, result: resultFor(x.config) })));

/** Sweep 'first' (seeds 0–1) leased to one worker, then 'second' (seeds 0 to `seeds` − 1) submitted while those two are in flight. */
async function overlapping(t: Parameters<typeof setup>[0], seeds: number) {
  const { scheduler, store, worker } = setup(t);
  const w = worker('a');
  await scheduler.submit(grid('first', 2));
  scheduler.credit(w.id, 2, 100);
  await until(() => w.leases().length === 1);
  const lease = w.leases()[0]!;
  await scheduler.submit(grid('second', seeds));
  return { scheduler, store, w, answerFirst: () => answer(scheduler, w.id, lease) };
}

test('a key two sweeps share runs once; its result completes both, and a cancelled sweep still hands its in-flight result to the other', async (t) => {
  // second is submitted while both of first's tasks are in flight: it waits for them instead of running them again.
  const { scheduler, store, w, answerFirst } = await overlapping(t, 3);
  scheduler.cancel('first');
  await answerFirst();
  t.like(scheduler.progress('second'), { state: 'running', done: 2, cached: 2 });
  await runToEnd(scheduler, w, 'second');
  t.like(scheduler.progress('second'), { state: 'done', done: 3, cached: 2, computed: 1 });
  t.is(store.countEvents('first', 'result') + store.countEvents('second', 'result'), 3, 'three runs for three distinct keys');
  t.deepEqual(store.sweepResults('second').map((r) => r.config.seed), [0, 1, 2]);
  // first's cancelled tasks whose runs finished anyway keep their results too.
  t.like(scheduler.progress('first'), { state: 'cancelled', cancelled: 2 });
  t.deepEqual(store.sweepResults('first'), store.sweepResults('second').slice(0, 2));
  for (const r of store.sweepResults('second')) t.deepEqual(r.summary, runSimulation(r.config).summary);
  // A third sweep over the same keys is answered from the store alone.
  await scheduler.submit(grid('third', 3));
  t.like(scheduler.progress('third'), { state: 'done', cached: 3 });
  t.deepEqual(store.sweepResults('third'), store.sweepResults('second'));
});

test('a lease a cancelled sweep kept for another sweep, lost with its worker or failed, is retried for that sweep under its own maxAttempts', async (t) => {
  for (const how of ['lost', 'failed'] as const) {
    const { scheduler, store, w } = await overlapping(t, 3);
    // second's queue passes over seeds 0–1 (in flight for first) and leases seed 2; then first is cancelled.
    scheduler.credit(w.id, 4, 100);
    await until(() => w.leases().length === 2);
    t.deepEqual(w.leases()[1]!.tasks!.map((x) => x.config!.seed), [2]);
    scheduler.cancel('first');
    if (how === 'lost') scheduler.removeWorker(w.id, 'killed');
    else {
      for (const lease of w.leases()) {
        for (const x of lease.tasks!) scheduler.failure(w.id, { key: x.key!, leaseId: lease.leaseId!, attempt: x.attempt!, code: 'SIM_ERROR', message: 'boom' });
      }
    }
    // Before, their retries went back under first and were dropped: second stayed running with nothing to lease.
    const runner = how === 'lost' ? workerOn(scheduler, 'b') : w;
    let answered = runner.leases().length;
    const seeds: number[] = [];
    while (scheduler.progress('second').state === 'running') {
      scheduler.credit(runner.id, 4, 100);
      await until(() => runner.leases().length > answered || scheduler.progress('second').state !== 'running');
      for (const lease of runner.leases().slice(answered)) {
        answered++;
        seeds.push(...lease.tasks!.map((x) => Number(x.config!.seed)));
        await answer(scheduler, runner.id, lease);
      }
    }
    t.like(scheduler.progress('second'), { state: 'done', done: 3, failed: 0 }, how);
    t.deepEqual(seeds.sort(), [0, 1, 2], `${how}: each task leased again once`);
    t.deepEqual(store.sweepResults('second').map((r) => r.config.seed), [0, 1, 2]);
  }
});

test('a version 1 store (results indexed by key) is upgraded in place when opened for writing, and refused read-only with a message saying how', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sdpo-store-v1-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 's.db');
  {
    const store = new Store(path);
    const scheduler = new Scheduler(store, { logger: pino({ level: 'silent' }) });
    await scheduler.submit(grid('g', 3));
    await runToEnd(scheduler, workerOn(scheduler, 'a'), 'g');
    scheduler.close();
    store.close();
  }
  const before = (() => {
    const s = new Store(path);
    try {
      return { results: s.sweepResults('g'), rows: s.db.prepare('SELECT key, body FROM results ORDER BY id').all() };
    } finally {
      s.close();
    }
  })();
  t.is(before.results.length, 3);
  // Rewritten to version 1's layout: results keyed by key (rowid order kept), no tasks.result.
  {
    const s = new Store(path);
    s.db.exec(`
      CREATE TABLE results_old (key BLOB PRIMARY KEY, sim_version TEXT NOT NULL, body BLOB NOT NULL, wall_ms REAL NOT NULL, worker TEXT NOT NULL, created_at TEXT NOT NULL);
      INSERT INTO results_old SELECT key, sim_version, body, wall_ms, worker, created_at FROM results ORDER BY id;
      DROP TABLE results;
      ALTER TABLE results_old RENAME TO results;
      ALTER TABLE tasks DROP COLUMN result;
      UPDATE meta SET v = '1' WHERE k = 'store_version';
    `);
    s.close();
  }
  const err = t.throws(() => new Store(path, { readonly: true }));
  t.is((err as StoreError).code, 'STORE_VERSION');
  t.regex(err.message, /s\.db: store version 1.*sdpo coordinator --store .*s\.db/);

  const store = new Store(path);
  t.teardown(() => store.close());
  t.is(store.db.prepare("SELECT v FROM meta WHERE k = 'store_version'").pluck().get(), '2');
  t.deepEqual(store.sweepResults('g'), before.results);
  t.deepEqual(store.db.prepare('SELECT key, body FROM results ORDER BY id').all(), before.rows);
  t.is(store.resultByKey((before.rows[1] as { key: Buffer }).key.toString('hex'))?.config.seed, before.results[1]!.config.seed);
  // The cache still answers from the upgraded rows.
  const scheduler = new Scheduler(store, { logger: pino({ level: 'silent' }) });
  t.teardown(() => scheduler.close());
  await scheduler.submit(grid('again', 3));
  t.like(scheduler.progress('again'), { state: 'done', cached: 3 });
  t.deepEqual(store.sweepResults('again'), before.results);
});

test('a stored sweep not loaded while another settles its keys counts them and finishes; one with stale counts is recounted when resumed or resubmitted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sdpo-sched-recount-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 's.db');
  const session = async <T>(resume: boolean, fn: (scheduler: Scheduler, store: Store) => Promise<T>): Promise<T> => {
    const store = new Store(path);
    const scheduler = new Scheduler(store, { logger: pino({ level: 'silent' }), resume });
    try {
      return await fn(scheduler, store);
    } finally {
      scheduler.close();
      store.close();
    }
  };
  const stored = (store: Store, name: string) => {
    const r = store.getSweep(name)!;
    return { state: r.state, done: r.done, cached: r.cached, computed: r.computed, failed: r.failed, finished: store.countEvents(name, 'finished') };
  };
  // Stored unfinished, interrupted before any result: 'whole' (seeds 0-2), 'part' (0-1), 'more' (0-3).
  await session(true, async (s) => {
    for (const [name, seeds] of [['whole', 3], ['part', 2], ['more', 4]] as const) await s.submit(grid(name, seeds));
  });
  // A coordinator without resume (as `sdpo run` starts one) runs 'other' with seeds 0-2, seed 0
  // failing: the three stored sweeps' rows are settled though none is loaded here.
  await session(false, async (s, store) => {
    const w = workerOn(s, 'a');
    await s.submit({ ...grid('other', 3), maxAttempts: 1 });
    s.credit(w.id, 3, 100);
    await until(() => w.leases().length === 1);
    const lease = w.leases()[0]!;
    const [first, ...rest] = lease.tasks!;
    s.failure(w.id, { key: first!.key!, leaseId: lease.leaseId!, attempt: first!.attempt!, code: 'SIM_ERROR', message: 'boom' });
    await results(s, w.id, rest.map((x) => ({ key: x.key!, leaseId: lease.leaseId!, attempt: x.attempt!, result: resultFor(x.config) })));
    t.like(s.progress('other'), { state: 'failed', done: 2, failed: 1 });
    t.deepEqual(stored(store, 'whole'), { state: 'failed', done: 2, cached: 2, computed: 0, failed: 1, finished: 1 });
    t.deepEqual(stored(store, 'part'), { state: 'failed', done: 1, cached: 1, computed: 0, failed: 1, finished: 1 });
    t.deepEqual(stored(store, 'more'), { state: 'running', done: 2, cached: 2, computed: 0, failed: 1, finished: 0 });
    // Counts as a store written before they were kept would hold them (the sweep stayed 'running' forever).
    store.db.exec("UPDATE sweeps SET state = 'running', done = 0, cached = 0, failed = 0, finished_at = NULL WHERE name IN ('part', 'more')");
    store.db.exec("DELETE FROM events WHERE kind = 'finished' AND sweep_id = (SELECT id FROM sweeps WHERE name = 'part')");
  });
  // Resubmitted: recounted from its rows, it runs only seed 3.
  await session(false, async (s, store) => {
    const again = await s.submit(grid('more', 4));
    t.false(again.created);
    t.like(again.progress, { state: 'running', done: 2, cached: 2, failed: 1 });
    await runToEnd(s, workerOn(s, 'b'), 'more');
    t.deepEqual(stored(store, 'more'), { state: 'failed', done: 3, cached: 2, computed: 1, failed: 1, finished: 1 });
    t.deepEqual(stored(store, 'part'), { state: 'running', done: 0, cached: 0, computed: 0, failed: 0, finished: 0 }, 'not loaded here');
  });
  // Resumed on start: recounted, and with nothing left it finishes.
  await session(true, async (s, store) => {
    t.false(s.hasRunningSweeps());
    t.deepEqual(stored(store, 'part'), { state: 'failed', done: 1, cached: 1, computed: 0, failed: 1, finished: 1 });
    t.deepEqual(store.sweepResults('part').map((r) => r.config.seed), [1]);
  });
});

test('a sweep submitted while another runs its keys waits for those results instead of running them again', async (t) => {
  const { scheduler, store, answerFirst } = await overlapping(t, 2);
  await answerFirst();
  t.like(scheduler.progress('first'), { state: 'done', computed: 2 });
  t.like(scheduler.progress('second'), { state: 'done', cached: 2, computed: 0 });
  t.deepEqual(store.sweepResults('second'), store.sweepResults('first'));
  t.is(store.countEvents('second', 'result'), 0, 'nothing ran for second');
});

test('a grid that repeats a cell runs it once; the repeat is completed from its result', async (t) => {
  const { scheduler, store, worker } = setup(t);
  const def = parseGridText('name: twice\naxes:\n  seed: [4, 4, 5]\n  method: [reinforce]\n  feedback: [binary]\n  noise: [0]\nfixed:\n  steps: 3\n', 'twice.yaml');
  await scheduler.submit(def);
  await runToEnd(scheduler, workerOn(scheduler, 'a'), 'twice');
  t.like(scheduler.progress('twice'), { state: 'done', done: 3, computed: 2, cached: 1 });
  t.deepEqual(store.sweepResults('twice').map((r) => r.config.seed), [4, 4, 5]);
  t.is(store.countEvents('twice', 'result'), 2);
});

test('a grid written by the submit thread gives the task rows of one written inline; an invalid cell fails its submit the same way and leaves nothing', async (t) => {
  const inline = setup(t, { submitThreadMin: Number.POSITIVE_INFINITY });
  const threaded = setup(t, { submitThreadMin: 0, submitThreadWait: 0 });
  const rows = (s: Store, name: string) =>
    s.db.prepare('SELECT t.idx, t.key, t.state, t.result FROM tasks t JOIN sweeps w ON w.id = t.sweep_id WHERE w.name = ? ORDER BY t.idx').raw().all(name);
  // 4,200 tasks; the second grid below shares 200 of their keys.
  const big = parseGridText('name: big\naxes:\n  seed: {from: 0, to: 2100}\n  method: [reinforce, sdpo]\nfixed:\n  feedback: binary\n  noise: 0\n  steps: 1\n  vocab: 3\n  length: 2\n', 'big.yaml');
  // Shares seeds 2000-2099 with big: those are cached at submit.
  const more = parseGridText('name: more\naxes:\n  seed: {from: 2000, to: 2200}\n  method: [reinforce, sdpo]\nfixed:\n  feedback: binary\n  noise: 0\n  steps: 1\n  vocab: 3\n  length: 2\n', 'more.yaml');
  for (const { scheduler } of [inline, threaded]) {
    t.is((await scheduler.submit(big)).progress.total, 4200);
  }
  const bigRows = rows(threaded.store, 'big');
  t.is(bigRows.length, 4200);
  t.deepEqual(bigRows, rows(inline.store, 'big'));
  // Mark big's tasks of seeds 2000-2099 done, so the next submit finds them in the cache.
  for (const { store } of [inline, threaded]) {
    store.db.exec("INSERT INTO results (id, key, sim_version, body, wall_ms, worker, created_at) SELECT idx + 1, key, 'x', x'00', 0, 'w', 'now' FROM tasks WHERE idx >= 4000");
    store.db.exec('UPDATE tasks SET state = 1, result = idx + 1 WHERE idx >= 4000');
  }
  const progress = await Promise.all([inline, threaded].map(({ scheduler }) => scheduler.submit(more).then((r) => r.progress)));
  const counts = ({ total, done, cached, computed, state }: SweepProgress) => ({ total, done, cached, computed, state });
  t.deepEqual(counts(progress[1]!), { total: 400, done: 200, cached: 200, computed: 0, state: 'running' });
  t.deepEqual(counts(progress[0]!), counts(progress[1]!));
  t.deepEqual(rows(threaded.store, 'more'), rows(inline.store, 'more'));
  // vocab 32 with length 6 is too large a space (32^6 > 2^22): only the expansion meets that combination.
  const bad = parseGridText('name: bad\naxes:\n  seed: {from: 0, to: 3}\n  vocab: [3, 32]\n  length: [2, 6]\nfixed:\n  method: reinforce\n  feedback: binary\n  noise: 0\n  steps: 1\n', 'bad.yaml');
  const errors = await Promise.all([inline, threaded].map(({ scheduler }) => scheduler.submit(bad).then(() => undefined, (err: Error) => err)));
  t.true(errors[1] instanceof ProtocolError, String(errors[1]));
  t.is((errors[1] as ProtocolError).code, 'INVALID_GRID');
  t.is(errors[1]!.message, errors[0]!.message);
  t.deepEqual((errors[1] as ProtocolError).issues, (errors[0] as ProtocolError).issues);
  for (const { store } of [inline, threaded]) {
    t.is(store.getSweep('bad'), undefined);
    t.is(store.db.prepare('SELECT count(*) FROM tasks').pluck().get(), 4200 + 400);
  }
  // The thread serves the next submit after a failed one.
  t.is((await threaded.scheduler.submit({ ...more, name: 'again' })).progress.cached, 200);
});

test('a big grid is written inline while the submit thread is down, and starts it: the next big grid uses it', async (t) => {
  const { lines, logger } = logged();
  const { scheduler } = setup(t, { submitThreadMin: 10 }, logger);
  const expanded = () => lines.filter((l) => l['msg'] === 'sweep submitted').map((l) => [l['sweep'], l['written']]);
  await scheduler.submit(grid('small', 5));
  await scheduler.submit(grid('first', 20));
  t.deepEqual(expanded(), [['small', 'inline'], ['first', 'inline']]);
  // 'first' started the thread; once it is up, the next big grid goes to it.
  await until(() => (scheduler as unknown as { submitThread: { warm: boolean } }).submitThread.warm, 30_000);
  await scheduler.submit(grid('second', 30));
  t.deepEqual(expanded()[2], ['second', 'thread']);
  t.is(scheduler.progress('second').total, 30);
});

test('a shutdown during a submit fails it with SHUTTING_DOWN, inline or on the submit thread, and leaves no sweep', async (t) => {
  for (const opts of [{ submitThreadMin: Number.POSITIVE_INFINITY }, { submitThreadMin: 0, submitThreadWait: 0 }]) {
    const { scheduler, store } = setup(t, opts);
    // 60,000 tasks: many 20 ms slices, so the close lands mid-way.
    const big = parseGridText('name: big\naxes:\n  seed: {from: 0, to: 30000}\n  method: [reinforce, sdpo]\nfixed:\n  feedback: binary\n  noise: 0\n  steps: 1\n  vocab: 3\n  length: 2\n', 'big.yaml');
    const submitted = scheduler.submit(big);
    // Rows are going in (committed by one slice or more).
    await until(() => (store.db.prepare('SELECT count(*) FROM tasks').pluck().get() as number) > 0, 30_000);
    scheduler.close();
    const err = await t.throwsAsync(submitted);
    t.is((err as { code?: string }).code, 'SHUTTING_DOWN', JSON.stringify(opts));
    t.is(store.getSweep('big'), undefined);
    t.is(store.db.prepare('SELECT count(*) FROM tasks').pluck().get(), 0);
  }
});

test('results and a failure committed while the submit thread writes a sweep holding their keys complete its rows, and its counts match its rows', async (t) => {
  const { scheduler, store, worker } = setup(t, { submitThreadMin: 1000, submitThreadWait: 0 });
  const w = worker('a');
  // 'first' (6 tasks, written inline) is leased; 'big' holds its keys as its first six rows.
  await scheduler.submit({ ...grid('first', 6), maxAttempts: 1 });
  scheduler.credit(w.id, 6, 100);
  await until(() => w.leases().reduce((n, l) => n + l.tasks!.length, 0) === 6);
  const big = { ...grid('big', 60_000), name: 'big' };
  let submitting = true;
  const submitted = scheduler.submit(big).finally(() => (submitting = false));
  const bigRows = () => store.db.prepare('SELECT state, count(*) FROM tasks WHERE sweep_id = 2 GROUP BY state ORDER BY state').raw().all();
  // Its first rows are committed (pending: 'first' has no result yet) while the thread goes on.
  await until(() => (store.db.prepare('SELECT count(*) FROM tasks WHERE sweep_id = 2').pluck().get() as number) >= 6, 30_000);
  const leased = w.leases().flatMap((lease) => lease.tasks!.map((task) => ({ lease, task })));
  for (const { lease, task } of leased.slice(0, 5)) {
    await results(scheduler, w.id, [{ key: task.key!, leaseId: lease.leaseId!, attempt: task.attempt!, result: resultFor(task.config) }]);
  }
  const { lease, task } = leased[5]!;
  scheduler.failure(w.id, { key: task.key!, leaseId: lease.leaseId!, attempt: task.attempt!, code: 'SIM_ERROR', message: 'boom' });
  t.true(submitting, 'the results and the failure were committed while big was still being written');
  const progress = (await submitted).progress;
  t.like(progress, { state: 'running', total: 60_000, done: 5, cached: 5, computed: 0, failed: 1 });
  // pending 0, cached 2, failed 3: the rows agree with the counts.
  t.deepEqual(bigRows(), [[0, 59_994], [2, 5], [3, 1]]);
  t.like(scheduler.progress('first'), { state: 'failed', done: 5, computed: 5, failed: 1 });
});

test('past its limit the WAL starts over while the submit thread and the coordinator write: its file stays a fraction of its size without a limit', async (t) => {
  // Grids of 100,000 rows written by the submit thread, at least four and for at least a second
  // (the checkpointer looks every 100 ms: a fast machine writes a whole grid between two looks,
  // and on a loaded one the checkpointer's thread may not run for a while), then results.
  const walAfter = async (walRestartPages: number, grids: number | undefined) => {
    const { scheduler, store, worker } = setup(t, { submitThreadMin: 0, submitThreadWait: 0, walRestartPages });
    const t0 = performance.now();
    let n = 0;
    while (grids === undefined ? n < 4 || performance.now() - t0 < 1000 : n < grids) await scheduler.submit(bigGrid(`big${n}`, n++ * 100_000, 100_000));
    const w = worker('a');
    for (let round = 0; round < 4; round++) {
      scheduler.credit(w.id, 25, 100);
      await until(() => w.leases().length === round + 1);
      const lease = w.leases()[round]!;
      await results(scheduler, w.id, lease.tasks!.map((task) => ({ key: task.key!, leaseId: lease.leaseId!, attempt: task.attempt!, result: resultFor(task.config) })));
    }
    t.is(scheduler.progress('big0').done, 100);
    return { bytes: statSync(`${store.path}-wal`).size, grids: n };
  };
  const unlimited = await walAfter(1e9, undefined);
  // 64 pages: 256 KiB of 4 KiB pages.
  const limited = await walAfter(64, unlimited.grids);
  t.true(unlimited.bytes > 4 * 2 ** 20, `without a limit the WAL file grew to ${unlimited.bytes} bytes`);
  t.true(limited.bytes * 3 < unlimited.bytes, `over ${limited.grids} grids, with a limit of 64 pages the WAL file grew to ${limited.bytes} bytes, without one to ${unlimited.bytes}`);
});

test('results that arrive while the checkpointer pauses the writers are committed and acknowledged once it lifts the pause', async (t) => {
  const { scheduler, store, worker } = setup(t);
  await scheduler.submit(grid('g', 4));
  const w = worker('a');
  scheduler.credit(w.id, 4, 100);
  await until(() => w.leases().length === 1);
  const lease = w.leases()[0]!;
  // What the checkpointer thread does to start the WAL over (slot 0 of the shared pause).
  const pause = new Int32Array(store.walPause.buffer);
  Atomics.store(pause, 0, 1);
  let acked: Ack | undefined;
  scheduler.results(w.id, lease.tasks!.map((task) => ({ key: task.key!, leaseId: lease.leaseId!, attempt: task.attempt!, result: resultFor(task.config) })), (a) => (acked = a));
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 2));
  t.is(acked, undefined, 'nothing is committed while the pause is on');
  t.is(store.db.prepare('SELECT count(*) FROM results').pluck().get(), 0);
  Atomics.store(pause, 0, 0);
  Atomics.notify(pause, 0);
  await until(() => acked !== undefined);
  t.is(acked!.accepted.length, 4);
  t.is(store.db.prepare('SELECT count(*) FROM results').pluck().get(), 4);
  t.like(scheduler.progress('g'), { state: 'done', done: 4, computed: 4 });
});

test('a reader holding an old snapshot keeps the WAL from starting over, and the writers are not paused for it', async (t) => {
  const { scheduler, store } = setup(t, { submitThreadMin: 0, submitThreadWait: 0, walRestartPages: 64 });
  await scheduler.submit(grid('first', 2));
  // Another connection in a read transaction (an export from the store file, say) pins the WAL's frames.
  const reader = new Database(store.path, { readonly: true });
  t.teardown(() => reader.close());
  reader.prepare('BEGIN').run();
  reader.prepare('SELECT count(*) FROM tasks').get();
  let samples = 0;
  let paused = 0;
  const sampler = setInterval(() => {
    samples++;
    if (store.walPause.on) paused++;
  }, 1);
  // Written for at least 300 samples (a fast machine writes a grid in less).
  for (let n = 0; n === 0 || samples < 300; n++) await scheduler.submit(bigGrid(`big${n}`, n * 60_000, 60_000));
  clearInterval(sampler);
  reader.prepare('COMMIT').run();
  t.true(statSync(`${store.path}-wal`).size > 64 * 4096 * 4, 'the WAL grew past its limit');
  t.true(paused <= samples / 10, `the writers were paused in ${paused} of ${samples} samples`);
});

test('while results cannot be committed (a full disk, a read-only store), leasing waits 1 s, then 2 s, logging once per wait; once commits hold again the sweep finishes', async (t) => {
  const { lines, logger } = logged();
  const { scheduler, store, worker } = setup(t, {}, logger);
  await scheduler.submit(grid('full', 4));
  const w = worker('a');
  // Every write of the scheduler's connection fails, as on a full disk or a file made read-only
  // (SQLite then refuses each commit; its error here is SQLITE_READONLY).
  store.db.pragma('query_only = 1');
  const failed = () => lines.filter((l) => l['level'] === 50 && /could not write to the store/.test(String(l['msg'])));
  const leaseAt: number[] = [];
  for (let round = 0; round < 3; round++) {
    const before = w.leases().length;
    scheduler.credit(w.id, 2, 100);
    await until(() => w.leases().length > before, 10_000);
    leaseAt.push(Date.now());
    const lease = w.leases().at(-1)!;
    // In round 1 the results come one per batch: the second fails during the wait the first
    // started, and only counts (no second line, no longer wait).
    const batches = round === 1 ? lease.tasks!.map((x) => ({ ...lease, tasks: [x] })) : [lease];
    for (const b of batches) {
      const ack = await answer(scheduler, w.id, b);
      t.deepEqual(ack.accepted, [], `round ${round}: nothing was stored`);
      t.is(ack.rejected.length, b.tasks!.length);
    }
  }
  // Before, the requeued tasks went out again at once, and every round logged an error.
  t.true(leaseAt[1]! - leaseAt[0]! >= 900, `first wait ${leaseAt[1]! - leaseAt[0]!} ms`);
  t.true(leaseAt[2]! - leaseAt[1]! >= 1900, `second wait ${leaseAt[2]! - leaseAt[1]!} ms`);
  t.deepEqual(failed().map((l) => [l['failedCommits'], l['holdMs']]), [[1, 1000], [2, 2000], [4, 4000]]);
  t.regex(String(failed()[0]!['err']), /readonly/);
  t.is(scheduler.progress('full').done, 0);
  // Space again: the third wait (4 s) ends, the tasks go out, and their results are stored.
  store.db.pragma('query_only = 0');
  await runToEnd(scheduler, w, 'full');
  t.like(scheduler.progress('full'), { state: 'done', done: 4, failed: 0 });
  t.like(lines.find((l) => l['msg'] === 'results are committed again'), { failedCommits: 4 });
});

test('a cancel the store cannot take changes nothing: the sweep runs on, and a cancel once it can counts each task once', async (t) => {
  const { scheduler, store } = setup(t);
  await scheduler.submit(grid('c', 4));
  // The transaction fails after its first writes, as a full disk does at a later page (query_only would
  // refuse its BEGIN, before anything changed).
  store.db.exec(`CREATE TEMP TRIGGER full BEFORE INSERT ON events WHEN NEW.kind = 'cancelled' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
  // (better-sqlite3's error is not an Error of this realm: hence any.)
  t.throws(() => scheduler.cancel('c'), { any: true, message: /disk is full/ });
  // Before, memory said cancelled (and nothing was leased again) while the store said running.
  t.like(scheduler.progress('c'), { state: 'running', cancelled: 0 });
  t.like(store.getSweep('c'), { state: 'running', cancelled: 0 });
  store.db.exec('DROP TRIGGER full');
  // Before, this second cancel added the 4 tasks to the 4 the failed one had counted in memory.
  t.like(scheduler.cancel('c'), { state: 'cancelled', cancelled: 4, done: 0, total: 4 });
  t.like(store.getSweep('c'), { state: 'cancelled', cancelled: 4 });
});

test('a store file deleted under the scheduler is noticed: it logs why, refuses every write and acknowledges no result after it', async (t) => {
  const { lines, logger } = logged();
  const { scheduler, store, worker } = setup(t, {}, logger);
  await scheduler.submit(grid('gone', 4));
  const w = worker('a');
  scheduler.credit(w.id, 4, 100);
  await until(() => w.leases().flatMap((l) => l.tasks!).length === 4);
  const tasks = w.leases().flatMap((l) => l.tasks!.map((x) => ({ key: x.key!, leaseId: l.leaseId!, attempt: x.attempt!, result: resultFor(x.config) })));
  t.is((await results(scheduler, w.id, tasks.slice(0, 2))).accepted.length, 2);
  // SQLite writes on into the unlinked file without an error. Before, the scheduler went on
  // acknowledging results, all lost with the file when the process ended, and logged nothing.
  rmSync(store.path);
  const gone = () => lines.find((l) => l['level'] === 50 && /was deleted while this process had it open/.test(String(l['msg'])));
  await until(() => gone() !== undefined, 5000);
  const ack = await results(scheduler, w.id, tasks.slice(2));
  t.deepEqual(ack.accepted, []);
  t.is(ack.rejected.length, 2);
  t.throws(() => scheduler.cancel('gone'), { instanceOf: StoreError, message: /deleted while this process had it open: nothing more is stored/ });
  t.like(scheduler.progress('gone'), { state: 'running', done: 2 });
});

test('a task failure or a worker leaving while the store cannot be written loses no task: the failure is reported again once it can', async (t) => {
  const { scheduler, store, worker } = setup(t);
  await scheduler.submit({ ...grid('ro', 2), maxAttempts: 1 });
  const w = worker('a');
  scheduler.credit(w.id, 2, 100);
  await until(() => w.leases().length === 1);
  const lease = w.leases()[0]!;
  const [first, second] = lease.tasks!;
  store.db.pragma('query_only = 1');
  // Before, the failure's write threw out of the worker's message handler, and the task was gone from memory.
  t.notThrows(() => scheduler.failure(w.id, { key: first!.key!, leaseId: lease.leaseId!, attempt: first!.attempt!, code: 'SIM_ERROR', message: 'boom' }));
  t.notThrows(() => scheduler.removeWorker(w.id, 'stream closed'));
  t.like(scheduler.progress('ro'), { state: 'running', done: 0, failed: 0 });
  store.db.pragma('query_only = 0');
  const v = worker('b');
  scheduler.credit(v.id, 2, 100);
  // Both tasks come back once the wait after the failed write ends.
  await until(() => v.leases().flatMap((l) => l.tasks!).length === 2, 5000);
  const again = v.leases().flatMap((l) => l.tasks!.map((x) => ({ ...x, leaseId: l.leaseId! })));
  t.deepEqual(again.map((x) => x.key).sort(), [first!.key, second!.key].sort());
  for (const x of again) {
    if (x.key === first!.key) scheduler.failure(v.id, { key: x.key!, leaseId: x.leaseId, attempt: x.attempt!, code: 'SIM_ERROR', message: 'boom' });
    else await results(scheduler, v.id, [{ key: x.key!, leaseId: x.leaseId, attempt: x.attempt!, result: resultFor(x.config) }]);
  }
  t.like(scheduler.progress('ro'), { state: 'failed', done: 1, failed: 1 });
  t.is(store.db.prepare('SELECT count(*) FROM failures').pluck().get(), 1);
});
