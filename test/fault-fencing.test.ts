import test from 'ava';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { startCoordinator } from '@sdpo/coordinator';
import { configFromWire, parseGridData, PROTOCOL_VERSION, resultToWire, type WorkerMessage } from '@sdpo/protocol';
import { runSimulation, SIM_VERSION } from '@sdpo/sim';
import { tempDir, waitFor } from './helpers/cli.js';
import { deterministic } from './helpers/results.js';
import { encodeWorkerMessage, rawConnect, type RawStream } from './helpers/raw-worker.js';

const frame = (m: WorkerMessage) => encodeWorkerMessage(m);
const hello = (name: string) => frame({ hello: { name, threads: 1, simVersion: SIM_VERSION, protocolVersion: PROTOCOL_VERSION } });

/** Keeps a raw stream's leases alive the way a real worker does (the lease period here is short). */
function heartbeats(t: import('ava').ExecutionContext, s: RawStream): void {
  const timer = setInterval(() => s.write(frame({ heartbeat: { busy: 0 } })), 50);
  t.teardown(() => {
    clearInterval(timer);
    s.call.cancel();
  });
}

/** Sends one Results message and returns the ack that answers it. */
async function send(s: RawStream, results: { key: string; leaseId: string; attempt: number; result: unknown }[]) {
  const before = s.received.filter((m) => m.ack).length;
  s.write(frame({ results: { results: results as never } }));
  return waitFor('an ack', () => s.received.filter((m) => m.ack)[before]?.ack ?? undefined, 10_000);
}

test('a late result from an expired lease is rejected and logged until the task is stored, then accepted only if byte-identical', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const coord = await startCoordinator({ storePath: join(dir, 's.db'), listen: '127.0.0.1:0', logger: pino({ level: 'silent' }), leaseMs: 300 });
  t.teardown(() => coord.close());
  const address = `127.0.0.1:${coord.port}`;
  await coord.scheduler.submit(parseGridData({ name: 'fenced', axes: { seed: [0, 1] }, fixed: { method: 'sdpo', feedback: 'continuous', noise: 0, steps: 5, vocab: 4, length: 3 } }));
  const q = (sql: string, ...a: unknown[]) => coord.store.db.prepare(sql).pluck().get(...a) as number;

  // A worker takes a task and goes silent (no heartbeats) past its lease.
  const slow = rawConnect(address);
  slow.write(hello('slow'));
  slow.write(frame({ credit: { tasks: 1 } }));
  const lease = (await waitFor('a lease', () => slow.received.find((m) => m.lease)?.lease ?? undefined, 10_000))!;
  const task = lease.tasks[0]!;
  const st = await slow.status;
  t.is(st.code, grpc.status.DEADLINE_EXCEEDED, st.details);
  t.regex(st.details, /lease expired/);
  const late = resultToWire(runSimulation(configFromWire(task.config)));
  const lateMsg = { key: task.key, leaseId: lease.leaseId, attempt: task.attempt, result: late };

  // It comes back on a new stream with its late result: nothing is stored for the key yet, so it is refused.
  const back = rawConnect(address);
  back.write(hello('slow-again'));
  heartbeats(t, back);
  t.deepEqual(await send(back, [lateMsg]), { accepted: [], rejected: [task.key] });
  t.is(q('SELECT count(*) FROM results'), 0);
  t.is(q("SELECT count(*) FROM events WHERE kind = 'rejected'"), 1, 'the refusal is logged');

  // Another worker gets the task again (attempt 2) and its result is stored.
  const other = rawConnect(address);
  other.write(hello('other'));
  heartbeats(t, other);
  other.write(frame({ credit: { tasks: 2 } }));
  const leases = await waitFor('both tasks leased', () => {
    const ls = other.received.filter((m) => m.lease).flatMap((m) => m.lease!.tasks.map((x) => ({ leaseId: m.lease!.leaseId, ...x })));
    return ls.length === 2 ? ls : undefined;
  }, 10_000);
  const again = leases.find((x) => x.key === task.key)!;
  t.is(again.attempt, task.attempt + 1, 'each lease bumps the attempt');
  const ack = await send(other, leases.map((x) => ({ key: x.key, leaseId: x.leaseId, attempt: x.attempt, result: resultToWire(runSimulation(configFromWire(x.config))) })));
  t.deepEqual(ack.rejected, []);
  t.is(coord.scheduler.progress('fenced').state, 'done');

  // Now the late result is byte-identical to the stored one: accepted, but not stored twice.
  t.deepEqual(await send(back, [lateMsg]), { accepted: [task.key], rejected: [] });
  // A late result that differs from the stored one is refused and logged; the stored one is never overwritten.
  const tampered = { ...lateMsg, result: { ...late, summary: { ...late.summary, finalReward: Number(late.summary!.finalReward) + 1e-9 } } };
  t.deepEqual(await send(back, [tampered]), { accepted: [], rejected: [task.key] });
  t.is(q("SELECT count(*) FROM events WHERE kind = 'rejected'"), 2);
  t.is(q("SELECT count(*) FROM events WHERE kind = 'result'"), 2, 'each result recorded exactly once');
  t.is(q('SELECT count(*) FROM results'), 2);
  const results = coord.store.sweepResults('fenced');
  t.deepEqual(results.map(deterministic), results.map((r) => deterministic(runSimulation(r.config))));
});
