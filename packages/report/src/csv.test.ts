import test from 'ava';
import { SUMMARY_KEYS } from '@sdpo/sim';
import { runsCsv, toCsv } from './csv.js';
import { syntheticRuns } from './synthetic.js';

/** A small RFC 4180 parser (quotes, doubled quotes, CRLF), to read back what was written. */
function parseCsv(s: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = '';
  let q = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q) {
      if (c === '"' && s[i + 1] === '"') (f += '"'), i++;
      else if (c === '"') q = false;
      else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') row.push(f), (f = '');
    else if (c === '\r' && s[i + 1] === '\n') row.push(f), rows.push(row), (row = []), (f = ''), i++;
    else f += c;
  }
  return rows;
}

test('runs.csv has one row per run with every config and summary field, numbers exact', (t) => {
  const runs = syntheticRuns({ methods: ['reinforce', 'sdpo'], feedbacks: ['binary'], noises: [0, 0.1], seeds: 3, steps: 10 });
  const rows = parseCsv(runsCsv(runs));
  const [head, ...body] = rows;
  t.is(body.length, runs.length);
  for (const col of ['seed', 'method', 'feedback', 'noise', 'kappa', 'weights.local', 'hybrid.alphaMax', 'simVersion', ...SUMMARY_KEYS]) t.true(head!.includes(col), col);
  t.false(head!.includes('wallMs'), 'timing is left out: the file is deterministic');
  const col = (name: string): number => head!.indexOf(name);
  body.forEach((r, i) => {
    t.is(Number(r[col('finalReward')]), runs[i]!.summary.finalReward);
    t.is(r[col('method')], runs[i]!.config.method);
    t.is(Number(r[col('seed')]), runs[i]!.config.seed);
  });
});

test('CSV fields with commas, quotes or line breaks are quoted; null is empty', (t) => {
  const s = toCsv(['a', 'b', 'c'], [['x,y', 'say "hi"', null], ['line\nbreak', 1.5, undefined]]);
  t.is(s, 'a,b,c\r\n"x,y","say ""hi""",\r\n"line\nbreak",1.5,\r\n');
  t.deepEqual(parseCsv(s), [['a', 'b', 'c'], ['x,y', 'say "hi"', ''], ['line\nbreak', '1.5', '']]);
});
