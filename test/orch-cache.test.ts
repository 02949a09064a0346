import test from 'ava';
import { join } from 'node:path';
import { openStore } from '@sdpo/coordinator';
import { runCli, tempDir, writeFile } from './helpers/cli.js';

const grid = (name: string, seeds: number) =>
  `name: ${name}\naxes:\n  seed: {from: 0, to: ${seeds}}\n  method: [reinforce, sdpo]\n  feedback: [binary]\n  noise: [0, 0.2]\nfixed:\n  steps: 5\n`;

test('resubmitting a grid runs no task and extending its seeds runs only the new ones', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const storePath = join(dir, 'store.db');
  const run = async (file: string) => {
    const r = await runCli(['run', file, '--store', storePath, '--threads', '1', '--json']);
    t.is(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { total: number; computed: number; cached: number; done: number };
  };
  const resultEvents = () => {
    const s = openStore(storePath);
    try {
      return s.db.prepare("SELECT count(*) FROM events WHERE kind = 'result'").pluck().get() as number;
    } finally {
      s.close();
    }
  };

  const first = await run(writeFile(dir, 'a.yaml', grid('base', 2)));
  t.like(first, { total: 8, done: 8, computed: 8, cached: 0 });
  t.is(resultEvents(), 8);

  // The same file again: the sweep exists and is done, nothing runs.
  await run(join(dir, 'a.yaml'));
  t.is(resultEvents(), 8);

  // The same grid under a new name: every task comes from the cache.
  const again = await run(writeFile(dir, 'b.yaml', grid('base-again', 2)));
  t.like(again, { total: 8, done: 8, computed: 0, cached: 8 });
  t.is(resultEvents(), 8);

  // Seeds 0..2 instead of 0..1: only seed 2's four tasks are computed.
  const extended = await run(writeFile(dir, 'c.yaml', grid('extended', 3)));
  t.like(extended, { total: 12, done: 12, computed: 4, cached: 8 });
  t.is(resultEvents(), 12);
  const s = openStore(storePath);
  try {
    t.is(s.countEvents('extended', 'result'), 4);
    t.deepEqual(
      s.db.prepare("SELECT DISTINCT t.idx FROM events e JOIN tasks t ON t.key = e.key AND t.sweep_id = e.sweep_id WHERE e.kind = 'result' AND e.sweep_id = (SELECT id FROM sweeps WHERE name = 'extended') ORDER BY t.idx").pluck().all(),
      [8, 9, 10, 11],
      'the new tasks are those of seed 2 (seed-major order)',
    );
  } finally {
    s.close();
  }
});

test('a grid name reused with a different grid is refused with exit 2', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const storePath = join(dir, 'store.db');
  const a = await runCli(['run', writeFile(dir, 'a.yaml', grid('same', 1)), '--store', storePath, '--threads', '1']);
  t.is(a.code, 0, a.stderr);
  const b = await runCli(['run', writeFile(dir, 'b.yaml', grid('same', 2)), '--store', storePath, '--threads', '1']);
  t.is(b.code, 2);
  t.regex(b.stderr, /a sweep named 'same' already exists with a different grid/);
});
