import test from 'ava';
import { existsSync } from 'node:fs';
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
