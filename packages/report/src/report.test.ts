import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport, ReportError, writeReport, type ReportFiles, type ReportSummary } from './report.js';
import { syntheticAnalysis, syntheticRuns } from './synthetic.js';

const runs = syntheticRuns({ methods: ['reinforce', 'sdpo', 'hybrid'], feedbacks: ['critique', 'binary'], noises: [0, 0.3], seeds: 3, steps: 15 });
const analysis = syntheticAnalysis(runs);
const sensRuns = syntheticRuns({ methods: ['reinforce', 'sdpo'], feedbacks: ['binary'], noises: [0.1], seeds: 2, steps: 10, kappas: [1, 4] });
const sensitivityAnalysis = syntheticAnalysis(sensRuns);
let files: ReportFiles;
test.before(async () => {
  files = await buildReport({ name: 'unit <study>', runs, analysis, sensitivity: sensRuns, sensitivityAnalysis });
});

/** Rows of the HTML table with this id, as arrays of cell texts. */
function htmlTable(html: string, id: string): string[][] {
  const m = new RegExp(`<table id="${id}">(.*?)</table>`, 's').exec(html);
  if (!m) return [];
  const body = /<tbody>(.*?)<\/tbody>/s.exec(m[1]!)?.[1] ?? '';
  return [...body.matchAll(/<tr>(.*?)<\/tr>/gs)].map((r) => [...r[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((c) => c[1]!));
}

test('the same runs give byte-identical report files', async (t) => {
  const again = await buildReport({ name: 'unit <study>', runs, analysis, sensitivity: sensRuns, sensitivityAnalysis });
  t.deepEqual(again, files);
});

test('the page is self-contained: inline SVG figures, inline CSS, no scripts and no external references', (t) => {
  const html = files['index.html'];
  t.is([...html.matchAll(/<figure /g)].length, Object.keys(files.figures).length);
  t.is([...html.matchAll(/<svg /g)].length, Object.keys(files.figures).length);
  t.false(/<script|<link|<img|<iframe|@import|@font-face/i.test(html));
  // xmlns attributes name namespaces; nothing else may point off the page.
  const urls = [...html.matchAll(/(?:https?:)?\/\/[^\s"'<>)]+/g)].map((m) => m[0]).filter((u) => !u.startsWith('http://www.w3.org/'));
  t.deepEqual(urls, []);
  t.regex(html, /Content-Security-Policy" content="default-src 'none'/);
});

test('the claims table lists every claim with its verdict colored, and claim text is escaped', (t) => {
  const rows = htmlTable(files['index.html'], 'claims-table');
  t.is(rows.length, analysis.claims.length);
  t.true(rows[0]![1]!.includes('&lt;with markup &amp; &quot;quotes&quot;&gt;'));
  t.regex(files['index.html'], /<td class="v-direction-only">direction only<\/td>/);
  t.regex(files['index.html'], /<td class="v-not-supported">not supported<\/td>/);
  t.regex(files['index.html'], /<title>SDPO study report: unit &lt;study&gt;<\/title>/);
});

test('report.md carries the same tables as the page, row for row', (t) => {
  const md = files['report.md'];
  const html = files['index.html'];
  for (const id of ['claims-table', 'aggregates-table', 'comparisons-finalReward', 'cells-finalReward', 'cells-stepsTo90', 'kappa-crossover-table']) {
    const rows = htmlTable(html, id);
    t.true(rows.length > 0, id);
    for (const r of rows.slice(0, 5)) {
      const mdRow = `| ${r.map((c) => c.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\|/g, '\\|')).join(' | ')} |`;
      t.true(md.includes(mdRow), `${id}: ${mdRow}`);
    }
  }
  for (const name of Object.keys(files.figures)) t.true(md.includes(`(figures/${name}.svg)`), name);
});

test('summary.json holds the whole analysis and the figure list', (t) => {
  const s = JSON.parse(files['summary.json']) as ReportSummary;
  t.is(s.schemaVersion, 1);
  t.deepEqual(s.analysis, JSON.parse(JSON.stringify(analysis)));
  t.deepEqual(s.sensitivity, JSON.parse(JSON.stringify(sensitivityAnalysis)));
  t.deepEqual(s.figures.map((f) => f.name), Object.keys(files.figures));
});

test('warnings about small cells are shown', (t) => {
  t.regex(files['index.html'], /cells have fewer than 10 seeds/);
});

test('writeReport writes the page, the Markdown, the JSON, the CSVs and one SVG per figure', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sdpo-report-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const written = await writeReport(join(dir, 'out'), files);
  t.is(written.length, 5 + Object.keys(files.figures).length);
  t.deepEqual(readdirSync(join(dir, 'out')).sort(), ['figures', 'index.html', 'report.md', 'runs-sensitivity.csv', 'runs.csv', 'summary.json']);
  // One line per run of each sweep, after the header.
  t.is(readFileSync(join(dir, 'out', 'runs.csv'), 'utf8').trimEnd().split('\n').length, runs.length + 1);
  t.is(readFileSync(join(dir, 'out', 'runs-sensitivity.csv'), 'utf8').trimEnd().split('\n').length, sensRuns.length + 1);
  t.deepEqual(readdirSync(join(dir, 'out', 'figures')).sort(), Object.keys(files.figures).map((n) => `${n}.svg`).sort());
  t.is(readFileSync(join(dir, 'out', 'index.html'), 'utf8'), files['index.html']);
  // Rewriting the folder with a report that has fewer figures leaves no stale SVG behind.
  const fewer = { ...files, figures: { 'final-reward': files.figures['final-reward']! } };
  await writeReport(join(dir, 'out'), fewer);
  t.deepEqual(readdirSync(join(dir, 'out', 'figures')), ['final-reward.svg']);
  // ... and a report without a sensitivity sweep leaves no stale runs-sensitivity.csv.
  const { 'runs-sensitivity.csv': _sens, ...main } = files;
  await writeReport(join(dir, 'out'), main);
  t.false(readdirSync(join(dir, 'out')).includes('runs-sensitivity.csv'));
});

test('steps to 90%: a median, IQM or max that reaches a run that never converged reads ∞', async (t) => {
  // Two of three seeds of one cell never converge: the median and max are +∞ there, the mean is the converged run's.
  const cell = (r: (typeof runs)[number]) => r.config.method === 'sdpo' && r.config.feedback === 'binary' && r.config.noise === 0;
  let kept = 0;
  const stalled = runs.map((r) => (cell(r) && kept++ > 0 ? { ...r, summary: { ...r.summary, stepsTo90: null } } : r));
  const built = await buildReport({ name: 'stalled', runs: stalled });
  const row = htmlTable(built['index.html'], 'cells-stepsTo90').find((r) => r[0] === 'SDPO' && r[1] === 'Binary' && r[2] === '0')!;
  t.truthy(row, 'the cell has a row');
  // n, mean [CI], SD, median, IQM, min, max, converged
  t.is(row[6], '∞', 'median');
  t.is(row[9], '∞', 'max');
  t.not(row[8], '∞', 'min: the converged run');
  t.is(row[10], '1/3');
});

test('a study without runs is refused with a stable code', async (t) => {
  const err = await t.throwsAsync(buildReport({ name: 'empty', runs: [] }), { instanceOf: ReportError });
  t.is(err?.code, 'REPORT_NO_RUNS');
});
