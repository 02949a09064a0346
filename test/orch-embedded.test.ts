import test from 'ava';
import { join } from 'node:path';
import { openStore } from '@sdpo/coordinator';
import { PRESETS, gridSize } from '@sdpo/sim';
import { runCli, tempDir, writeFile } from './helpers/cli.js';
import { deterministic, expectedFor } from './helpers/results.js';

test('embedded `sdpo run` of the smoke grid stores results equal to runSimulation and prints a summary', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const storePath = join(dir, 'store.db');
  const grid = writeFile(dir, 'smoke.yaml', 'name: smoke-embedded\npreset: smoke\n');
  const r = await runCli(['run', grid, '--store', storePath, '--threads', '2', '--json']);
  t.is(r.code, 0, r.stderr);
  const total = gridSize(PRESETS.smoke);
  const out = JSON.parse(r.stdout) as { state: string; done: number; computed: number; cached: number; meanFinalReward: unknown[] };
  t.like(out, { state: 'done', done: total, computed: total, cached: 0 });
  t.is(out.meanFinalReward.length, 4, 'one mean per method × feedback');

  const store = openStore(storePath);
  try {
    const results = store.sweepResults('smoke-embedded');
    t.is(results.length, total);
    t.deepEqual(results.map((x) => x.config.seed), [...Array(8).fill(0), ...Array(8).fill(1), ...Array(8).fill(2)], 'grid order, seed-major');
    t.deepEqual(results.map(deterministic), expectedFor(results));
  } finally {
    store.close();
  }
});

test('the text output of `sdpo run` ends with a mean finalReward table per method × feedback', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const grid = writeFile(dir, 'tiny.yaml', 'name: tiny\naxes:\n  seed: [0]\n  method: [reinforce, sdpo]\n  feedback: [binary]\n  noise: [0]\nfixed:\n  steps: 5\n');
  const r = await runCli(['run', grid, '--store', join(dir, 's.db'), '--threads', '1']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /tiny: done, 2\/2 results/);
  t.regex(r.stdout, /mean finalReward \(method × feedback\)/);
  t.regex(r.stdout, /^reinforce\s+0\.\d{4}$/m);
  t.regex(r.stdout, /^sdpo\s+0\.\d{4}$/m);
  t.regex(r.stderr, /progress tiny: 2\/2 done/, 'plain progress lines when stderr is not a TTY');
});
