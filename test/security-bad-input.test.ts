import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { CoordinatorError, startCoordinator, type RunningCoordinator } from '@sdpo/coordinator';
import { createSweepClient, parseGridData, PROTOCOL_VERSION, resultToWire, taskKey, configFromWire, type WorkerMessage } from '@sdpo/protocol';
import { runSimulation, SIM_VERSION } from '@sdpo/sim';
import { startWorker } from '@sdpo/worker';
import { tempDir, waitFor } from './helpers/cli.js';
import { deterministic } from './helpers/results.js';
import { encodeWorkerMessage, rawConnect, type RawStream } from './helpers/raw-worker.js';
import { prng } from './helpers/prng.js';

// One coordinator for the whole file; tests run serially because each checks
// that the store did not change under hostile input.
const MAX_BYTES = 256 * 1024;
const logger = pino({ level: 'silent' });
let coord: RunningCoordinator;
let address: string;
let cleanup: () => void;

const hello = (extra: Partial<{ name: string; threads: number; simVersion: string; protocolVersion: number }> = {}): WorkerMessage => ({
  hello: { name: 'raw', threads: 1, simVersion: SIM_VERSION, protocolVersion: PROTOCOL_VERSION, ...extra },
});
const frame = (m: WorkerMessage) => encodeWorkerMessage(m);

/** Everything a hostile stream must not change: stored results and sweep counts. */
const fingerprint = () => {
  const h = createHash('sha256');
  for (const r of coord.store.db.prepare('SELECT key, body FROM results ORDER BY key').all() as { key: Buffer; body: Buffer }[]) h.update(r.key).update(r.body);
  for (const r of coord.store.db.prepare('SELECT name, done, cached, computed FROM sweeps ORDER BY id').all()) h.update(JSON.stringify(r));
  return h.digest('hex');
};

const open = (frames: readonly Buffer[]): RawStream => {
  const s = rawConnect(address, { maxSendBytes: 4 * MAX_BYTES });
  for (const f of frames) s.write(f);
  return s;
};

/** Sends frames and waits for the coordinator to end the stream; returns its status. */
const refused = async (frames: readonly Buffer[]) => {
  const s = open(frames);
  const st = await waitForStatus(s);
  return { ...st, received: s.received };
};
const waitForStatus = (s: RawStream, ms = 10_000) =>
  Promise.race([s.status, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('the coordinator did not close the stream')), ms).unref())]);

/** Opens a well-behaved raw worker, grants one credit and returns the lease it gets. */
const leased = async () => {
  const s = open([frame(hello()), frame({ credit: { tasks: 1 } })]);
  const lease = await waitFor('a lease', () => s.received.find((m) => m.lease)?.lease ?? undefined, 10_000);
  return { s, lease: lease!, task: lease!.tasks[0]! };
};

/** The ack for the next Results message on `s`. */
const ackAfter = async (s: RawStream, results: { key: string; leaseId: string; attempt: number; result: unknown }[]) => {
  const before = s.received.filter((m) => m.ack).length;
  s.write(frame({ results: { results: results as never } }));
  return waitFor('an ack', () => s.received.filter((m) => m.ack)[before]?.ack ?? undefined, 10_000);
};

test.before(async () => {
  const tmp = tempDir();
  cleanup = tmp.cleanup;
  coord = await startCoordinator({ storePath: join(tmp.dir, 's.db'), listen: '127.0.0.1:0', logger, maxMessageBytes: MAX_BYTES, leaseMs: 60_000 });
  address = `127.0.0.1:${coord.port}`;
  // A finished sweep gives the store results to protect; a second one stays pending for leases.
  await coord.scheduler.submit(parseGridData({ name: 'stored', axes: { seed: [0, 1], method: ['reinforce', 'sdpo'] }, fixed: { steps: 5, vocab: 4, length: 3, feedback: 'continuous', noise: 0 } }));
  const w = startWorker({ coordinator: address, logger, threads: 1, name: 'prefill' });
  await waitFor('the stored sweep', () => coord.scheduler.progress('stored').state === 'done', 60_000);
  await w.drain();
  await coord.scheduler.submit(parseGridData({ name: 'pending', axes: { seed: { from: 10, to: 14 } }, fixed: { steps: 5, vocab: 4, length: 3, feedback: 'continuous', noise: 0, method: 'sdpo' }, maxAttempts: 100 }));
});

