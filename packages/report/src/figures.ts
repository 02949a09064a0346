import type { TopLevelSpec } from 'vega-lite';
import { feedbackLabel, methodColorScale, methodLabel, orderFeedbacks, orderMethods, VERDICT_STYLE, verdictKey } from './labels.js';
import { renderSvg } from './render.js';

/** Pointwise mean and 95% interval of one curve of one cell at one step. */
export interface CurvePoint {
  readonly method: string;
  readonly feedback: string;
  readonly noise: number;
  readonly step: number;
  readonly mean: number;
  /** null when the interval is undefined (n < 2). */
  readonly lo: number | null;
  readonly hi: number | null;
}

/** A cell statistic (mean with its 95% interval). */
export interface CellPoint {
  readonly method: string;
  readonly feedback: string;
  readonly noise: number;
  readonly n: number;
  readonly mean: number;
  readonly lo: number | null;
  readonly hi: number | null;
}

/** One run's value of a summary metric. */
export interface SeedPoint {
  readonly method: string;
  readonly feedback: string;
  readonly noise: number;
  readonly seed: number;
  readonly value: number;
}

/** SDPO − REINFORCE final-reward difference at one κ, for one series (channel at fixed other axes). */
export interface KappaFigurePoint {
  readonly feedback: string;
  readonly kappa: number;
  /** Which series the point belongs to, e.g. `lr = 0.03`, or `pooled over lr`. */
  readonly series: string;
  readonly diff: number;
  readonly lo: number | null;
  readonly hi: number | null;
  /** Holm-adjusted p < 0.05 with SDPO ahead. */
  readonly significant: boolean;
}

/** One measured part of a claim (a channel, or the pooled measure). */
export interface ClaimFigurePart {
  readonly claim: number;
  readonly label: string;
  readonly role: 'primary' | 'secondary';
  readonly estimate: number;
  readonly lo: number | null;
  readonly hi: number | null;
  readonly claimedLo: number | null;
  readonly claimedHi: number | null;
  readonly verdict: string;
}

/** Everything the figures are drawn from, already aggregated. */
export interface FigureData {
  /** The noise level the per-channel figures (curves, final reward, credit, entropy) show. */
  readonly focusNoise: number;
  readonly rewardCurves: readonly CurvePoint[];
  readonly entropyCurves: readonly CurvePoint[];
  readonly alphaCurves: readonly CurvePoint[];
  readonly klCurves: readonly CurvePoint[];
  /** finalReward at every noise level (the robustness figure uses them all). */
  readonly finalReward: readonly CellPoint[];
  readonly finalRewardSeeds: readonly SeedPoint[];
  readonly creditCorr: readonly CellPoint[];
  readonly creditSeeds: readonly SeedPoint[];
  readonly entropyDrop: readonly CellPoint[];
  readonly entropyDropSeeds: readonly SeedPoint[];
  readonly kappa?: readonly KappaFigurePoint[];
  readonly claims?: readonly ClaimFigurePart[];
}

/** A rendered figure: a stable name (file name stem), its caption and the SVG. */
export interface Figure {
  readonly name: string;
  readonly title: string;
  readonly caption: string;
  readonly svg: string;
  /** The Vega-Lite spec it was rendered from (kept so a reader can re-plot). */
  readonly spec: TopLevelSpec;
}

const PANEL_W = 190;
const PANEL_H = 165;

const noiseLabel = (s: number): string => `σ = ${s}`;

interface Ctx {
  readonly methods: string[];
  readonly feedbacks: string[];
}

function context(data: FigureData): Ctx {
  const all = [...data.finalReward, ...data.rewardCurves];
  return { methods: orderMethods(all.map((d) => d.method)), feedbacks: orderFeedbacks(all.map((d) => d.feedback)) };
}

type LegendSymbol = 'stroke' | 'circle' | false;

/**
 * The method color encoding. The scale lists only the methods present in the
 * figure (colors still come from the fixed per-method table), and the legend
 * symbol matches the mark: a stroke for curves, a dot for dot plots.
 */
