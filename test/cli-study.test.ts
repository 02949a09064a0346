import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSimulation } from '@sdpo/sim';
import { escapeRegExp, runCli, tempDir } from './helpers/cli.js';
import { deterministic } from './helpers/results.js';

test('sdpo study --preset smoke runs the preset, writes the report and prints the claims table; a rerun reuses the stored sweep and writes an identical report', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const store = join(dir, 'store.db');
  const out = join(dir, 'report');
  const first = await runCli(['study', '--preset', 'smoke', '--store', store, '--out', out, '--bootstrap', '200', '--threads', '2']);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stderr, /preset-smoke: 24\/24 results \(24 computed, 0 from the store\)/);
  t.regex(first.stdout, /report of 24 runs written to/);
  t.regex(first.stdout, new RegExp(`open ${escapeRegExp(join(out, 'index.html'))}`));
  // The claims table: a header and one row per claim of the aggregation spec (§5).
  t.regex(first.stdout, /#\s+verdict\s+estimate\s+95% CI\s+p\s+claim/);
  for (let id = 1; id <= 9; id++) t.regex(first.stdout, new RegExp(`^${id}\\s+(supported|direction only|not supported|inconclusive)\\s`, 'm'));
  for (const f of ['index.html', 'report.md', 'summary.json', 'runs.csv']) t.true(existsSync(join(out, f)), f);
  const csvLines = readFileSync(join(out, 'runs.csv'), 'utf8').trim().split('\n');
  t.is(csvLines.length, 1 + 24);

  const summaryBefore = readFileSync(join(out, 'summary.json'), 'utf8');
  const again = await runCli(['study', '--preset', 'smoke', '--store', store, '--out', out, '--bootstrap', '200', '--threads', '2', '--json']);
  t.is(again.code, 0, again.stderr);
  const outcome = JSON.parse(again.stdout) as { sweeps: { computed: number; cached: number; done: number }[]; report: { runs: number } };
  t.is(outcome.sweeps[0]!.done, 24);
  t.is(outcome.report.runs, 24);
  // Same stored results and bootstrap seed: the analysis is byte-identical.
  t.is(readFileSync(join(out, 'summary.json'), 'utf8'), summaryBefore);
});

test('sdpo report names a missing sweep and exits 2', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const store = join(dir, 'store.db');
  const r = await runCli(['study', '--preset', 'nope', '--store', store]);
  t.is(r.code, 2);
  t.regex(r.stderr, /--preset: unknown preset 'nope'/);
  t.false(existsSync(store));
  const noStore = await runCli(['report', 'preset-smoke', '--store', store]);
  t.is(noStore.code, 2);
  t.regex(noStore.stderr, /no store at/);
});

test('sdpo sim --json prints the full RunResult of runSimulation', async (t) => {
  const r = await runCli(['sim', '--method', 'sdpo', '--feedback', 'critique', '--noise', '0.1', '--seed', '0', '--steps', '20', '--json']);
  t.is(r.code, 0, r.stderr);
  const printed = JSON.parse(r.stdout);
  t.deepEqual(deterministic(printed), deterministic(runSimulation({ method: 'sdpo', feedback: 'critique', noise: 0.1, seed: 0, steps: 20 })));
});

test('sdpo sim rejects bad flags and values with the field named, exit 2 and no stack trace', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--method', 'ppo', '--feedback', 'critique', '--noise', '0.1', '--seed', '0'], /--method/],
    [['--method', 'sdpo', '--feedback', 'critique', '--noise', '-1', '--seed', '0'], /--noise/],
    [['--method', 'sdpo', '--feedback', 'critique', '--noise', 'abc', '--seed', '0'], /--noise: expected a number/],
    [['--method', 'sdpo', '--feedback', 'critique', '--noise', '0', '--seed', '0', '--vocab', '32', '--length', '12'], /--length/],
    [['--method', 'sdpo', '--feedback', 'critique', '--noise', '0', '--seed', '0', '--temperature', '2'], /temperature/],
    [['--method', 'sdpo', '--noise', '0', '--seed', '0'], /--feedback/],
  ];
  for (const [args, re] of cases) {
    const r = await runCli(['sim', ...args]);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, re);
    t.notRegex(r.stderr, /\n\s+at /, 'no stack trace');
  }
});
