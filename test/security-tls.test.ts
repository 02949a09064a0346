import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCoordinator } from '@sdpo/coordinator';
import { createSweepClient, gridToWire, parseGridData } from '@sdpo/protocol';
import { runCli, spawnCli, testScratch, waitFor, waitForOutput, writeFile } from './helpers/cli.js';
import { scalar } from './helpers/store.js';
import { makeTestCerts } from './helpers/certs.js';

const logger = pino({ level: 'silent' });

test('with mutual TLS, a worker with a certificate from the CA works; one without a client certificate, with one from another CA, or not trusting the server is refused', async (t) => {
  const { dir, procs } = testScratch(t);
  const certs = makeTestCerts(dir);
  const coord = spawnCli(['coordinator', '--listen', '127.0.0.1:0', '--store', join(dir, 's.db'), '--tls-cert', certs.serverCert, '--tls-key', certs.serverKey, '--tls-ca', certs.ca]);
  procs.push(coord);
  const [, address] = await waitForOutput(coord, /listening on (\S+)/);
  const worker = (name: string, tls: string[]) => {
    const w = spawnCli(['worker', '--coordinator', address!, '--threads', '1', '--name', name, ...tls]);
    procs.push(w);
    return w;
  };
  const client = createSweepClient(address!, { tls: { ca: readFileSync(certs.ca), cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) } });
  t.teardown(() => client.close());
  const names = async () => (await client.list()).workers.map((w) => w.name);

  const refused = [
    worker('no-client-cert', ['--tls-ca', certs.ca]),
    worker('other-ca-cert', ['--tls-ca', certs.ca, '--tls-cert', certs.otherClientCert, '--tls-key', certs.otherClientKey]),
    worker('untrusting', ['--tls-ca', certs.otherCa, '--tls-cert', certs.clientCert, '--tls-key', certs.clientKey]),
    worker('plaintext', []),
  ];
  const good = worker('good', ['--tls-ca', certs.ca, '--tls-cert', certs.clientCert, '--tls-key', certs.clientKey]);
  const grid = parseGridData({ name: 'tls', axes: { seed: [0, 1, 2] }, fixed: { method: 'sdpo', feedback: 'binary', noise: 0, steps: 5, vocab: 4, length: 3 } });
  t.is((await client.submit(gridToWire(grid))).total, 3);
  await waitFor('the sweep over mutual TLS', async () => (await client.get('tls')).state === 'done', 60_000, 100);
  // Each refused worker failed its handshake (and keeps retrying with backoff); none was ever welcomed.
  for (const w of refused) await waitFor(`a failed connection in ${w.child.spawnargs.join(' ')}`, () => /disconnected from coordinator/.test(w.stderr), 30_000);
  t.deepEqual(await names(), ['good']);
  t.is(scalar(join(dir, 's.db'), 'SELECT count(DISTINCT worker) FROM results'), 1);

  // The client commands take the same TLS flags as the worker.
  const tls = ['--coordinator', address!, '--tls-ca', certs.ca, '--tls-cert', certs.clientCert, '--tls-key', certs.clientKey];
  const status = await runCli(['status', 'tls', '--json', ...tls]);
  t.is(status.code, 0, status.stderr);
  // grpc-js sends the IP of the address as the TLS server name, and Node warns about it (grpc/grpc-node#1919): the CLI keeps that warning to itself.
  for (const [what, out] of [['status', status.stderr], ['the good worker', good.stderr]] as const) t.notRegex(out, /DeprecationWarning|DEP0123/, what);
  t.like(JSON.parse(status.stdout), { name: 'tls', state: 'done', done: 3 });
  const exported = await runCli(['export', 'tls', '--format', 'jsonl', ...tls]);
  t.is(exported.code, 0, exported.stderr);
  t.deepEqual(exported.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { config: { seed: number } }).config.seed), [0, 1, 2]);
  const gridFile = writeFile(dir, 'more.yaml', 'name: more\naxes:\n  seed: [7]\nfixed: {method: sdpo, feedback: binary, noise: 0, steps: 5, vocab: 4, length: 3}\n');
  const submitted = await runCli(['submit', gridFile, '--json', ...tls]);
  t.is(submitted.code, 0, submitted.stderr);
  t.is((JSON.parse(submitted.stdout) as { total: number }).total, 1);
  const cancelled = await runCli(['cancel', 'more', ...tls]);
  t.is(cancelled.code, 0, cancelled.stderr);
  // Without the client certificate the coordinator refuses the connection: exit 3 (unreachable) and a message, not a stack trace.
  const anon = await runCli(['status', '--coordinator', address!, '--tls-ca', certs.ca]);
  t.is(anon.code, 3, anon.stderr);
  t.regex(anon.stderr, /cannot reach a coordinator at 127\.0\.0\.1:\d+/);
  t.notRegex(anon.stderr, /\n\s+at /);

  // A SweepService client without a client certificate is refused as well.
  const anonymous = createSweepClient(address!, { tls: { ca: readFileSync(certs.ca) }, deadlineMs: 5000 });
  t.teardown(() => anonymous.close());
  await t.throwsAsync(anonymous.list());
  good.child.kill('SIGTERM');
  t.is((await good.exited).code, 0, good.stderr);
  coord.child.kill('SIGTERM');
  t.is((await coord.exited).code, 0, coord.stderr);
});

test('with server-only TLS, a worker that trusts the CA works without a client certificate', async (t) => {
  const { dir, procs } = testScratch(t);
  const certs = makeTestCerts(dir);
  const coord = await startCoordinator({
    storePath: join(dir, 's.db'), listen: '127.0.0.1:0', logger, tls: { cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey) },
  });
  t.teardown(() => coord.close());
  const w = spawnCli(['worker', '--coordinator', `127.0.0.1:${coord.port}`, '--threads', '1', '--name', 'server-tls', '--tls-ca', certs.ca]);
  procs.push(w);
  await coord.scheduler.submit(parseGridData({ name: 'tls1', axes: { seed: [0, 1] }, fixed: { method: 'reinforce', feedback: 'binary', noise: 0, steps: 5, vocab: 4, length: 3 } }));
  await waitFor('the sweep over TLS', () => coord.scheduler.progress('tls1').state === 'done', 60_000);
  t.deepEqual(coord.scheduler.workerViews().map((x) => x.name), ['server-tls']);
  w.child.kill('SIGTERM');
  t.is((await w.exited).code, 0, w.stderr);
});
