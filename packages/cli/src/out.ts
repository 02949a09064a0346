// Output paths (`--out`) are checked before any work: a typo must not cost a
// long export or analysis first, and must be named with its flag.
import { accessSync, constants, mkdirSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError } from './errors.js';

const why = (err: unknown): string => {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : code;
};

/**
 * The nearest of `path` and its parents that exists, with its status, and the
 * missing ones below it (outermost first). ENOENT and ENOTDIR mean "not there";
 * any other error goes to `fail`.
 */
function nearestExisting(path: string, fail: (reason: string) => never): { found: string; stats: Stats; missing: string[] } {
  const missing: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      return { found: p, stats: statSync(p), missing };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || p === dirname(p)) fail(`${p} (${why(err)})`);
      missing.unshift(p);
    }
  }
}

/**
 * Checks that the file `--FLAG PATH` can be created or overwritten: not a
 * directory, in a directory that exists and is writable. Creates nothing, so
 * a command that fails later (an unknown sweep) leaves no empty file behind.
 */
export function checkOutFile(flag: string, path: string): void {
  const fail = (reason: string): never => {
    throw new CliError(`--${flag}: cannot write ${path}: ${reason}`);
  };
  const { found, stats, missing } = nearestExisting(path, fail);
  if (missing.length === 0 && stats.isDirectory()) throw new CliError(`--${flag}: ${path} is a directory; name a file`);
  if (missing.length > 0 && !stats.isDirectory()) fail(`${found} is not a directory`);
  if (missing.length > 1) fail(`the directory ${missing[0]} does not exist`);
  try {
    accessSync(found, constants.W_OK);
  } catch (err) {
    fail(why(err));
  }
}

/**
 * Makes sure `--FLAG DIR` is a directory this process can write into: creates
 * it (and missing parents), then writes and removes a probe file. Parents are
 * created one at a time, not with `mkdirSync({ recursive: true })`: on Node 20
 * that retries forever where mkdir fails with ENOENT although the parent
 * exists (under /proc).
 */
export function prepareOutDir(flag: string, dir: string): void {
  const fail = (reason: string): never => {
    throw new CliError(`--${flag}: cannot write the report to ${dir}: ${reason}`);
  };
  const { found, stats, missing } = nearestExisting(dir, fail);
  if (!stats.isDirectory()) fail(`${found} is not a directory`);
  for (const p of missing) {
    try {
      mkdirSync(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') fail(`cannot create the directory ${p} (${why(err)})`);
    }
  }
  const probe = resolve(dir, `.sdpo-write-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
  } catch (err) {
    fail(`cannot write files there (${why(err)})`);
  }
  rmSync(probe, { force: true });
}
