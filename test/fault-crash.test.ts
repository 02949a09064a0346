import test from 'ava';
import { openStore } from '@sdpo/coordinator';
import { runCli, spawnCli, startCluster, writeFile, type CliProcess } from './helpers/cli.js';
import { deterministic, expectedFor } from './helpers/results.js';
import { column, scalar } from './helpers/store.js';

const GRID = `name: poison\naxes:\n  seed: {from: 0, to: 3}\n  method: [reinforce, sdpo]\nfixed:\n  feedback: continuous\n  noise: 0\n  steps: 20\n  vocab: 4\n  length: 3\n`;

test('a task that kills its worker process fails with WORKER_LOST after --max-lost losses, running alone after two; the tasks that shared its worker complete', async (t) => {
  const { dir, storePath, address, coordinator, procs } = await startCluster(t, ['--max-lost', '3']);
  // A supervisor, as systemd or Kubernetes would be: a worker that dies is replaced (at most 8 times).
  const exits: (string | null)[] = [];
  let stopped = false;
  const start = (): CliProcess => {
    const w = spawnCli(['worker', '--coordinator', address, '--threads', '1', '--credits', '2', '--name', `w${exits.length}`], { SDPO_FAULT_INJECT: 'crash:seed=1,method=sdpo' });
    procs.push(w);
    void w.exited.then(({ signal }) => {
      exits.push(signal ?? null);
      if (!stopped && exits.length < 8) start();
    });
    return w;
  };
  start();
  const submitted = await runCli(['submit', writeFile(dir, 'g.yaml', GRID), '--coordinator', address, '--watch', '--json']);
  stopped = true;
  t.is(submitted.code, 1, submitted.stderr);
  t.like(JSON.parse(submitted.stdout), { state: 'failed', done: 5, failed: 1 });

  // The poison task crashed a worker each time it ran: three times, then it was not leased again.
  t.deepEqual(exits, ['SIGKILL', 'SIGKILL', 'SIGKILL']);
  t.deepEqual(column(storePath, 'SELECT code FROM failures'), ['WORKER_LOST']);
  t.regex(String(column(storePath, 'SELECT message FROM failures')[0]), /^lost 3 times with its worker/);
  const status = await runCli(['status', 'poison', '--coordinator', address]);
  t.is(status.code, 1);
  t.regex(status.stdout, /#3 \w+ WORKER_LOST: lost 3 times/);
  t.is(scalar(storePath, "SELECT count(*) FROM events WHERE kind = 'result'"), 5, 'each result recorded once');
  for (const p of procs) p.child.kill('SIGTERM');
  t.is((await coordinator.exited).code, 0, coordinator.stderr);
  const s = openStore(storePath);
  try {
    const results = s.sweepResults('poison');
    t.deepEqual(results.map((r) => `${r.config.seed}/${r.config.method}`), ['0/reinforce', '0/sdpo', '1/reinforce', '2/reinforce', '2/sdpo']);
    t.deepEqual(results.map(deterministic), expectedFor(results));
  } finally {
    s.close();
  }
});
