import test from 'ava';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { startCoordinator } from '@sdpo/coordinator';
import { parseGridData } from '@sdpo/protocol';
import { escapeRegExp, runCli, testScratch, waitFor, writeFile } from './helpers/cli.js';

// A coordinator whose store cannot take a write (a full disk, an I/O error, a store made read-only under it)
// answers the command with SQLite's error. The CLI used to exit 1 with it, which reads as "tasks failed";
// it now says the store could not be written and exits 3, as for any command to try again later, and the
// same command succeeds once the store can be written. The store here refuses writes through `query_only`
// on the coordinator's own connection: SQLite's SQLITE_READONLY, what a read-only remount gives. (A page
// limit cannot make a cancel fail reliably: its writes often fit in pages the store already has.)
test('a cancel the coordinator cannot store exits 3 saying so; once the store can be written it succeeds', async (t) => {
  const { dir } = testScratch(t);
  const coord = await startCoordinator({ storePath: join(dir, 's.db'), listen: '127.0.0.1:0', logger: pino({ level: 'silent' }) });
  t.teardown(() => coord.close());
  await coord.scheduler.submit(parseGridData({
    name: 'stuck',
    axes: { seed: { from: 0, to: 300 }, method: ['reinforce'], feedback: ['binary'], noise: [0] },
    fixed: { steps: 1, vocab: 3, length: 2, group: 2 },
  }));
  const db = coord.store.db;
  db.pragma('query_only = ON');
  const address = `127.0.0.1:${coord.port}`;
  const refused = await runCli(['cancel', 'stuck', '--coordinator', address]);
  t.is(refused.code, 3, refused.stderr);
  t.regex(refused.stderr, /could not write its store \(attempt to write a readonly database\); nothing of this command was stored/);
  t.notRegex(refused.stderr, /internal error|\n\s+at /);
  t.like(coord.scheduler.progress('stuck'), { state: 'running', cancelled: 0 });
  db.pragma('query_only = OFF');
  const done = await runCli(['cancel', 'stuck', '--coordinator', address, '--json']);
  t.is(done.code, 0, done.stderr);
  t.like(JSON.parse(done.stdout) as object, { state: 'cancelled', total: 300, cancelled: 300 });
});

// A store deleted under a running coordinator: SQLite writes on into the unlinked file without an error, so the
// coordinator notices it itself (at its next lease tick) and refuses every write from then on. A command says so
// and exits 3, and the advice is to restart the coordinator, not to free space.
test('a cancel or submit to a coordinator whose store was deleted exits 3 saying so, and nothing is acknowledged', async (t) => {
  const { dir } = testScratch(t);
  const storePath = join(dir, 's.db');
  const lines: string[] = [];
  const coord = await startCoordinator({ storePath, listen: '127.0.0.1:0', logger: pino({ level: 'error' }, { write: (l: string) => void lines.push(l) }) });
  t.teardown(() => coord.close());
  await coord.scheduler.submit(parseGridData({
    name: 'gone', axes: { seed: { from: 0, to: 30 } }, fixed: { method: 'reinforce', feedback: 'binary', noise: 0, steps: 1, vocab: 3, length: 2, group: 2 },
  }));
  for (const x of ['', '-wal', '-shm']) rmSync(`${storePath}${x}`, { force: true });
  await waitFor('the coordinator to notice', () => lines.some((l) => l.includes('was deleted while this process had it open')), 10_000, 20);
  const address = `127.0.0.1:${coord.port}`;
  const cancel = await runCli(['cancel', 'gone', '--coordinator', address]);
  t.is(cancel.code, 3, cancel.stderr);
  t.regex(cancel.stderr, new RegExp(`could not write its store \\(the store ${escapeRegExp(storePath)} was deleted while this process had it open: .*\\); nothing of this command was stored: restart the coordinator, then run it again`));
  t.notRegex(cancel.stderr, /internal error|\n\s+at /);
  t.like(coord.scheduler.progress('gone'), { state: 'running', cancelled: 0 });
  const grid = writeFile(dir, 'more.yaml', 'name: more\naxes:\n  seed: [0]\nfixed: {method: reinforce, feedback: binary, noise: 0, steps: 1, vocab: 3, length: 2}\n');
  const submit = await runCli(['submit', grid, '--coordinator', address]);
  t.is(submit.code, 3, submit.stderr);
  t.regex(submit.stderr, /restart the coordinator/);
  t.is(coord.store.getSweep('more'), undefined, 'the refused submit created no sweep');
});
