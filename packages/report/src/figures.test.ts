import test from 'ava';
import { figureData } from './data.js';
import { figureSpecs, MAX_DOTS_PER_CELL, renderFigures, type Figure, type SeedPoint } from './figures.js';
import { syntheticAnalysis, syntheticRuns } from './synthetic.js';

/** The leaf items (`<path>`/`<line>`) of every SVG mark group named `name`, one array per group (one group per facet or per line). */
function markGroups(svg: string, name: string): string[][] {
  const groups: string[][] = [];
  // An empty group (a facet where a filter left nothing) is written self-closing.
  const re = new RegExp(`<g class="mark-\\w+ role-mark ${name}"[^>]*?(?:/>|>(.*?)</g>)`, 'gs');
  for (const m of svg.matchAll(re)) groups.push([...(m[1] ?? '').matchAll(/<(?:path|line)\b[^>]*>/g)].map((x) => x[0]));
  return groups;
}
const items = (svg: string, name: string): string[] => markGroups(svg, name).flat();
/** The number after `field: ` in each item's aria-label. */
const labelled = (items: readonly string[], field: string): number[] =>
  items.map((i) => Number(new RegExp(`${field}: (−?[-0-9.e]+)`).exec(i)?.[1]?.replace('−', '-')));

const METHODS = ['reinforce', 'rloo', 'sdpo', 'hybrid'] as const;
const FEEDBACKS = ['critique', 'ordinal', 'binary'] as const;
const SEEDS = 5;
const runs = syntheticRuns({ methods: METHODS, feedbacks: FEEDBACKS, noises: [0, 0.1, 0.3], seeds: SEEDS, steps: 30, evalEvery: 5 });
const analysis = syntheticAnalysis(runs);
const sensRuns = syntheticRuns({ methods: ['reinforce', 'sdpo'], feedbacks: FEEDBACKS, noises: [0.1], seeds: 3, steps: 10, kappas: [0.5, 1, 4, 8] });
const sens = syntheticAnalysis(sensRuns);
const data = figureData(analysis, runs, sens);
const CHANNELS = FEEDBACKS.length;
const CELLS_AT_ZERO = METHODS.length * CHANNELS;
const POINTS = 7; // steps 0, 5, …, 30

let figures: Figure[] = [];
test.before(async () => {
  figures = await renderFigures(data);
});
const fig = (name: string): string => {
  const f = figures.find((x) => x.name === name);
  if (!f) throw new Error(`figure ${name} missing; have ${figures.map((x) => x.name).join(', ')}`);
  return f.svg;
};

test('every figure of the spec is rendered, with a title and a caption', (t) => {
  t.deepEqual(
    figures.map((f) => f.name),
    ['claims', 'learning-curves', 'final-reward', 'credit-correlation', 'entropy-curves', 'entropy-drop', 'noise-robustness', 'hybrid-alpha-kl', 'kappa-crossover'],
  );
  for (const f of figures) {
    t.true(f.svg.startsWith('<svg'), f.name);
    t.true(f.caption.length > 40 && f.title.length > 3, f.name);
  }
});

test('learning curves draw one line and one band per method and channel at σ = 0, one vertex per recorded step', (t) => {
  const lines = markGroups(fig('learning-curves'), 'line_marks');
  t.is(lines.length, CELLS_AT_ZERO);
  t.is(markGroups(fig('learning-curves'), 'band_marks').length, CELLS_AT_ZERO);
  for (const [path] of lines) t.is((/ d="([^"]*)"/.exec(path!)?.[1]?.match(/[ML]/g) ?? []).length, POINTS);
});

test('the final-reward figure has a dot per seed and a mean with interval per cell, at the cells\' values', (t) => {
  const svg = fig('final-reward');
  t.is(markGroups(svg, 'mean_marks').length, CHANNELS, 'one panel per channel');
  t.is(items(svg, 'seeds_marks').length, CELLS_AT_ZERO * SEEDS);
  t.is(items(svg, 'ci_marks').length, CELLS_AT_ZERO);
  const drawn = labelled(items(svg, 'mean_marks'), 'mean').sort();
  const expected = analysis.cells.filter((c) => c.key.noise === 0).map((c) => c.metrics.finalReward.mean!).sort();
  t.is(drawn.length, expected.length);
  drawn.forEach((d, i) => t.true(Math.abs(d - expected[i]!) < 1e-9, `${d} vs ${expected[i]}`));
});

test('the credit and entropy-drop figures have one mean per cell and one dot per seed, plus their reference lines', (t) => {
  for (const name of ['credit-correlation', 'entropy-drop']) {
    const svg = fig(name);
    t.is(items(svg, 'mean_marks').length, CELLS_AT_ZERO, name);
    t.is(items(svg, 'seeds_marks').length, CELLS_AT_ZERO * SEEDS, name);
    t.is(items(svg, 'ref_marks').length, CHANNELS, name);
  }
  const credit = labelled(items(fig('credit-correlation'), 'mean_marks'), 'mean').sort();
  const expected = analysis.cells.filter((c) => c.key.noise === 0).map((c) => c.metrics.creditCorr.mean!).sort();
  credit.forEach((d, i) => t.true(Math.abs(d - expected[i]!) < 1e-9));
});