function colorEnc(ctx: Ctx, legend: LegendSymbol = 'stroke', methods: readonly string[] = ctx.methods): Record<string, unknown> {
  const legendDef =
    legend === false
      ? null
      : { title: 'Method', symbolType: legend, symbolOpacity: 1, symbolStrokeWidth: legend === 'stroke' ? 2.5 : 1, symbolSize: legend === 'stroke' ? 200 : 60 };
  return { field: 'Method', type: 'nominal', scale: methodColorScale(methods), legend: legendDef };
}

const present = (ctx: Ctx, pts: readonly { method: string }[]): string[] => {
  const set = new Set(pts.map((p) => p.method));
  return ctx.methods.filter((m) => set.has(m));
};

function columnEnc(ctx: Ctx): Record<string, unknown> {
  return { field: 'Channel', type: 'nominal', sort: ctx.feedbacks.map(feedbackLabel), header: { title: 'Feedback channel' } };
}

const curveRows = (pts: readonly CurvePoint[]): Record<string, unknown>[] =>
  pts.map((p) => ({ Method: methodLabel(p.method), Channel: feedbackLabel(p.feedback), step: p.step, mean: p.mean, lo: p.lo ?? p.mean, hi: p.hi ?? p.mean }));

/** Curves with a 95% band, one line per method, one panel per channel. */
function curveSpec(ctx: Ctx, pts: readonly CurvePoint[], yTitle: string, yZero: boolean, methods = present(ctx, pts)): TopLevelSpec {
  const x = { field: 'step', type: 'quantitative', title: 'Training step' };
  const color = colorEnc(ctx, 'stroke', methods);
  return {
    data: { values: curveRows(pts) },
    facet: { column: columnEnc(ctx) },
    spec: {
      width: PANEL_W,
      height: PANEL_H,
      layer: [
        {
          name: 'band',
          mark: { type: 'area', opacity: 0.18 },
          encoding: { x, y: { field: 'lo', type: 'quantitative', title: yTitle, scale: { zero: yZero } }, y2: { field: 'hi' }, color },
        },
        {
          name: 'line',
          mark: { type: 'line' },
          encoding: { x, y: { field: 'mean', type: 'quantitative', title: yTitle }, color },
        },
      ],
    },
  } as TopLevelSpec;
}

/** Above this many seeds in a cell, the dot plots show quantiles instead of every seed. */
export const MAX_DOTS_PER_CELL = 60;

/**
 * Per cell, every seed's value, or, for large cells, MAX_DOTS_PER_CELL evenly
 * spaced order statistics: the same distribution at a fraction of the SVG
 * (the robustness preset has 1000 seeds per cell).
 */
function thinSeeds(seeds: readonly SeedPoint[]): { points: SeedPoint[]; thinned: boolean } {
  const byCell = new Map<string, SeedPoint[]>();
  for (const p of seeds) {
    const k = `${p.method}|${p.feedback}|${p.noise}`;
    const list = byCell.get(k);
    if (list) list.push(p);
    else byCell.set(k, [p]);
  }
  let thinned = false;
  const points: SeedPoint[] = [];
  for (const list of byCell.values()) {
    if (list.length <= MAX_DOTS_PER_CELL) {
      points.push(...list);
      continue;
    }
    thinned = true;
    const sorted = [...list].sort((a, b) => a.value - b.value);
    for (let i = 0; i < MAX_DOTS_PER_CELL; i++) {
      const p = sorted[Math.round((i * (sorted.length - 1)) / (MAX_DOTS_PER_CELL - 1))]!;
      points.push({ ...p, seed: i });
    }
  }
  return { points, thinned };
}

const thinNote = (thinned: boolean): string => (thinned ? ` Cells with more than ${MAX_DOTS_PER_CELL} seeds show ${MAX_DOTS_PER_CELL} evenly spaced quantiles of their seeds instead of every seed.` : '');