test.after.always(async () => {
  await coord?.close();
  cleanup?.();
});

test.serial('random bytes, truncated and empty frames end only the offending stream with INVALID_ARGUMENT', async (t) => {
  const before = fingerprint();
  const valid = frame(hello({ name: 'a-long-enough-worker-name-to-truncate' }));
  for (const [what, bytes] of [
    ['random bytes', Buffer.from([0xff, 0xfe, 0x13, 0x99, 0x07, 0x08, 0x42])],
    ['a truncated Hello', valid.subarray(0, valid.length - 7)],
    ['an empty message', Buffer.alloc(0)],
    ['a field with the wrong wire type', Buffer.from([0x08, 0x01])],
  ] as const) {
    const st = await refused([bytes]);
    t.is(st.code, grpc.status.INVALID_ARGUMENT, `${what}: ${st.details}`);
  }
  const ok = await leased();
  t.truthy(ok.task.key, 'another worker is still served');
  ok.s.call.cancel();
  t.is(fingerprint(), before);
});

test.serial('an oversized message is refused with RESOURCE_EXHAUSTED', async (t) => {
  const before = fingerprint();
  const st = await refused([frame(hello()), frame(hello({ name: 'x'.repeat(MAX_BYTES + 10) }))]);
  t.is(st.code, grpc.status.RESOURCE_EXHAUSTED, st.details);
  t.is(fingerprint(), before);
});

test.serial('wrong field values, negative credits and a second Hello are refused with INVALID_ARGUMENT', async (t) => {
  const before = fingerprint();
  const cases: [string, Buffer[]][] = [
    ['no Hello first', [frame({ credit: { tasks: 1 } })]],
    ['zero threads', [frame(hello({ threads: 0 }))]],
    ['a 300-character name', [frame(hello({ name: 'n'.repeat(300) }))]],
    // uint32 on the wire: -1 arrives as 4294967295, far past the credit limit.
    ['negative credits', [frame(hello()), frame({ credit: { tasks: -1 } })]],
    ['a second Hello', [frame(hello()), frame(hello())]],
    ['a malformed key', [frame(hello()), frame({ failure: { key: 'not-hex', leaseId: 'l', attempt: 1, code: 'X', message: 'm' } })]],
    ['attempt 0', [frame(hello()), frame({ results: { results: [{ key: 'a'.repeat(64), leaseId: 'l', attempt: 0 }] } })]],
  ];
  for (const [what, frames] of cases) {
    const st = await refused(frames);
    t.is(st.code, grpc.status.INVALID_ARGUMENT, `${what}: ${st.details}`);
    t.is(st.metadata.get('sdpo-code')[0], 'INVALID_MESSAGE', what);
  }
  t.is(fingerprint(), before);
});

test.serial('results for unknown keys and for a lease that is not current are rejected in the ack; the stream stays open', async (t) => {
  const before = fingerprint();
  const rejectedBefore = coord.store.db.prepare("SELECT count(*) FROM events WHERE kind = 'rejected'").pluck().get() as number;
  const { s, lease, task } = await leased();
  t.teardown(() => s.call.cancel());
  const config = configFromWire(task.config);
  const good = resultToWire(runSimulation(config));
  const other = runSimulation({ ...config, seed: 999 });
  const otherKey = taskKey(other.config, SIM_VERSION);
  const ack = await ackAfter(s, [
    { key: task.key, leaseId: 'not-the-lease', attempt: task.attempt, result: good },
    { key: task.key, leaseId: lease.leaseId, attempt: task.attempt + 1, result: good },
    { key: otherKey, leaseId: lease.leaseId, attempt: 1, result: resultToWire(other) },
    { key: 'b'.repeat(64), leaseId: lease.leaseId, attempt: 1, result: good },
  ]);
  t.deepEqual(ack.accepted, []);
  t.deepEqual(ack.rejected, [task.key, task.key, otherKey, 'b'.repeat(64)]);
  s.write(frame({ heartbeat: { busy: 0 } }));
  t.false(await Promise.race([s.status.then(() => true), new Promise<boolean>((r) => setImmediate(() => r(false)))]), 'the stream is still open');
  // The three that hash to their key reach fencing and are logged; the fourth fails the shape check first.
  t.is(coord.store.db.prepare("SELECT count(*) FROM events WHERE kind = 'rejected'").pluck().get(), rejectedBefore + 3, 'fencing rejections are logged');
  s.call.cancel();
  t.is(fingerprint(), before);
});