test('entropy curves draw one line per method and channel', (t) => {
  t.is(markGroups(fig('entropy-curves'), 'line_marks').length, CELLS_AT_ZERO);
});

test('the noise-robustness figure has a point and an error bar per cell over every σ, one line per method and channel', (t) => {
  const svg = fig('noise-robustness');
  t.is(items(svg, 'mean_marks').length, analysis.cells.length);
  t.is(items(svg, 'errorbar_marks').length, analysis.cells.length);
  t.is(markGroups(svg, 'line_marks').length, CELLS_AT_ZERO);
});

test('the hybrid figure draws α for Hybrid only and the KL for SDPO and Hybrid, per channel', (t) => {
  const svg = fig('hybrid-alpha-kl');
  t.is(markGroups(svg, 'alpha_line_marks').length, CHANNELS);
  t.is(markGroups(svg, 'kl_line_marks').length, 2 * CHANNELS);
  // α and KL are null at step 0, so their curves start at the first evaluation.
  for (const [path] of markGroups(svg, 'alpha_line_marks')) t.is((/ d="([^"]*)"/.exec(path!)?.[1]?.match(/[ML]/g) ?? []).length, POINTS - 1);
});

test('the κ figure has one point per κ and channel, filled when significant and open otherwise', (t) => {
  const svg = fig('kappa-crossover');
  const filled = items(svg, 'significant_marks').length;
  const open = items(svg, 'notsignificant_marks').length;
  t.is(filled + open, 4 * CHANNELS);
  const expectedFilled = sens.kappaCrossover!.series.flatMap((s) => s.points).filter((p) => p.significantlyAbove).length;
  t.is(filled, expectedFilled);
  t.true(filled > 0 && open > 0, 'the fixture has both kinds');
});

test('the claims figure has one estimate and interval per measured part and a grey box per claimed range', (t) => {
  const svg = fig('claims');
  const parts = analysis.claims.flatMap((c) => c.parts);
  t.is(markGroups(svg, 'estimate_marks').length, analysis.claims.length, 'one panel per claim');
  t.is(items(svg, 'estimate_marks').length, parts.length);
  t.is(items(svg, 'ci_marks').length, parts.length);
  t.is(items(svg, 'claimed_marks').length, parts.filter((p) => p.claimed !== null).length);
  // Colors follow verdicts: as many distinct fills as distinct verdicts.
  const fills = new Set(items(svg, 'estimate_marks').map((i) => /fill="([^"]+)"/.exec(i)?.[1]));
  t.is(fills.size, new Set(parts.map((p) => p.verdict)).size);
});

test('figures without data are left out rather than drawn empty', async (t) => {
  const noHybrid = syntheticRuns({ methods: ['reinforce', 'rloo'], feedbacks: ['binary'], noises: [0.2], seeds: 2, steps: 10 });
  const figs = await renderFigures(figureData(syntheticAnalysis(noHybrid), noHybrid));
  t.deepEqual(figs.map((f) => f.name), ['claims', 'learning-curves', 'final-reward', 'credit-correlation', 'entropy-curves', 'entropy-drop']);
  // No σ = 0 in this study: the per-channel figures fall back to the smallest σ and say so.
  t.true(figs.find((f) => f.name === 'learning-curves')!.caption.includes('σ = 0.2'));
});

test('cells with many seeds show evenly spaced quantiles of their seeds, including the extremes, and say so', async (t) => {
  const many: SeedPoint[] = Array.from({ length: 1000 }, (_, i) => ({ method: 'sdpo', feedback: 'binary', noise: 0, seed: i, value: i / 1000 }));
  const few: SeedPoint[] = Array.from({ length: 5 }, (_, i) => ({ method: 'reinforce', feedback: 'binary', noise: 0, seed: i, value: 0.5 }));
  const cell = (method: string) => ({ method, feedback: 'binary', noise: 0, n: 1000, mean: 0.5, lo: 0.49, hi: 0.51 });
  const d = { ...data, finalReward: [cell('sdpo'), cell('reinforce')], finalRewardSeeds: [...many, ...few] };
  const spec = figureSpecs(d).find((f) => f.name === 'final-reward')!;
  t.regex(spec.caption, new RegExp(`more than ${MAX_DOTS_PER_CELL} seeds`));
  const rows = (spec.spec as unknown as { data: { values: { kind: string; Method: string; value: number }[] } }).data.values.filter((r) => r.kind === 'seed');
  const sdpo = rows.filter((r) => r.Method === 'SDPO').map((r) => r.value);
  t.is(sdpo.length, MAX_DOTS_PER_CELL);
  t.is(Math.min(...sdpo), 0);
  t.is(Math.max(...sdpo), 0.999);
  t.is(rows.filter((r) => r.Method === 'REINFORCE').length, 5, 'small cells keep every seed');
  t.false(figureSpecs(data).find((f) => f.name === 'final-reward')!.caption.includes('quantiles'));
});