// Deterministic jitter in [−0.5, 0.5): the same seed lands at the same offset in every report.
const jitter = (seed: number): number => (((seed * 0.6180339887498949) % 1) + 1) % 1 - 0.5;

/**
 * A dot-and-interval plot per channel: methods on the y axis, each seed a
 * faint jittered dot, the cell mean a large dot with its 95% interval as a rule.
 * One dataset with a `kind` column, because a facet partitions only the
 * top-level data: layers filter it rather than bring their own.
 */
function dotSpec(ctx: Ctx, cells: readonly CellPoint[], seeds: readonly SeedPoint[], xTitle: string, scale = 1, refLine?: number): TopLevelSpec {
  const y = { field: 'Method', type: 'nominal', sort: ctx.methods.map(methodLabel), title: null };
  const cellRows = cells.map((c) => ({
    kind: 'cell', Method: methodLabel(c.method), Channel: feedbackLabel(c.feedback), mean: c.mean * scale,
    lo: (c.lo ?? c.mean) * scale, hi: (c.hi ?? c.mean) * scale, n: c.n,
  }));
  const seedRows = seeds.map((s) => ({ kind: 'seed', Method: methodLabel(s.method), Channel: feedbackLabel(s.feedback), value: s.value * scale, seed: s.seed, jitter: jitter(s.seed) }));
  const refRows = refLine === undefined ? [] : [...new Set(cells.map((c) => c.feedback))].map((f) => ({ kind: 'ref', Channel: feedbackLabel(f), ref: refLine }));
  const only = (kind: string): unknown[] => [{ filter: `datum.kind === '${kind}'` }];
  const layers: unknown[] = [
    {
      name: 'seeds',
      transform: only('seed'),
      mark: { type: 'circle', size: 14, opacity: 0.35 },
      encoding: {
        y,
        x: { field: 'value', type: 'quantitative', title: xTitle, scale: { zero: false } },
        yOffset: { field: 'jitter', type: 'quantitative', scale: { domain: [-1.4, 1.4] } },
        color: colorEnc(ctx, false),
      },
    },
    {
      name: 'ci',
      transform: only('cell'),
      mark: { type: 'rule', strokeWidth: 2 },
      encoding: { y, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' }, color: { value: '#222' } },
    },
    {
      name: 'mean',
      transform: only('cell'),
      mark: { type: 'point', filled: true, size: 60, stroke: '#222', strokeWidth: 0.8, opacity: 1 },
      encoding: { y, x: { field: 'mean', type: 'quantitative' }, color: colorEnc(ctx, false) },
    },
  ];
  if (refLine !== undefined) {
    layers.unshift({
      name: 'ref',
      transform: only('ref'),
      mark: { type: 'rule', strokeDash: [4, 3], color: '#999' },
      encoding: { x: { field: 'ref', type: 'quantitative' } },
    });
  }
  return {
    data: { values: [...refRows, ...seedRows, ...cellRows] },
    facet: { column: columnEnc(ctx) },
    spec: { width: PANEL_W, height: 22 * ctx.methods.length, layer: layers },
  } as unknown as TopLevelSpec;
}

/** Final reward against σ, one line per method with 95% error bars, one panel per channel. */
function noiseSpec(ctx: Ctx, cells: readonly CellPoint[]): TopLevelSpec {
  const rows = cells.map((c) => ({ Method: methodLabel(c.method), Channel: feedbackLabel(c.feedback), noise: c.noise, mean: c.mean, lo: c.lo ?? c.mean, hi: c.hi ?? c.mean }));
  // Padding keeps the error bars at the extreme σ levels off the frame.
  const x = { field: 'noise', type: 'quantitative', title: 'Feedback noise σ', scale: { nice: false, padding: 12 } };
  const color = colorEnc(ctx, 'stroke', present(ctx, cells));
  return {
    data: { values: rows },
    facet: { column: columnEnc(ctx) },
    spec: {
      width: PANEL_W,
      height: PANEL_H,
      layer: [
        { name: 'errorbar', mark: { type: 'rule', opacity: 0.6 }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
        { name: 'line', mark: { type: 'line' }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: 'Final reward E_π[R]', scale: { zero: false } }, color } },
        { name: 'mean', mark: { type: 'point', filled: true, size: 26, opacity: 1 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color } },
      ],
    },
  } as TopLevelSpec;
}

