import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeRegExp, runCli, spawnCli, startCluster, tempDir, waitFor, waitForOutput, writeFile } from './helpers/cli.js';
import { scalar } from './helpers/store.js';

const GRID = 'name: arch\naxes:\n  seed: [0, 1, 2]\nfixed:\n  method: reinforce\n  feedback: continuous\n  noise: 0\n  steps: 3\n  vocab: 3\n  length: 2\n';

/** Mounts `dir` read-only at a new directory (a bind mount, as root); undefined where this machine does not allow it. */
function readOnlyView(dir: string): { at: string; unmount: () => void } | undefined {
  const at = `${dir}-ro`;
  mkdirSync(at);
  try {
    execFileSync('mount', ['--bind', dir, at], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  try {
    execFileSync('mount', ['-o', 'remount,ro,bind', at], { stdio: 'ignore' });
  } catch {
    execFileSync('umount', [at], { stdio: 'ignore' });
    return undefined;
  }
  return { at, unmount: () => execFileSync('umount', [at], { stdio: 'ignore' }) };
}

// Probed once: a bind mount needs root (CI and this machine run as root; elsewhere the test says it is skipped).
const probe = tempDir();
const canMount = readOnlyView(probe.dir);
canMount?.unmount();
probe.cleanup();
const maybe = canMount ? test : test.skip;

maybe('a store on read-only media (an archive) is read by status, export and report, through a copy, and leaves nothing behind', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const src = join(dir, 'data');
  mkdirSync(src);
  const grid = writeFile(dir, 'arch.yaml', GRID);
  const run = await runCli(['run', grid, '--store', join(src, 'store.db'), '--threads', '1']);
  t.is(run.code, 0, run.stderr);
  const expected = await runCli(['export', 'arch', '--store', join(src, 'store.db'), '--format', 'jsonl']);
  const view = readOnlyView(src)!;
  t.teardown(() => view.unmount());
  const store = join(view.at, 'store.db');
  const before = readdirSync(tmpdir()).filter((n) => n.startsWith('sdpo-store-')).length;
  // Before, each failed: SQLite could not create the -shm file a WAL-mode reader needs.
  const status = await runCli(['status', 'arch', '--store', store, '--json']);
  t.is(status.code, 0, status.stderr);
  t.like(JSON.parse(status.stdout), { name: 'arch', state: 'done', done: 3 });
  const exported = await runCli(['export', 'arch', '--store', store, '--format', 'jsonl']);
  t.is(exported.code, 0, exported.stderr);
  t.is(exported.stdout, expected.stdout);
  const report = await runCli(['report', 'arch', '--store', store, '--out', join(dir, 'report')]);
  t.is(report.code, 0, report.stderr);
  t.true(existsSync(join(dir, 'report', 'index.html')));
  t.is(readdirSync(tmpdir()).filter((n) => n.startsWith('sdpo-store-')).length, before, 'the copies are removed');
  // A writer is refused with the store named, not a stack trace.
  const write = await runCli(['run', grid, '--store', store, '--threads', '1']);
  t.is(write.code, 2, write.stderr);
  t.regex(write.stderr, new RegExp(`store ${escapeRegExp(store)}`));
  t.notRegex(write.stderr, /\n\s+at /);
});

/** The WAL files next to a store. */
const walFiles = (store: string) => ['-wal', '-shm'].filter((x) => existsSync(`${store}${x}`));

test('readers (status, export, report) leave no -wal or -shm file behind, leave a live writer\'s alone, and take over what a killed writer left in the WAL', async (t) => {
  const { dir, storePath, address, coordinator, procs } = await startCluster(t);
  const grid = writeFile(dir, 'w.yaml', GRID.replace('name: arch', 'name: wal').replace('[0, 1, 2]', '{from: 0, to: 40}'));
  t.is((await runCli(['submit', grid, '--coordinator', address])).code, 0);
  const worker = spawnCli(['worker', '--coordinator', address, '--threads', '1', '--credits', '4']);
  procs.push(worker);
  await waitFor('a few results stored', () => scalar(storePath, "SELECT done FROM sweeps WHERE name = 'wal'") >= 5, 60_000, 20);
  // A live writer's files are its own: a reader that closes must not take them away.
  const live = await runCli(['status', 'wal', '--store', storePath, '--json']);
  t.is(live.code, 0, live.stderr);
  t.deepEqual(walFiles(storePath), ['-wal', '-shm']);
  // Killed with results in its WAL (no checkpoint at exit); the worker with it.
  coordinator.child.kill('SIGKILL');
  worker.child.kill('SIGKILL');
  await Promise.all([coordinator.exited, worker.exited]);
  t.deepEqual(walFiles(storePath), ['-wal', '-shm'], 'the killed writer left its WAL');
  const done = JSON.parse((await runCli(['status', 'wal', '--store', storePath, '--json'])).stdout) as { done: number };
  t.true(done.done >= 5);
  t.deepEqual(walFiles(storePath), [], 'status, the last connection, checkpointed the WAL and removed both files');
  const exported = await runCli(['export', 'wal', '--store', storePath, '--format', 'jsonl']);
  t.is(exported.code, 0, exported.stderr);
  t.is(exported.stdout.trim().split('\n').length, done.done, 'every result acknowledged before the kill is read');
  t.is((await runCli(['report', 'wal', '--store', storePath, '--out', join(dir, 'report')])).code, 0);
  t.deepEqual(walFiles(storePath), []);
  // And the store is whole for the next writer, which finishes the sweep.
  const again = spawnCli(['coordinator', '--listen', '127.0.0.1:0', '--store', storePath]);
  procs.push(again);
  const [, address2] = await waitForOutput(again, /listening on (\S+)/);
  procs.push(spawnCli(['worker', '--coordinator', address2!, '--threads', '1']));
  const resumed = await runCli(['submit', grid, '--coordinator', address2!, '--json']);
  t.is(resumed.code, 0, resumed.stderr);
  t.like(JSON.parse(resumed.stdout) as object, { name: 'wal' });
  await waitFor('the sweep finished', () => scalar<string>(storePath, "SELECT state FROM sweeps WHERE name = 'wal'") === 'done', 60_000);
});
