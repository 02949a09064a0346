import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '@sdpo/coordinator';
import { runCli, spawnCli, tempDir, waitFor, writeFile, killIfRunning } from './helpers/cli.js';
import { deterministic, expectedFor } from './helpers/results.js';

test('an embedded run interrupted with SIGINT resumes on rerun without recomputing finished tasks', async (t) => {
  const { dir, cleanup } = tempDir();
  const storePath = join(dir, 'store.db');
  const file = writeFile(dir, 'r.yaml', 'name: resume\naxes:\n  seed: {from: 0, to: 6}\n  method: [reinforce, sdpo]\n  feedback: [continuous, binary]\n  noise: [0]\nfixed:\n  steps: 2000\n');
  const first = spawnCli(['run', file, '--store', storePath, '--threads', '1']);
  t.teardown(() => {
    killIfRunning(first);
    cleanup();
  });
  const doneBefore = await waitFor('a few results stored', () => {
    if (!existsSync(storePath)) return undefined;
    let s;
    try {
      s = openStore(storePath);
      const row = s.getSweep('resume');
      return row && row.done >= 2 ? row.done : undefined;
    } catch {
      return undefined; // the run is still creating the store's tables
    } finally {
      s?.close();
    }
  }, 120_000, 100);
  first.child.kill('SIGINT');
  const exit = await first.exited;
  t.is(exit.code, 130, first.stderr);
  t.regex(first.stderr, /interrupted: \d+\/24 done .* run the same command again to resume/);

  const mid = openStore(storePath);
  const stored = mid.getSweep('resume')!.done;
  const eventsBefore = mid.countEvents('resume', 'result');
  mid.close();
  t.true(stored >= doneBefore && stored < 24, `interrupted part-way (${stored}/24)`);
  t.is(eventsBefore, stored);

  const second = await runCli(['run', file, '--store', storePath, '--threads', '1', '--json']);
  t.is(second.code, 0, second.stderr);
  t.like(JSON.parse(second.stdout), { state: 'done', done: 24 });

  const s = openStore(storePath);
  try {
    t.is(s.countEvents('resume', 'result'), 24, 'every task computed exactly once over both runs');
    t.is(s.db.prepare("SELECT count(DISTINCT key) FROM events WHERE kind = 'result'").pluck().get(), 24);
    const results = s.sweepResults('resume');
    t.is(results.length, 24);
    t.deepEqual(results.map(deterministic), expectedFor(results));
  } finally {
    s.close();
  }
});
