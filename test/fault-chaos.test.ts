import test from 'ava';
import { join } from 'node:path';
import { runCli, spawnCli, testScratch, waitFor, waitForOutput, writeFile, type CliProcess } from './helpers/cli.js';
import { prng } from './helpers/prng.js';
import { resultBodies, scalar } from './helpers/store.js';

// 2 methods × 5 step counts × 200 seeds = 2000 tiny tasks (~1 ms each).
const GRID = 'name: chaos\naxes:\n  seed: {from: 0, to: 200}\n  method: [reinforce, sdpo]\n  steps: [1, 2, 3, 4, 5]\nfixed:\n  feedback: continuous\n  noise: 0.1\n  vocab: 4\n  length: 3\n';
const TOTAL = 2000;
const SEED = 7;
const EVENTS = 6;

test(`workers killed (SIGKILL) and started on a seeded schedule (seed ${SEED}) leave a store equal to a clean run's`, async (t) => {
  const { dir, procs } = testScratch(t);
  const grid = writeFile(dir, 'chaos.yaml', GRID);
  const cleanPath = join(dir, 'clean.db');
  const clean = await runCli(['run', grid, '--store', cleanPath, '--threads', '1', '--json']);
  t.is(clean.code, 0, clean.stderr);

  const storePath = join(dir, 'chaos.db');
  const done = () => scalar(storePath, "SELECT done FROM sweeps WHERE name = 'chaos'");
  const c = spawnCli(['coordinator', '--listen', '127.0.0.1:0', '--store', storePath]);
  procs.push(c);
  const [, address] = await waitForOutput(c, /listening on (\S+)/);
  const rnd = prng(SEED);
  const live: CliProcess[] = [];
  let started = 0;
  const start = () => {
    const w = spawnCli(['worker', '--coordinator', address!, '--threads', '1', '--credits', String(2 + Math.floor(rnd() * 14)), '--name', `w${++started}`]);
    procs.push(w);
    live.push(w);
    return w;
  };
  start();
  start();
  t.is((await runCli(['submit', grid, '--coordinator', address!])).code, 0);

  // Each event waits for some progress first (so it lands mid-sweep), then kills a random worker or starts one.
  const log: string[] = [];
  let kills = 0;
  for (let e = 0; e < EVENTS; e++) {
    const target = Math.min(TOTAL - 1, done() + 100 + Math.floor(rnd() * 150));
    const reached = await waitFor('progress before the next chaos event', () => (done() >= target || done() === TOTAL ? done() : undefined), 60_000, 20);
    if (reached >= TOTAL) break;
    if ((rnd() < 0.65 && live.length > 0) || live.length >= 3) {
      const victim = live.splice(Math.floor(rnd() * live.length), 1)[0]!;
      victim.child.kill('SIGKILL');
      await victim.exited;
      kills++;
      log.push(`@${reached} kill ${victim.child.spawnargs.at(-1)}`);
    } else log.push(`@${reached} start ${start().child.spawnargs.at(-1)}`);
    if (live.length === 0) log.push(`@${reached} start ${start().child.spawnargs.at(-1)}`);
  }
  t.log(log.join(', '));
  await waitFor('the chaos sweep to finish', () => (scalar<string>(storePath, "SELECT state FROM sweeps WHERE name = 'chaos'") === 'done' ? true : undefined), 120_000, 100);
  t.true(kills >= 1, 'at least one worker was killed mid-sweep');
  for (const w of live) w.child.kill('SIGTERM');
  for (const w of live) t.is((await w.exited).code, 0, w.stderr);
  c.child.kill('SIGTERM');
  t.is((await c.exited).code, 0, c.stderr);

  t.is(scalar(storePath, "SELECT count(*) FROM events WHERE kind = 'result'"), TOTAL, 'each result recorded exactly once');
  const a = resultBodies(cleanPath);
  const b = resultBodies(storePath);
  t.is(a.size, TOTAL);
  t.deepEqual([...b.keys()].sort(), [...a.keys()].sort(), 'same keys');
  const differing = [...a].filter(([k, v]) => b.get(k) !== v).length;
  t.is(differing, 0, 'every result identical to the clean run (timings are stored apart)');
});
