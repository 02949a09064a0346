import test from 'ava';
import { join } from 'node:path';
import { openStore } from '@sdpo/coordinator';
import { runCli, spawnCli, tempDir, writeFile, startCluster } from './helpers/cli.js';
import { deterministic, expectedFor } from './helpers/results.js';
import { column, scalar } from './helpers/store.js';

const GRID = (name: string) =>
  `name: ${name}\naxes:\n  seed: {from: 0, to: 3}\n  method: [reinforce, sdpo]\nfixed:\n  feedback: continuous\n  noise: 0\n  steps: 20\n  vocab: 4\n  length: 3\nmaxAttempts: 3\n`;

test('a task that always throws is retried up to maxAttempts, then the sweep completes with failures (exit 1, status says so)', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const storePath = join(dir, 'store.db');
  const file = writeFile(dir, 'g.yaml', GRID('throwing'));
  const r = await runCli(['run', file, '--store', storePath, '--threads', '1'], { SDPO_FAULT_INJECT: 'throw:seed=1' });
  t.is(r.code, 1, r.stderr);
  t.regex(r.stdout, /throwing: completed with failures, 4\/6 results .* 2 failed/);
  t.regex(r.stdout, /FAULT_INJECTED: injected fault/);

  // Each failing task ran exactly maxAttempts times; the others once.
  t.is(scalar(storePath, 'SELECT count(*) FROM failures'), 6);
  t.is(scalar(storePath, 'SELECT count(DISTINCT key) FROM failures'), 2);
  t.is(scalar(storePath, "SELECT count(*) FROM failures WHERE code != 'FAULT_INJECTED'"), 0);
  t.is(scalar(storePath, 'SELECT max(attempt) FROM failures'), 3);

  const status = await runCli(['status', 'throwing', '--store', storePath, '--json']);
  t.is(status.code, 1, 'status exits 1 for a sweep with failed tasks');
  const info = JSON.parse(status.stdout) as { state: string; done: number; failed: number; failures: { code: string; message: string }[] };
  t.like(info, { state: 'failed', done: 4, failed: 2 });
  t.deepEqual(info.failures.map((f) => f.code), ['FAULT_INJECTED', 'FAULT_INJECTED']);
  const text = await runCli(['status', 'throwing', '--store', storePath]);
  t.is(text.code, 1);
  t.regex(text.stdout, /failed tasks:\n\s+#2 \w+ FAULT_INJECTED/);

  const s = openStore(storePath);
  try {
    const results = s.sweepResults('throwing');
    t.deepEqual(results.map((x) => x.config.seed), [0, 0, 2, 2]);
    t.deepEqual(results.map(deterministic), expectedFor(results));
  } finally {
    s.close();
  }
});

test('through a coordinator, a throwing task fails after maxAttempts attempts and submit --watch and status exit 1 naming it', async (t) => {
  const { dir, storePath, address, coordinator, procs } = await startCluster(t);
  const faulty = spawnCli(['worker', '--coordinator', address, '--threads', '1', '--name', 'faulty'], { SDPO_FAULT_INJECT: 'throw:seed=2,method=sdpo' });
  procs.push(faulty);
  const submitted = await runCli(['submit', writeFile(dir, 'g.yaml', GRID('cluster-fail')), '--coordinator', address, '--watch', '--json']);
  t.is(submitted.code, 1, submitted.stderr);
  t.like(JSON.parse(submitted.stdout), { state: 'failed', done: 5, failed: 1 });

  const status = await runCli(['status', 'cluster-fail', '--coordinator', address]);
  t.is(status.code, 1);
  t.regex(status.stdout, /cluster-fail\s+failed\s+5\s+6\s+1/);
  t.regex(status.stdout, /#5 \w+ FAULT_INJECTED: injected fault \(SDPO_FAULT_INJECT\) for seed 2/);
  t.is(scalar(storePath, 'SELECT count(*) FROM failures'), 3, 'tried maxAttempts times');
  t.deepEqual(column(storePath, 'SELECT attempt FROM failures ORDER BY attempt'), [1, 2, 3]);
  t.is(scalar(storePath, "SELECT count(*) FROM events WHERE kind = 'result'"), 5, 'each result recorded once');
  for (const p of [faulty, coordinator]) p.child.kill('SIGTERM');
  for (const p of [faulty, coordinator]) t.is((await p.exited).code, 0, p.stderr);
});
