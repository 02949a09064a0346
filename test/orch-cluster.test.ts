import test from 'ava';
import { join } from 'node:path';
import { openStore } from '@sdpo/coordinator';
import { PRESETS, gridSize } from '@sdpo/sim';
import { runCli, spawnCli, waitFor, writeFile, startCluster } from './helpers/cli.js';
import { deterministic, expectedFor } from './helpers/results.js';

test('the smoke preset through a coordinator and two worker processes completes with results equal to runSimulation', async (t) => {
  const { dir, storePath, address, coordinator, procs } = await startCluster(t);
  const workers = ['a', 'b'].map((name) => spawnCli(['worker', '--coordinator', address, '--threads', '1', '--name', name]));
  procs.push(...workers);

  const grid = writeFile(dir, 'smoke.yaml', 'name: smoke-cluster\npreset: smoke\n');
  const submitted = await runCli(['submit', grid, '--coordinator', address, '--json']);
  t.is(submitted.code, 0, submitted.stderr);
  const total = gridSize(PRESETS.smoke);
  t.is(JSON.parse(submitted.stdout).total, total);

  const final = await waitFor('the sweep to finish', async () => {
    const s = await runCli(['status', 'smoke-cluster', '--coordinator', address, '--json']);
    const info = JSON.parse(s.stdout) as { state: string; done: number };
    return info.state !== 'running' ? info : undefined;
  }, 120_000, 250);
  t.is(final.state, 'done');
  t.is(final.done, total);

  for (const w of workers) w.child.kill('SIGTERM');
  for (const w of workers) t.is((await w.exited).code, 0, w.stderr);
  coordinator.child.kill('SIGTERM');
  t.is((await coordinator.exited).code, 0, coordinator.stderr);

  const store = openStore(storePath);
  try {
    const results = store.sweepResults('smoke-cluster');
    t.is(results.length, total);
    t.deepEqual(results.map(deterministic), expectedFor(results));
    t.is(store.countEvents('smoke-cluster', 'result'), total, 'each result recorded exactly once');
  } finally {
    store.close();
  }
});
