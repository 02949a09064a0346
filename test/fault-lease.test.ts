import test from 'ava';
import { join } from 'node:path';
import { openStore } from '@sdpo/coordinator';
import { killIfRunning, runCli, spawnCli, tempDir, waitFor, waitForOutput, writeFile, type CliProcess } from './helpers/cli.js';
import { deterministic, expectedFor } from './helpers/results.js';
import { scalar } from './helpers/store.js';

test('a worker stopped (SIGSTOP) past its lease deadline loses its tasks to another worker, and after SIGCONT nothing is stored twice', async (t) => {
  const { dir, cleanup } = tempDir();
  const procs: CliProcess[] = [];
  t.teardown(() => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGCONT');
    procs.forEach(killIfRunning);
    cleanup();
  });
  const storePath = join(dir, 'store.db');
  const q = <T = number>(sql: string, ...args: unknown[]) => scalar<T>(storePath, sql, ...args);
  const coordinator = spawnCli(['coordinator', '--listen', '127.0.0.1:0', '--store', storePath, '--lease-ms', '2000', '--heartbeat-ms', '200']);
  procs.push(coordinator);
  const [, address] = await waitForOutput(coordinator, /listening on (\S+)/);
  const a = spawnCli(['worker', '--coordinator', address!, '--threads', '1', '--credits', '2', '--name', 'stopped']);
  procs.push(a);
  // ~0.2 s per task: long enough that the stopped worker holds leased tasks, short enough to finish quickly.
  const file = writeFile(dir, 'g.yaml', 'name: stopped\naxes:\n  seed: {from: 0, to: 8}\n  method: [reinforce, sdpo]\nfixed:\n  feedback: continuous\n  noise: 0\n  steps: 4000\n');
  t.is((await runCli(['submit', file, '--coordinator', address!])).code, 0);
  await waitFor('the first worker to store a result', () => q("SELECT count(*) FROM results WHERE worker = 'stopped'") >= 1, 60_000, 50);
  a.child.kill('SIGSTOP');
  const b = spawnCli(['worker', '--coordinator', address!, '--threads', '1', '--name', 'healthy']);
  procs.push(b);
  const expired = await waitFor('the stopped worker\'s lease to expire', () => q<string | undefined>("SELECT detail FROM events WHERE kind = 'requeued' AND detail LIKE '%lease expired%'"), 30_000, 50);
  t.true((JSON.parse(expired) as { tasks: number }).tasks >= 1, 'it held tasks, and they were requeued');
  // Results it sent just before the stop may have been committed until now; from here on nothing of it may be stored.
  const byStoppedAtStop = q("SELECT count(*) FROM results WHERE worker = 'stopped'");
  t.true(byStoppedAtStop < 16, 'stopped part-way');
  await waitFor('the sweep to finish without the stopped worker', () => q("SELECT state FROM sweeps WHERE name = 'stopped'") as unknown === 'done', 90_000, 100);
  t.is(q("SELECT count(*) FROM results WHERE worker = 'stopped'"), byStoppedAtStop, 'nothing was stored from the stopped worker while it was stopped');

  // Resume the stopped worker: whatever it finished late must not be stored again.
  a.child.kill('SIGCONT');
  await waitFor('the resumed worker to notice its stream is gone', () => /disconnected from coordinator/.test(a.stderr), 30_000);
  a.child.kill('SIGTERM');
  t.is((await a.exited).code, 0, a.stderr);
  b.child.kill('SIGTERM');
  t.is((await b.exited).code, 0, b.stderr);
  coordinator.child.kill('SIGTERM');
  t.is((await coordinator.exited).code, 0, coordinator.stderr);

  t.is(q("SELECT count(*) FROM events WHERE kind = 'result'"), 16, 'each result recorded exactly once');
  t.is(q("SELECT count(DISTINCT key) FROM events WHERE kind = 'result'"), 16);
  t.is(q("SELECT count(*) FROM results WHERE worker = 'stopped'"), byStoppedAtStop, 'late results were fenced');
  const s = openStore(storePath);
  try {
    const results = s.sweepResults('stopped');
    t.is(results.length, 16);
    t.deepEqual(results.map(deterministic), expectedFor(results));
  } finally {
    s.close();
  }
});
