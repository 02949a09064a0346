import test from 'ava';
import { join } from 'node:path';
import { openStore } from '@sdpo/coordinator';
import { runCli, spawnCli, waitFor, writeFile, startCluster } from './helpers/cli.js';

test('a worker joining mid-sweep receives tasks, and a drained worker finishes what it holds and exits 0', async (t) => {
  const { dir, storePath, address, coordinator, procs } = await startCluster(t);
  const a = spawnCli(['worker', '--coordinator', address, '--threads', '1', '--credits', '2', '--name', 'early']);
  procs.push(a);
  const file = writeFile(dir, 'g.yaml', 'name: joining\naxes:\n  seed: {from: 0, to: 100}\n  method: [reinforce, sdpo]\n  feedback: [continuous, binary]\n  noise: [0]\nfixed:\n  steps: 1000\n');
  t.is((await runCli(['submit', file, '--coordinator', address])).code, 0);

  const count = (sql: string, ...args: unknown[]) => {
    const s = openStore(storePath);
    try {
      return s.db.prepare(sql).pluck().get(...args) as number;
    } finally {
      s.close();
    }
  };
  const byWorker = (name: string) => count('SELECT count(*) FROM results WHERE worker = ?', name);
  await waitFor('the first worker to store a result', () => byWorker('early') >= 1, 120_000, 100);

  const b = spawnCli(['worker', '--coordinator', address, '--threads', '1', '--name', 'late']);
  procs.push(b);
  await waitFor('the late worker to store a result', () => byWorker('late') >= 1, 120_000, 100);
  t.true(count("SELECT done FROM sweeps WHERE name = 'joining'") < 400, 'the late worker joined mid-sweep');

  const beforeDrain = byWorker('early');
  // Drained through the coordinator, as an operator would from anywhere (SIGTERM does the same locally).
  const drained = await runCli(['drain', 'early', '--coordinator', address, '--json']);
  t.is(drained.code, 0, drained.stderr);
  t.deepEqual((JSON.parse(drained.stdout) as { name: string }[]).map((w) => w.name), ['early']);
  t.is((await a.exited).code, 0, a.stderr);
  const unknown = await runCli(['drain', 'nobody', '--coordinator', address]);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /no connected worker with id or name 'nobody' \(connected: late \(w\d+-/);
  // What the drained worker held was finished and recorded, not requeued.
  t.is(count("SELECT count(*) FROM events WHERE kind = 'requeued'"), 0);
  t.is(count("SELECT count(*) FROM events WHERE kind = 'rejected'"), 0);
  t.true(byWorker('early') >= beforeDrain);

  // The late worker carries on alone; the sweep is big enough to outlast slow process starts, so end it here.
  const afterDrain = count("SELECT done FROM sweeps WHERE name = 'joining'");
  await waitFor('the late worker to carry on alone', () => count("SELECT done FROM sweeps WHERE name = 'joining'") > afterDrain, 120_000, 100);
  const cancelled = await runCli(['cancel', 'joining', '--coordinator', address, '--json']);
  t.is(cancelled.code, 0, cancelled.stderr);
  t.is(JSON.parse(cancelled.stdout).state, 'cancelled');
  t.is(count("SELECT count(*) FROM events WHERE kind = 'result'"), count('SELECT count(*) FROM results'), 'each result recorded once');
  b.child.kill('SIGTERM');
  t.is((await b.exited).code, 0, b.stderr);
  coordinator.child.kill('SIGTERM');
  t.is((await coordinator.exited).code, 0);
});
