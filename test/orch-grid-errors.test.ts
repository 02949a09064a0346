import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { runCli, tempDir, writeFile } from './helpers/cli.js';

const cases: { title: string; file: string; text: string; expect: RegExp }[] = [
  {
    title: 'an unknown axis', file: 'unknown-axis.yaml',
    text: 'name: bad\naxes:\n  seed: [0]\n  method: [sdpo]\n  feedback: [binary]\n  noise: [0]\n  temperature: [1, 2]\n',
    expect: /axes\.temperature: unknown run field 'temperature'/,
  },
  {
    title: 'an unknown method', file: 'unknown-method.yaml',
    text: 'name: bad\naxes:\n  seed: [0]\n  method: [sdpo, ppo]\n  feedback: [binary]\n  noise: [0]\n',
    expect: /axes\.method\[1\]: .*"ppo"/,
  },
  {
    title: 'an empty axis', file: 'empty-axis.yaml',
    text: 'name: bad\naxes:\n  seed: []\n  method: [sdpo]\n  feedback: [binary]\n  noise: [0]\n',
    expect: /axes\.seed: an axis needs at least one value/,
  },
  {
    title: 'a wrong type', file: 'wrong-type.json',
    text: JSON.stringify({ name: 'bad', axes: { seed: [0], method: ['sdpo'], feedback: ['binary'], noise: ['high'] } }),
    expect: /axes\.noise\[0\]: .*expected number/,
  },
  {
    title: 'a YAML syntax error', file: 'syntax.yaml',
    text: 'name: bad\naxes:\n  seed: [0, 1\n  method: [sdpo]\n',
    expect: /syntax\.yaml:\d+:\d+: YAML syntax error/,
  },
];

for (const c of cases) {
  test(`a grid file with ${c.title} exits 2 naming the problem and writes nothing`, async (t) => {
    const { dir, cleanup } = tempDir();
    t.teardown(cleanup);
    const storePath = join(dir, 'store.db');
    const r = await runCli(['run', writeFile(dir, c.file, c.text), '--store', storePath]);
    t.is(r.code, 2);
    t.regex(r.stderr, c.expect);
    t.notRegex(r.stderr, /\n\s+at /, 'no stack trace');
    t.false(existsSync(storePath), 'no store written');
  });
}

test('a store file from an older or a newer sdpo is refused with exit 2 and a message naming the file and version, and is left as it was', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  for (const [version, expect] of [
    ['1', /v1\.db: store version 1, from an older sdpo; this sdpo reads version 2\. Start a coordinator on it once/],
    ['99', /v99\.db: store version 99, this sdpo reads version 2$/m],
  ] as const) {
    const path = join(dir, `v${version}.db`);
    const db = new Database(path);
    db.exec("CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL); CREATE TABLE sweeps (id INTEGER PRIMARY KEY)");
    db.prepare("INSERT INTO meta VALUES ('store_version', ?)").run(version);
    db.close();
    const before = readFileSync(path);
    const r = await runCli(['status', '--store', path]);
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, expect);
    t.notRegex(r.stderr, /internal error|\n\s+at /);
    if (version === '99') {
      // A coordinator refuses it the same way.
      const c = await runCli(['coordinator', '--store', path, '--listen', '127.0.0.1:0']);
      t.is(c.code, 2, c.stderr);
      t.regex(c.stderr, expect);
    }
    t.deepEqual(readFileSync(path), before);
  }
  const notDb = writeFile(dir, 'notes.db', 'not a database, just text\n'.repeat(200));
  const r = await runCli(['status', '--store', notDb]);
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /cannot open store .*notes\.db: file is not a database/);
});
