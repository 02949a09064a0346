import test from 'ava';
import { join } from 'node:path';
import { openStore } from '@sdpo/coordinator';
import { runCli, spawnCli, testScratch, waitFor, waitForOutput, writeFile } from './helpers/cli.js';
import { deterministic, expectedFor } from './helpers/results.js';

test('after a worker and the coordinator are killed with SIGKILL, a restarted coordinator resumes the sweep and records each result once', async (t) => {
  const { dir, procs } = testScratch(t);
  const storePath = join(dir, 'store.db');
  const start = async () => {
    const c = spawnCli(['coordinator', '--listen', '127.0.0.1:0', '--store', storePath]);
    procs.push(c);
    const [, address] = await waitForOutput(c, /listening on (\S+)/);
    return { c, address: address! };
  };
  const count = (sql: string) => {
    const s = openStore(storePath);
    try {
      return s.db.prepare(sql).pluck().get() as number;
    } finally {
      s.close();
    }
  };
  const first = await start();
  const a = spawnCli(['worker', '--coordinator', first.address, '--threads', '1', '--credits', '2']);
  procs.push(a);
  const file = writeFile(dir, 'g.yaml', 'name: restart\naxes:\n  seed: {from: 0, to: 6}\n  method: [reinforce, sdpo]\n  feedback: [continuous, binary]\n  noise: [0]\nfixed:\n  steps: 1000\n');
  t.is((await runCli(['submit', file, '--coordinator', first.address])).code, 0);
  await waitFor('some results', () => count("SELECT done FROM sweeps WHERE name = 'restart'") >= 2, 120_000, 100);
  a.child.kill('SIGKILL');
  first.c.child.kill('SIGKILL');
  await Promise.all([a.exited, first.c.exited]);
  const before = count("SELECT done FROM sweeps WHERE name = 'restart'");
  t.true(before < 24, `killed part-way (${before}/24)`);

  const second = await start();
  const b = spawnCli(['worker', '--coordinator', second.address, '--threads', '1']);
  procs.push(b);
  await waitFor('the resumed sweep to finish', () => count("SELECT state FROM sweeps WHERE name = 'restart'") as unknown === 'done', 120_000, 100);
  t.is(count("SELECT count(*) FROM events WHERE kind = 'result'"), 24);
  t.is(count("SELECT count(DISTINCT key) FROM events WHERE kind = 'result'"), 24);
  b.child.kill('SIGTERM');
  t.is((await b.exited).code, 0);
  second.c.child.kill('SIGTERM');
  t.is((await second.c.exited).code, 0);
  const s = openStore(storePath);
  try {
    const results = s.sweepResults('restart');
    t.is(results.length, 24);
    t.deepEqual(results.map(deterministic), expectedFor(results));
  } finally {
    s.close();
  }
});
