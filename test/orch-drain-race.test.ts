import test from 'ava';
import { join } from 'node:path';
import pino from 'pino';
import { startCoordinator } from '@sdpo/coordinator';
import { parseGridData } from '@sdpo/protocol';
import { startWorker } from '@sdpo/worker';
import { testScratch, waitFor } from './helpers/cli.js';

// A worker that drains itself (SIGTERM) holding nothing used to leave at once; a lease
// answering one of its credits could cross its leaving and be lost with the stream
// (requeued, counting a loss). It now asks the coordinator to drain it first, and leaves
// only once the coordinator's Drain has come back: any lease sent before it has arrived.
test('a worker draining itself with credits unanswered loses no lease: whatever crossed its drain it runs', async (t) => {
  const { dir } = testScratch(t);
  const silent = pino({ level: 'silent' });
  const coord = await startCoordinator({ storePath: join(dir, 's.db'), listen: '127.0.0.1:0', logger: silent });
  t.teardown(() => coord.close());
  const worker = startWorker({ coordinator: `127.0.0.1:${coord.port}`, logger: silent, threads: 1, credits: 8, name: 'leaving' });
  // Its credits are in once the coordinator knows it; nothing to lease yet.
  await waitFor('the worker joined', () => coord.scheduler.workerViews().length === 1, 20_000);
  await new Promise((r) => setTimeout(r, 200));
  const def = parseGridData({
    name: 'race',
    axes: { seed: { from: 0, to: 40 }, method: ['reinforce'], feedback: ['binary'], noise: [0] },
    fixed: { steps: 1, vocab: 3, length: 2, group: 2 },
  });
  // The drain and the first tasks start in the same turn: the coordinator leases against the credits it holds.
  const drained = worker.drain('test: leaving');
  await coord.scheduler.submit(def);
  await drained;
  await waitFor('the worker left', () => coord.scheduler.workerViews().length === 0, 20_000);
  const q = (sql: string) => coord.store.db.prepare(sql).pluck().get() as number;
  t.is(q("SELECT count(*) FROM events WHERE kind = 'requeued'"), 0, 'nothing it was leased went back to the queue');
  t.is(q('SELECT count(*) FROM results'), worker.stats.completed, 'every task it took is stored');
  t.is(q("SELECT done FROM sweeps WHERE name = 'race'"), worker.stats.completed);
});
