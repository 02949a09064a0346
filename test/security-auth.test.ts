import test from 'ava';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { PROTOCOL_VERSION } from '@sdpo/protocol';
import { SIM_VERSION } from '@sdpo/sim';
import { runCli, spawnCli, tempDir, testScratch, waitFor, waitForOutput, writeFile } from './helpers/cli.js';
import { encodeWorkerMessage, rawConnect } from './helpers/raw-worker.js';

const hello = encodeWorkerMessage({ hello: { name: 'raw', threads: 1, simVersion: SIM_VERSION, protocolVersion: PROTOCOL_VERSION } });

async function coordinatorWith(t: import('ava').ExecutionContext, args: string[], env: Record<string, string> = {}) {
  const { dir, procs } = testScratch(t);
  const c = spawnCli(['coordinator', '--store', join(dir, 's.db'), ...args], env);
  procs.push(c);
  const [, host, port] = await waitForOutput(c, /listening on (\S+):(\d+)/);
  return { c, dir, host: host!, address: `127.0.0.1:${port}`, procs };
}

test('a worker with a wrong or missing token is refused with UNAUTHENTICATED and exits 1', async (t) => {
  const { dir: tdir, cleanup } = tempDir();
  t.teardown(cleanup);
  const tokenFile = writeFile(tdir, 'token', 'the-right-token\n');
  const { address, c } = await coordinatorWith(t, ['--listen', '127.0.0.1:0', '--token-file', tokenFile]);
  for (const token of [undefined, 'the-wrong-token']) {
    const raw = rawConnect(address, token ? { token } : {});
    raw.write(hello);
    const st = await raw.status;
    t.is(st.code, grpc.status.UNAUTHENTICATED, `token ${token}`);
    t.deepEqual(raw.received, [], 'no Welcome');
    const w = await runCli(['worker', '--coordinator', address, '--threads', '1'], { SDPO_TOKEN: token ?? '' });
    t.is(w.code, 2, 'a refused token is bad input');
    t.regex(w.stderr, /missing or wrong bearer token/);
  }
  const ok = rawConnect(address, { token: 'the-right-token' });
  ok.write(hello);
  await waitFor('a Welcome', () => ok.received.some((m) => m.welcome), 10_000);
  ok.call.cancel();
  c.child.kill('SIGTERM');
  t.is((await c.exited).code, 0);
});

test('a worker with another simVersion or protocol version is refused with a message naming both versions', async (t) => {
  const { address } = await coordinatorWith(t, ['--listen', '127.0.0.1:0']);
  const sim = await runCli(['worker', '--coordinator', address, '--threads', '1'], { SDPO_TEST_SIM_VERSION: '0.0.0-other' });
  t.is(sim.code, 1);
  t.true(sim.stderr.includes(`runs simVersion 0.0.0-other, the coordinator ${SIM_VERSION}`), sim.stderr);
  const proto = await runCli(['worker', '--coordinator', address, '--threads', '1'], { SDPO_TEST_PROTOCOL_VERSION: '99' });
  t.is(proto.code, 1);
  t.true(proto.stderr.includes(`speaks protocol version 99, the coordinator ${PROTOCOL_VERSION}`), proto.stderr);
  const raw = rawConnect(address);
  raw.write(encodeWorkerMessage({ hello: { name: 'old', threads: 1, simVersion: SIM_VERSION, protocolVersion: PROTOCOL_VERSION + 1 } }));
  t.is((await raw.status).code, grpc.status.FAILED_PRECONDITION);
});

test('off loopback (0.0.0.0) a coordinator starts only with a token from a file or the environment, or with --insecure', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const store = join(dir, 's.db');
  const refused = await runCli(['coordinator', '--listen', '0.0.0.0:0', '--store', store], { SDPO_TOKEN: '' });
  t.is(refused.code, 2);
  t.regex(refused.stderr, /not loopback\) needs a bearer token/);
  // A token is never a command-line argument (it would show in ps and shell history).
  const asArg = await runCli(['coordinator', '--listen', '0.0.0.0:0', '--store', store, '--token', 'visible-in-ps'], { SDPO_TOKEN: '' });
  t.is(asArg.code, 2);
  t.regex(asArg.stderr, /Unknown option '--token'/);

  const insecure = await coordinatorWith(t, ['--listen', '0.0.0.0:0', '--insecure'], { SDPO_TOKEN: '' });
  t.is(insecure.host, '0.0.0.0');
  const fromEnv = await coordinatorWith(t, ['--listen', '0.0.0.0:0'], { SDPO_TOKEN: 'env-token' });
  const denied = await runCli(['status', '--coordinator', fromEnv.address], { SDPO_TOKEN: '' });
  t.is(denied.code, 2);
  const allowed = await runCli(['status', '--coordinator', fromEnv.address, '--json'], { SDPO_TOKEN: 'env-token' });
  t.is(allowed.code, 0, allowed.stderr);
  for (const x of [insecure, fromEnv]) {
    x.c.child.kill('SIGTERM');
    t.is((await x.c.exited).code, 0);
  }
});