test.serial('NaN and infinite metrics are rejected and recorded as a failed attempt, never stored', async (t) => {
  const before = fingerprint();
  const failuresBefore = coord.store.db.prepare('SELECT count(*) FROM failures').pluck().get() as number;
  const invalidEvents = () => coord.store.db.prepare("SELECT detail FROM events WHERE kind = 'invalid' ORDER BY id").pluck().all() as string[];
  const invalidBefore = invalidEvents().length;
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
    const { s, lease, task } = await leased();
    t.teardown(() => s.call.cancel());
    const r = resultToWire(runSimulation(configFromWire(task.config)));
    const ack = await ackAfter(s, [{ key: task.key, leaseId: lease.leaseId, attempt: task.attempt, result: { ...r, summary: { ...r.summary, finalReward: bad } } }]);
    t.deepEqual(ack.rejected, [task.key], String(bad));
    s.call.cancel();
  }
  const rows = coord.store.db.prepare('SELECT code FROM failures ORDER BY id DESC LIMIT 2').pluck().all();
  t.deepEqual(rows, ['INVALID_RESULT', 'INVALID_RESULT']);
  t.is(coord.store.db.prepare('SELECT count(*) FROM failures').pluck().get(), failuresBefore + 2);
  // Each refusal is in the event log with its reason.
  const logged = invalidEvents().slice(invalidBefore).map((d) => JSON.parse(d) as { reason: string });
  t.is(logged.length, 2);
  for (const e of logged) t.regex(e.reason, /result\.summary\.finalReward: expected a finite number/);
  t.is(fingerprint(), before);
});

test.serial('a grid above the per-sweep limit, or with code where values belong, is refused with INVALID_ARGUMENT and creates nothing', async (t) => {
  const before = fingerprint();
  const sweeps = coord.store.listSweeps().length;
  const client = createSweepClient(address);
  t.teardown(() => client.close());
  const range = (n: number) => Array.from({ length: n }, (_, i) => String(i));
  const fixed = [{ name: 'method', valueJson: '"sdpo"' }, { name: 'feedback', valueJson: '"binary"' }];
  const cases = [
    // 4000 × 4000 = 16 million runs: a few kB on the wire, past the 10 million limit.
    { what: 'too large', code: 'GRID_TOO_LARGE', grid: { name: 'huge', axes: [{ name: 'seed', valuesJson: range(4000) }, { name: 'noise', valuesJson: range(4000).map((x) => String(Number(x) / 4000)) }], fixed, maxAttempts: 0 } },
    { what: 'not JSON', code: 'INVALID_GRID', grid: { name: 'code', axes: [{ name: 'seed', valuesJson: ['process.exit(1)'] }], fixed, maxAttempts: 0 } },
    { what: 'a string of code', code: 'INVALID_GRID', grid: { name: 'code2', axes: [{ name: 'seed', valuesJson: ['"require(\'child_process\')"'] }, { name: 'noise', valuesJson: ['0'] }], fixed, maxAttempts: 0 } },
    // A range of 10^12 seeds: a few bytes on the wire. Expanded before the size check, it took the coordinator down.
    { what: 'a huge range', code: 'GRID_TOO_LARGE', grid: { name: 'range', axes: [{ name: 'seed', valuesJson: [], range: { from: 0, to: 1e12 } }, { name: 'noise', valuesJson: ['0'] }], fixed, maxAttempts: 0 } },
    { what: 'an axis twice', code: 'INVALID_GRID', grid: { name: 'twice', axes: [{ name: 'seed', valuesJson: ['1'] }, { name: 'seed', valuesJson: ['2'] }, { name: 'noise', valuesJson: ['0'] }], fixed, maxAttempts: 0 } },
    { what: 'no grid', code: 'INVALID_MESSAGE', grid: null },
  ];
  for (const c of cases) {
    const err = await t.throwsAsync(client.submit(c.grid as never));
    t.is((err as unknown as grpc.ServiceError).code, grpc.status.INVALID_ARGUMENT, c.what);
    t.is((err as unknown as grpc.ServiceError).metadata.get('sdpo-code')[0], c.code, c.what);
  }
  t.is(coord.store.listSweeps().length, sweeps);
  t.is(fingerprint(), before);
});

