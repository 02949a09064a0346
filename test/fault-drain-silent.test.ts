import test from 'ava';
import { exitWithin, runCli, spawnCli, startCluster, waitFor, writeFile } from './helpers/cli.js';
import { scalar } from './helpers/store.js';

test('a worker told to drain while its coordinator does not answer (SIGSTOP) still leaves, with exit 0; a second signal stops it at once', async (t) => {
  // Every process it lists is killed at teardown (SIGKILL ends a stopped one too).
  const { dir, storePath, address, coordinator, procs } = await startCluster(t);
  // ~0.2 s per task, so a task runs when the coordinator stops, and its result waits for an ack that cannot come.
  const file = writeFile(dir, 'g.yaml', 'name: silent\naxes:\n  seed: {from: 0, to: 40}\n  method: [reinforce, sdpo]\nfixed:\n  feedback: continuous\n  noise: 0\n  steps: 4000\n');
  t.is((await runCli(['submit', file, '--coordinator', address])).code, 0);
  for (const [name, signals] of [['drains', 1], ['stops', 2]] as const) {
    const w = spawnCli(['worker', '--coordinator', address, '--threads', '1', '--credits', '2', '--name', name], { SDPO_LOG_LEVEL: 'info' });
    procs.push(w);
    await waitFor(`worker ${name} to store a result`, () => scalar(storePath, 'SELECT count(*) FROM results WHERE worker = ?', name) >= 1, 60_000, 50);
    coordinator.child.kill('SIGSTOP');
    w.child.kill('SIGTERM');
    if (signals === 2) {
      // Signals sent together would merge into one: the second follows the first's effect.
      await waitFor(`worker ${name} to start draining`, () => /draining/.test(w.stderr), 10_000, 20);
      w.child.kill('SIGTERM');
    }
    // Before: it waited for the acks of its last results as long as the coordinator was stopped.
    const exit = await exitWithin(w, signals === 1 ? 40_000 : 8_000);
    t.deepEqual(exit, { code: 0, signal: null }, `${name}: ${w.stderr.slice(-600)}`);
    if (signals === 1) t.regex(w.stderr, /leaving without the coordinator confirming the drain/);
    else t.regex(w.stderr, /second signal: stopping without finishing the held tasks/);
    coordinator.child.kill('SIGCONT');
  }
});
