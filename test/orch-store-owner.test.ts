import test from 'ava';
import { existsSync, linkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { openStore, Store, StoreError } from '@sdpo/coordinator';
import { runCli, startCluster, writeFile } from './helpers/cli.js';
import { scalar } from './helpers/store.js';

const GRID = 'name: own\naxes:\n  seed: [0, 1]\nfixed:\n  method: reinforce\n  feedback: continuous\n  noise: 0\n  steps: 3\n  vocab: 3\n  length: 2\n';

test('a store has one writer: a second coordinator or sdpo run on it is refused while the first lives, and takes over once it is gone', async (t) => {
  const { dir, storePath, coordinator } = await startCluster(t);
  const grid = writeFile(dir, 'own.yaml', GRID);
  // Before, both ran every task of the same sweeps and their counts diverged for good.
  const run = await runCli(['run', grid, '--store', storePath, '--threads', '1']);
  t.is(run.code, 2, run.stderr);
  t.regex(run.stderr, new RegExp(`the store .* is in use by process ${coordinator.child.pid} \\(a coordinator or an sdpo run`));
  const second = await runCli(['coordinator', '--listen', '127.0.0.1:0', '--store', storePath]);
  t.is(second.code, 2, second.stderr);
  t.regex(second.stderr, /is in use by process/);
  t.throws(() => new Store(storePath), { instanceOf: StoreError, message: /in use by process/ });
  // Readers are not writers: status and export read on.
  const status = await runCli(['status', '--store', storePath]);
  t.is(status.code, 0, status.stderr);
  // A writer that died (SIGKILL leaves its claim behind) does not hold the store.
  coordinator.child.kill('SIGKILL');
  await coordinator.exited;
  t.true(existsSync(`${storePath}-owner`), 'the note of who held it stays behind');
  const after = await runCli(['run', grid, '--store', storePath, '--threads', '1']);
  t.is(after.code, 0, after.stderr);
  t.is(scalar(storePath, "SELECT done FROM sweeps WHERE name = 'own'"), 2);
  t.false(existsSync(`${storePath}-owner`), 'a clean exit removes its note');
  const reopened = new Store(storePath);
  reopened.close();
  t.notThrows(() => openStore(storePath).close());
});

test('the claim is a lock, not a pid: a note naming a live process (a reused pid) does not hold the store, and one store object at a time holds it', async (t) => {
  const { dir } = await startCluster(t);
  const path = `${dir}/reused.db`;
  // A crashed coordinator's note, whose pid now belongs to a live process: in a restarted
  // container the new coordinator often gets the dead one's pid. The pid-file claim refused it.
  for (const pid of [process.pid, 1]) {
    writeFileSync(`${path}-owner`, JSON.stringify({ pid, host: hostname(), since: 'then' }) + '\n');
    const run = await runCli(['run', writeFile(dir, 'own.yaml', GRID), '--store', path, '--threads', '1']);
    t.is(run.code, 0, run.stderr);
  }
  const first = new Store(path);
  t.throws(() => new Store(path), { instanceOf: StoreError, message: /in use by this process \(another open store\)/ });
  // Readers need no claim.
  t.notThrows(() => new Store(path, { readonly: true }).close());
  first.close();
  t.false(existsSync(`${path}-owner`));
  const again = new Store(path);
  t.is(scalar(path, "SELECT done FROM sweeps WHERE name = 'own'"), 2);
  again.close();
});

test('a store reached through a symbolic link takes the same claim; a store with two hard links is refused with exit 2', async (t) => {
  const { dir } = await startCluster(t);
  const path = `${dir}/linked.db`;
  const first = new Store(path);
  symlinkSync(path, `${dir}/soft.db`);
  // Before, the claim was named after the path as given: a coordinator on the link wrote the store too
  // (an audit: 1,854 of 2,400 tasks computed twice, and a sweep that never finished).
  t.throws(() => new Store(`${dir}/soft.db`), { instanceOf: StoreError, message: /in use by this process/ });
  first.close();
  t.notThrows(() => new Store(`${dir}/soft.db`).close());
  linkSync(path, `${dir}/hard.db`);
  for (const name of [path, `${dir}/hard.db`]) t.throws(() => new Store(name), { instanceOf: StoreError, message: /has 2 hard links/ });
  const run = await runCli(['run', writeFile(dir, 'own.yaml', GRID), '--store', `${dir}/hard.db`, '--threads', '1']);
  t.is(run.code, 2, run.stderr);
  t.regex(run.stderr, /hard\.db has 2 hard links/);
  t.notThrows(() => new Store(`${dir}/hard.db`, { readonly: true }).close(), 'readers need no claim');
  rmSync(`${dir}/hard.db`);
  t.notThrows(() => new Store(path).close());
});

test('an SQLite file of something else is refused, not adopted, and left as it was', async (t) => {
  const { dir } = await startCluster(t);
  const path = `${dir}/app.db`;
  const db = new Database(path);
  db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)');
  db.close();
  const run = await runCli(['run', writeFile(dir, 'own.yaml', GRID), '--store', path, '--threads', '1']);
  t.is(run.code, 2, run.stderr);
  t.regex(run.stderr, /is an SQLite database that is not an sdpo store \(it has tables users/);
  const check = new Database(path, { readonly: true });
  t.deepEqual(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all(), ['users']);
  t.is(check.pragma('journal_mode', { simple: true }), 'delete');
  check.close();
  t.false(existsSync(`${path}-owner`));
});
