import test from 'ava';
import { join } from 'node:path';
import { killIfRunning, runCli, spawnCli, tempDir, waitForOutput, writeFile } from './helpers/cli.js';

test('a coordinator refuses to listen off loopback without a token (exit 2, nothing bound)', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const r = await runCli(['coordinator', '--listen', '0.0.0.0:0', '--store', join(dir, 's.db')], { SDPO_TOKEN: '' });
  t.is(r.code, 2);
  t.regex(r.stderr, /needs a bearer token .* or --insecure/);
});

test('with a token, clients without it are refused and clients with it are served', async (t) => {
  const { dir, cleanup } = tempDir();
  const tokenFile = writeFile(dir, 'token', 's3cret-token\n');
  const c = spawnCli(['coordinator', '--listen', '127.0.0.1:0', '--store', join(dir, 's.db'), '--token-file', tokenFile]);
  t.teardown(() => {
    killIfRunning(c);
    cleanup();
  });
  const [, address] = await waitForOutput(c, /listening on (\S+)/);
  const without = await runCli(['status', '--coordinator', address!], { SDPO_TOKEN: '' });
  t.is(without.code, 2);
  t.regex(without.stderr, /refused the token/);
  const wrong = await runCli(['status', '--coordinator', address!], { SDPO_TOKEN: 'nope' });
  t.is(wrong.code, 2);
  const right = await runCli(['status', '--coordinator', address!, '--token-file', tokenFile, '--json']);
  t.is(right.code, 0, right.stderr);
  t.deepEqual(JSON.parse(right.stdout), { sweeps: [], workers: [] });
  c.child.kill('SIGTERM');
  t.is((await c.exited).code, 0);
});
