import test from 'ava';
import { analyzeStudy } from '@sdpo/aggregator';
import { buildReport, type ReportFiles, type ReportSummary } from '@sdpo/report';
import { runSimulation, type RunResult } from '@sdpo/sim';

// A real (small) study: simulated runs, the real aggregator, the real report.
const METHODS = ['reinforce', 'sdpo', 'hybrid'] as const;
const FEEDBACKS = ['critique', 'binary'] as const;
const NOISES = [0, 0.2] as const;
const SEEDS = [0, 1, 2];
const KAPPAS = [0.5, 4];

function grid(): RunResult[] {
  const runs: RunResult[] = [];
  for (const seed of SEEDS) for (const method of METHODS) for (const feedback of FEEDBACKS) for (const noise of NOISES) runs.push(runSimulation({ seed, method, feedback, noise, steps: 20 }));
  return runs;
}
function sensitivityGrid(): RunResult[] {
  const runs: RunResult[] = [];
  for (const seed of SEEDS) for (const method of ['reinforce', 'sdpo'] as const) for (const kappa of KAPPAS) runs.push(runSimulation({ seed, method, feedback: 'binary', noise: 0.1, steps: 20, kappa }));
  return runs;
}

const count = (svg: string, name: string): number => {
  let n = 0;
  for (const m of svg.matchAll(new RegExp(`<g class="mark-\\w+ role-mark ${name}"[^>]*?(?:/>|>(.*?)</g>)`, 'gs'))) n += [...(m[1] ?? '').matchAll(/<(?:path|line)\b/g)].length;
  return n;
};

let runs: RunResult[];
let files: ReportFiles;
let summary: ReportSummary;
test.before(async () => {
  runs = grid();
  files = await buildReport({ name: 'small', runs, sensitivity: sensitivityGrid(), options: { analyze: { bootstrapResamples: 200 } } });
  summary = JSON.parse(files['summary.json']) as ReportSummary;
});

test('a report of simulated runs analysed by the aggregator has every figure of the spec', (t) => {
  const names = Object.keys(files.figures);
  for (const n of ['learning-curves', 'final-reward', 'credit-correlation', 'entropy-curves', 'entropy-drop', 'noise-robustness', 'hybrid-alpha-kl', 'kappa-crossover']) t.true(names.includes(n), n);
  t.is(summary.analysis.runs, runs.length);
  t.is(summary.analysis.cells.length, METHODS.length * FEEDBACKS.length * NOISES.length);
});

test('the final-reward figure shows the aggregator\'s cell means at σ = 0 and every seed', (t) => {
  const svg = files.figures['final-reward']!;
  t.is(count(svg, 'mean_marks'), METHODS.length * FEEDBACKS.length);
  t.is(count(svg, 'seeds_marks'), METHODS.length * FEEDBACKS.length * SEEDS.length);
  const drawn = [...svg.matchAll(/aria-label="mean: ([-0-9.e]+); Method/g)].map((m) => Number(m[1])).sort();
  const expected = summary.analysis.cells.filter((c) => c.key.noise === 0).map((c) => c.metrics.finalReward.mean!).sort();
  t.is(drawn.length, expected.length);
  drawn.forEach((d, i) => t.true(Math.abs(d - expected[i]!) < 1e-9, `${d} vs ${expected[i]}`));
});

test('the κ figure has one point per κ of the sensitivity sweep', (t) => {
  const svg = files.figures['kappa-crossover']!;
  t.is(count(svg, 'significant_marks') + count(svg, 'notsignificant_marks'), KAPPAS.length);
  t.not(summary.sensitivity, null);
});

test('the page and the Markdown list every claim the aggregator judged, and the CSV every run', (t) => {
  const rows = /<table id="claims-table">.*?<tbody>(.*?)<\/tbody>/s.exec(files['index.html'])?.[1] ?? '';
  t.is([...rows.matchAll(/<tr>/g)].length, summary.analysis.claims.length);
  for (const c of summary.analysis.claims) t.true(files['report.md'].includes(`| ${c.id} |`), `claim ${c.id} in report.md`);
  t.is(files['runs.csv'].trimEnd().split('\r\n').length, runs.length + 1);
});

test('the report is identical when the analysis is passed in instead of computed', async (t) => {
  const analysis = analyzeStudy(runs, { bootstrapResamples: 200 });
  const again = await buildReport({ name: 'small', runs, analysis, sensitivityAnalysis: summary.sensitivity!, options: { analyze: { bootstrapResamples: 200 } } });
  t.is(again['index.html'], files['index.html']);
});