/** Hybrid's α (top row) and the teacher–student KL of SDPO and Hybrid (bottom row) over training. */
function hybridSpec(ctx: Ctx, alpha: readonly CurvePoint[], kl: readonly CurvePoint[]): TopLevelSpec {
  // One color scale for both rows, so its domain is the union of their methods.
  const methods = present(ctx, [...alpha, ...kl]);
  const row = (pts: readonly CurvePoint[], name: string, yTitle: string, yZero: boolean): unknown => {
    const s = curveSpec(ctx, pts, yTitle, yZero, methods) as unknown as { spec: { layer: { name: string }[] } };
    s.spec.layer = s.spec.layer.map((l) => ({ ...l, name: `${name}_${l.name}` }));
    return s;
  };
  return {
    vconcat: [row(alpha, 'alpha', 'Mixing weight α', false), row(kl, 'kl', 'Divergence D̄ (nats/token)', true)],
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec;
}

/**
 * SDPO − REINFORCE final reward against κ, per channel, one line per series
 * (e.g. learning rate). Significant points are filled, the others open: two
 * layers rather than a fill encoding, which would drop the series color.
 */
function kappaSpec(pts: readonly KappaFigurePoint[]): TopLevelSpec {
  const feedbacks = orderFeedbacks(pts.map((p) => p.feedback));
  const rows = pts.map((p) => ({
    Channel: feedbackLabel(p.feedback), kappa: p.kappa, Series: p.series, diff: p.diff,
    lo: p.lo ?? p.diff, hi: p.hi ?? p.diff, significant: p.significant,
  }));
  const kappas = [...new Set(pts.map((p) => p.kappa))].sort((a, b) => a - b);
  const x = {
    field: 'kappa', type: 'quantitative', title: 'Retrospection strength κ (log scale)',
    scale: { type: 'log', nice: false, domain: [kappas[0]! / 1.3, kappas[kappas.length - 1]! * 1.3] },
    axis: { values: kappas, format: '.2~f', grid: true },
  };
  // Explicit colors (Dark2, the pooled series black) so the color and stroke
  // scales of the filled and open points agree and share one legend.
  const dark2 = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666'];
  const series = [...new Set(pts.map((p) => p.series))].sort((a, b) => (a === 'pooled' ? 1 : b === 'pooled' ? -1 : 0));
  let k = 0;
  const range = series.map((name) => (name === 'pooled' ? '#222222' : dark2[k++ % dark2.length]!));
  const color = {
    field: 'Series', type: 'nominal', title: 'Series', scale: { domain: series, range },
    legend: { symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolOpacity: 1 },
  };
  const y = { field: 'diff', type: 'quantitative' };
  return {
    data: { values: rows },
    facet: { column: { field: 'Channel', type: 'nominal', sort: feedbacks.map(feedbackLabel), header: { title: 'Feedback channel' } } },
    spec: {
      width: PANEL_W,
      height: PANEL_H,
      layer: [
        { name: 'zero', mark: { type: 'rule', strokeDash: [4, 3], color: '#999' }, encoding: { y: { datum: 0, type: 'quantitative' } } },
        { name: 'errorbar', mark: { type: 'rule', opacity: 0.6 }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
        { name: 'line', mark: { type: 'line' }, encoding: { x, y: { ...y, title: 'SDPO − REINFORCE final reward' }, color } },
        { name: 'significant', transform: [{ filter: 'datum.significant' }], mark: { type: 'point', filled: true, size: 40, opacity: 1 }, encoding: { x, y, color } },
        { name: 'notsignificant', transform: [{ filter: '!datum.significant' }], mark: { type: 'point', filled: false, fill: 'white', size: 40, opacity: 1, strokeWidth: 1.5 }, encoding: { x, y, stroke: color } },
      ],
    },
  } as unknown as TopLevelSpec;
}

/**
 * A forest plot of the claims: one row per measured part, the estimate with
 * its 95% interval colored by the part's verdict, the claimed range as a grey
 * box. Each claim has its own x scale (their units differ).
 */
function claimsSpec(parts: readonly ClaimFigurePart[]): TopLevelSpec {
  const verdicts = Object.values(VERDICT_STYLE);
  const rows = parts.map((p, i) => ({
    Claim: `Claim ${p.claim}`, claim: p.claim, Part: `${p.label}${p.role === 'secondary' ? ' (context)' : ''}`, order: i,
    estimate: p.estimate, lo: p.lo ?? p.estimate, hi: p.hi ?? p.estimate,
    hasClaim: p.claimedLo !== null && p.claimedHi !== null, claimedLo: p.claimedLo ?? 0, claimedHi: p.claimedHi ?? 0, Verdict: VERDICT_STYLE[verdictKey(p.verdict)]?.label ?? p.verdict,
  }));
  const x = { type: 'quantitative', scale: { zero: false }, axis: { title: null, tickCount: 5 } };
  const y = { field: 'Part', type: 'nominal', sort: { field: 'order' }, title: null, axis: { labelLimit: 240 } };
  const color = {
    field: 'Verdict', type: 'nominal', title: 'Verdict',
    scale: { domain: verdicts.map((v) => v.label), range: ['#2e7d32', '#c49000', '#c62828', '#888888'] },
  };
  return {
    data: { values: rows },
    facet: { row: { field: 'Claim', type: 'nominal', sort: { field: 'claim' }, header: { title: null, labelAngle: 0, labelAlign: 'left', labelAnchor: 'start' } } },
    spec: {
      width: 420,
      height: { step: 18 },
      layer: [
        { name: 'claimed', transform: [{ filter: 'datum.hasClaim' }], mark: { type: 'bar', color: '#dddddd', height: 12 }, encoding: { y, x: { field: 'claimedLo', ...x }, x2: { field: 'claimedHi' } } },
        { name: 'ci', mark: { type: 'rule', strokeWidth: 2 }, encoding: { y, x: { field: 'lo', ...x }, x2: { field: 'hi' }, color } },
        { name: 'estimate', mark: { type: 'point', filled: true, size: 50, opacity: 1 }, encoding: { y, x: { field: 'estimate', ...x }, color } },
      ],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** The figure specs of a report, in reading order; empty inputs give no figure. */
export function figureSpecs(data: FigureData): { name: string; title: string; caption: string; spec: TopLevelSpec }[] {
  const ctx = context(data);
  const atFocus = <T extends { noise: number }>(xs: readonly T[]): T[] => xs.filter((x) => x.noise === data.focusNoise);
  const sigma = noiseLabel(data.focusNoise);
  const out: { name: string; title: string; caption: string; spec: TopLevelSpec }[] = [];
  if (data.claims && data.claims.length > 0) {
    out.push({
      name: 'claims',
      title: 'Claims at a glance',
      caption: 'Each claim\'s measured parts: estimate (dot) with its 95% interval (bar), colored by the part\'s verdict; grey boxes are the magnitude range the deck claims. Each claim has its own scale; the table above gives the units and tests. Parts without a numeric estimate (e.g. a trend test that could not run) are not drawn.',
      spec: claimsSpec(data.claims),
    });
  }
  const rc = atFocus(data.rewardCurves);
  if (rc.length > 0) {
    out.push({
      name: 'learning-curves',
      title: 'Learning curves',
      caption: `Expected reward E_π[R] (exact, by enumeration) against training step at ${sigma}: mean over seeds with its pointwise 95% t-interval as a band, one line per method, one panel per feedback channel.`,
      spec: curveSpec(ctx, rc, 'Expected reward E_π[R]', false),
    });
  }
  const fr = atFocus(data.finalReward);
  if (fr.length > 0) {
    const dots = thinSeeds(atFocus(data.finalRewardSeeds));
    out.push({
      name: 'final-reward',
      title: 'Final reward',
      caption: `Final expected reward per method and channel at ${sigma}. Small dots: individual seeds (jittered vertically); large dots: mean over seeds; black bars: 95% t-interval.${thinNote(dots.thinned)}`,
      spec: dotSpec(ctx, fr, dots.points, 'Final reward E_π[R]'),
    });
  }
  const cc = atFocus(data.creditCorr);
  if (cc.length > 0) {
    const dots = thinSeeds(atFocus(data.creditSeeds));
    out.push({
      name: 'credit-correlation',
      title: 'Credit assignment',
      caption: `Pearson correlation between each method's per-token advantage and the ground-truth per-token credit g_t (mean over training steps), at ${sigma}. Cell means and intervals are averaged in Fisher-z space; dots are seeds; the dashed line marks r = 0.70, the deck's threshold for SDPO.${thinNote(dots.thinned)}`,
      spec: dotSpec(ctx, cc, dots.points, 'Credit correlation r', 1, 0.7),
    });
  }
  const ec = atFocus(data.entropyCurves);
  if (ec.length > 0) {
    out.push({
      name: 'entropy-curves',
      title: 'Policy entropy',
      caption: `Mean per-token policy entropy H(Y)/T (nats, exact) against training step at ${sigma}, with pointwise 95% t-intervals.`,
      spec: curveSpec(ctx, ec, 'Entropy (nats/token)', false),
    });
  }
  const ed = atFocus(data.entropyDrop);
  if (ed.length > 0) {
    const dots = thinSeeds(atFocus(data.entropyDropSeeds));
    out.push({
      name: 'entropy-drop',
      title: 'Entropy drop',
      caption: `Relative entropy drop 1 − H_final/H_initial (%) per method and channel at ${sigma}; dots are seeds, large dots means with 95% t-intervals.${thinNote(dots.thinned)}`,
      spec: dotSpec(ctx, ed, dots.points, 'Entropy drop (%)', 100, 0),
    });
  }
  const noises = new Set(data.finalReward.map((c) => c.noise));
  if (noises.size > 1) {
    out.push({
      name: 'noise-robustness',
      title: 'Noise robustness',
      caption: 'Final expected reward against the feedback noise σ, per method and channel; bars are 95% t-intervals over seeds.',
      spec: noiseSpec(ctx, data.finalReward),
    });
  }
  const al = atFocus(data.alphaCurves);
  const kl = atFocus(data.klCurves);
  if (al.length > 0 || kl.length > 0) {
    out.push({
      name: 'hybrid-alpha-kl',
      title: 'Hybrid mixing weight and teacher–student divergence',
      caption: `Top: Hybrid's mixing weight α between the SDPO and REINFORCE signals (α → 1 is pure alignment). Bottom: teacher–student divergence D̄ in nats per token for SDPO and Hybrid (the run's configured divergence between student π and self-teacher q: by default reverse KL(π ‖ q) with critique feedback, JSD otherwise). Both are means over the steps since the previous point, at ${sigma}, with pointwise 95% t-intervals.`,
      spec: hybridSpec(ctx, al, kl),
    });
  }
  if (data.kappa && data.kappa.length > 0) {
    out.push({
      name: 'kappa-crossover',
      title: 'κ sensitivity: where SDPO overtakes REINFORCE',
      caption: 'Paired difference in final reward, SDPO − REINFORCE, against the self-teacher\'s retrospection strength κ (log scale), per channel and learning rate, with 95% paired t-intervals. Filled points: Holm-adjusted p < 0.05 (over every final-reward comparison) with SDPO ahead; open points: not significant. The dashed line is no difference.',
      spec: kappaSpec(data.kappa),
    });
  }
  return out;
}

/** Renders every figure of {@link figureSpecs} to SVG (sequentially: vega views are memory-heavy). */
export async function renderFigures(data: FigureData): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const f of figureSpecs(data)) out.push({ ...f, svg: await renderSvg(f.name, f.spec) });
  return out;
}
