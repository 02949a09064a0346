import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, tempDir, writeFile } from './helpers/cli.js';

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
  t.regex(write.stderr, new RegExp(`store ${store.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  t.notRegex(write.stderr, /\n\s+at /);
});
