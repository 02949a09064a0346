import test from 'ava';
import pino from 'pino';
import { startWorker } from '@sdpo/worker';
import { runCli, startCluster, waitFor, writeFile } from './helpers/cli.js';
import { scalar } from './helpers/store.js';

test('a worker notices a coordinator that stops answering (SIGSTOP: its TCP connection stays up) by keepalive, and carries on once it is back', async (t) => {
  t.timeout(120_000);
  const { dir, storePath, address, coordinator } = await startCluster(t);
  // ~0.2 s per task: tasks run while the coordinator is stopped.
  const file = writeFile(dir, 'g.yaml', 'name: ka\naxes:\n  seed: {from: 0, to: 40}\nfixed:\n  method: reinforce\n  feedback: continuous\n  noise: 0\n  steps: 4000\n');
  t.is((await runCli(['submit', file, '--coordinator', address])).code, 0);
  const lines: { msg: string; at: number }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push({ msg: (JSON.parse(line) as { msg: string }).msg, at: Date.now() }) });
  const w = startWorker({ coordinator: address, logger, threads: 1, credits: 2, name: 'ka', keepaliveMs: 500, backoffMaxMs: 500 });
  t.teardown(() => void w.stop());
  await waitFor('a stored result', () => scalar(storePath, 'SELECT count(*) FROM results') >= 1, 60_000, 50);
  const stoppedAt = Date.now();
  coordinator.child.kill('SIGSTOP');
  // The kernel still holds the connection open; only the unanswered PING shows the coordinator is gone.
  // Without keepalive the worker heard nothing of it for as long as the coordinator stayed stopped.
  await waitFor('the worker to drop the connection', () => lines.some((l) => l.msg === 'disconnected from coordinator; reconnecting' && l.at > stoppedAt), 10_000, 20);
  const noticedMs = lines.find((l) => l.msg === 'disconnected from coordinator; reconnecting' && l.at > stoppedAt)!.at - stoppedAt;
  t.true(noticedMs < 5000, `noticed after ${noticedMs} ms`);
  coordinator.child.kill('SIGCONT');
  const before = scalar(storePath, 'SELECT count(*) FROM results');
  await waitFor('the worker back, storing results', () => lines.some((l) => l.msg === 'connected to coordinator' && l.at > stoppedAt) && scalar(storePath, 'SELECT count(*) FROM results') > before + 2, 60_000, 50);
  await w.stop();
  t.true(scalar(storePath, 'SELECT count(*) FROM results') > before + 2, 'results stored after the reconnect');
});
