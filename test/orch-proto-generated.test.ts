import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO, tempDir } from './helpers/cli.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

test('the committed generated proto types are what tools/gen-proto.ts produces now', (t) => {
  const { dir, cleanup } = tempDir('sdpo-gen-');
  t.teardown(cleanup);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@sdpo/source', 'tools/gen-proto.ts', '--out', dir], { cwd: REPO, encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  const committed = join(REPO, 'packages/protocol/src/generated');
  const want = files(dir).map((f) => relative(dir, f)).sort();
  const have = files(committed).map((f) => relative(committed, f)).sort();
  t.deepEqual(have, want, 'same files (run tools/gen-proto.ts after editing proto/)');
  const stale = want.filter((f) => readFileSync(join(dir, f), 'utf8') !== readFileSync(join(committed, f), 'utf8'));
  t.deepEqual(stale, [], 'generated types are stale: run `node --import tsx --conditions=@sdpo/source tools/gen-proto.ts`');
});