test('a listen or metrics address with a port past 65535 is refused with its name before the store is opened', async (t) => {
  const { dir, cleanup: rm } = tempDir();
  t.teardown(rm);
  for (const [opts, what] of [[{ listen: '127.0.0.1:99999' }, 'listen address'], [{ listen: '127.0.0.1:0', metrics: '127.0.0.1:70000' }, 'metrics address']] as const) {
    const err = await t.throwsAsync(startCoordinator({ storePath: join(dir, 'never.db'), logger: pino({ level: 'silent' }), ...opts }), { instanceOf: CoordinatorError });
    t.is((err as CoordinatorError).code, 'INVALID_ADDRESS');
    t.regex(err!.message, new RegExp(`^${what}: expected HOST:PORT with a port from 0 to 65535`));
  }
  t.false(existsSync(join(dir, 'never.db')));
});

test.serial('200 seeded random mutations of valid messages never crash the coordinator nor change the store', async (t) => {
  const before = fingerprint();
  const rnd = prng(20261127);
  const int = (n: number) => Math.floor(rnd() * n);
  const sample = resultToWire(runSimulation(configFromWire(coord.scheduler.store.sweepResults('stored')[0]!.config as never)));
  const bases: Buffer[][] = [
    [frame(hello()), frame({ credit: { tasks: 2 } })],
    [frame(hello()), frame({ heartbeat: { busy: 1 } })],
    [frame(hello()), frame({ results: { results: [{ key: 'c'.repeat(64), leaseId: 'l-1', attempt: 1, result: sample }] } })],
    [frame(hello()), frame({ failure: { key: 'd'.repeat(64), leaseId: 'l-2', attempt: 2, code: 'SIM_ERROR', message: 'boom' } })],
  ];
  const mutate = (b: Buffer): Buffer => {
    const x = Buffer.from(b);
    switch (int(4)) {
      case 0: // flip a few bytes
        for (let i = 0, n = 1 + int(4); i < n && x.length; i++) x[int(x.length)] = int(256);
        return x;
      case 1: // truncate
        return x.subarray(0, int(x.length));
      case 2: { // insert random bytes
        const at = int(x.length + 1);
        return Buffer.concat([x.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(8) }, () => int(256))), x.subarray(at)]);
      }
      default: // set a length or tag byte to an extreme
        if (x.length) x[int(Math.min(x.length, 8))] = [0x00, 0x7f, 0x80, 0xff][int(4)]!;
        return x;
    }
  };
  const seen = new Map<number, number>();
  for (let i = 0; i < 200; i++) {
    const base = bases[int(bases.length)]!;
    const which = int(base.length);
    const frames = base.map((f, j) => (j === which ? mutate(f) : f));
    const s = open(frames);
    // End our side: a stream the coordinator accepted then ends with OK.
    s.close();
    const st = await waitForStatus(s);
    seen.set(st.code, (seen.get(st.code) ?? 0) + 1);
    t.true([grpc.status.OK, grpc.status.INVALID_ARGUMENT, grpc.status.FAILED_PRECONDITION].includes(st.code), `mutation ${i}: ${st.code} ${st.details}`);
  }
  t.log('statuses:', Object.fromEntries([...seen].map(([k, v]) => [grpc.status[k], v])));
  t.true((seen.get(grpc.status.INVALID_ARGUMENT) ?? 0) > 0, 'some mutations were refused');
  const client = createSweepClient(address);
  try {
    t.is((await client.get('stored')).state, 'done', 'the coordinator still answers');
  } finally {
    client.close();
  }
  t.is(fingerprint(), before);
});

test.serial('after all that, a real worker completes the pending sweep with results equal to runSimulation', async (t) => {
  const w = startWorker({ coordinator: address, logger, threads: 1, name: 'honest' });
  await waitFor('the pending sweep', () => coord.scheduler.progress('pending').state !== 'running', 60_000);
  await w.drain();
  t.is(coord.scheduler.progress('pending').state, 'done');
  const results = coord.store.sweepResults('pending');
  t.is(results.length, 4);
  t.deepEqual(results.map(deterministic), results.map((r) => deterministic(runSimulation(r.config))));
  t.is(coord.store.countEvents('pending', 'result'), 4, 'each result recorded once');
});
