import test from 'ava';
import { createSweepClient, gridToWire, parseGridData } from '@sdpo/protocol';
import { killIfRunning, spawnCli, startCluster, waitFor, waitForOutput } from './helpers/cli.js';
import { scalar } from './helpers/store.js';

// 120,000 tasks: a few seconds of submitting on this machine.
const BIG = parseGridData({
  name: 'big',
  axes: { seed: { from: 0, to: 1000 }, method: ['reinforce', 'sdpo', 'hybrid'], feedback: ['critique', 'continuous', 'ordinal', 'binary'], noise: Array.from({ length: 10 }, (_, i) => i / 10) },
  fixed: { steps: 1 },
});

/** Task rows written under a sweep id that has no sweep row yet (a submit in progress). */
const orphanRows = (storePath: string) => scalar(storePath, 'SELECT count(*) FROM tasks WHERE sweep_id > (SELECT coalesce(max(id), 0) FROM sweeps)');

// Written inline (the submit thread is not up at a coordinator's first submit, and 120,000 tasks do not wait for it), and by the submit thread.
const WAYS = [
  { how: 'inline', thread: false, env: {} },
  // At info level the coordinator logs which way each submit went.
  { how: 'by the submit thread', thread: true, env: { SDPO_TEST_SUBMIT_THREAD_WAIT: '0', SDPO_LOG_LEVEL: 'info' } },
] as const;

for (const { how, thread, env } of WAYS) {
  test(`a coordinator answers status while a large grid is being submitted, and the sweep appears only once it is whole (written ${how})`, async (t) => {
    const { storePath, address, coordinator } = await startCluster(t, [], env);
    const client = createSweepClient(address);
    t.teardown(() => client.close());
    let submitted = false;
    const submit = client.submit(gridToWire(BIG)).then((info) => {
      submitted = true;
      return info;
    });
    // Once the submit is writing, a status call is served between its slices, before it finishes (ordering, not timing).
    await waitFor('the submit to start writing', () => orphanRows(storePath) > 0, 30_000, 20);
    const during = await client.list();
    t.false(submitted, 'status answered while the submit was still running');
    t.deepEqual(during.sweeps.map((s) => s.name), [], 'a sweep being submitted is not listed');
    const info = await submit;
    t.like(info, { name: 'big', total: 120_000, state: 'running' });
    t.deepEqual((await client.list()).sweeps.map((s) => s.name), ['big']);
    if (thread) await waitFor('the submit log', () => /"written":"thread"/.test(coordinator.stderr), 10_000, 20);
  });
}

for (const { how, thread, env } of WAYS) {
  test(`task rows of a submit cut short by a coordinator crash are dropped at the next start, and the grid can be submitted again (written ${how})`, async (t) => {
    const { storePath, address, coordinator, procs } = await startCluster(t, [], env);
    const client = createSweepClient(address, { deadlineMs: 60_000 });
    t.teardown(() => client.close());
    const pending = client.submit(gridToWire(BIG)).catch((e: unknown) => e);
    await waitFor('task rows of the unfinished submit', () => orphanRows(storePath) > 0, 30_000, 20);
    coordinator.child.kill('SIGKILL');
    await coordinator.exited;
    t.true((await pending) instanceof Error, 'the client was not told the sweep exists');
    t.is(scalar(storePath, 'SELECT count(*) FROM sweeps'), 0);

    const again = spawnCli(['coordinator', '--listen', '127.0.0.1:0', '--store', storePath], env);
    procs.push(again);
    const [, address2] = await waitForOutput(again, /listening on (\S+)/);
    // The log goes to stderr, the address to stdout: two pipes, so the log line is waited for, not assumed.
    await waitFor('the log of the dropped rows', () => /dropped the task rows of a submit that did not finish/.test(again.stderr), 10_000, 20);
    t.is(orphanRows(storePath), 0);
    const client2 = createSweepClient(address2!, { deadlineMs: 60_000 });
    t.teardown(() => client2.close());
    t.like(await client2.submit(gridToWire(BIG)), { name: 'big', total: 120_000 });
    t.is(scalar(storePath, 'SELECT count(*) FROM tasks'), 120_000);
    // Logged before the reply is sent, but on another channel: waited for, as in the test above (CI once checked it too early).
    if (thread) await waitFor('the submit log', () => /"written":"thread"/.test(again.stderr), 10_000, 20);
    killIfRunning(again);
  });
}
