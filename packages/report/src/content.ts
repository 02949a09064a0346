import {
  METRIC_NAMES,
  type AxisLevel,
  type Cell,
  type Comparison,
  type Interval,
  type MetricName,
  type MetricStats,
  type StudyAnalysis,
} from '@sdpo/aggregator';
import { focusNoise } from './data.js';
import { num, type Block, type Cellish, type ReportDocument, type Section, type TableBlock } from './document.js';
import type { Figure } from './figures.js';
import { fmt, fmtCI, fmtP, fmtPct, fmtRange } from './format.js';
import { feedbackLabel, methodLabel, orderFeedbacks, orderMethods, verdictKey } from './labels.js';

const METRIC_TITLES: Record<MetricName, string> = {
  finalReward: 'Final reward E_π[R]',
  aucReward: 'Area under the reward curve (mean reward over curve points)',
  creditCorr: 'Credit correlation r (Fisher-z averaged)',
  entropyFinal: 'Final entropy (nats/token)',
  entropyDrop: 'Entropy drop 1 − H_final/H_initial',
  stepsTo90: 'Steps to 90% of the improvement',
  topSequenceProbFinal: 'Probability of the most likely sequence at the end',
};

/** σ and other grid levels as written in the grid (0.1, not 0.100). */
const fmtSigma = (x: number): string => String(Number(x.toPrecision(6)));
/** Axis levels such as κ = ln 7: four significant figures. */
const fmtLevel = (x: number): string => String(Number(x.toPrecision(4)));

const ci = (mean: number | null | undefined, c: Interval | null | undefined): string => fmtCI(mean, c?.lo, c?.hi);

const axesText = (axes: Readonly<Record<string, AxisLevel>>): string =>
  Object.entries(axes)
    .map(([k, v]) => `${k} = ${typeof v === 'number' ? fmtLevel(v) : v}`)
    .join(', ');

/** Sorts cells (or comparisons) by channel, σ, extra axes, method, in the canonical orders. */
function sortKey(methods: readonly string[], feedbacks: readonly string[]) {
  return (a: { method: string; feedback: string; noise: number; axes: Readonly<Record<string, AxisLevel>> }, b: typeof a): number =>
    feedbacks.indexOf(a.feedback) - feedbacks.indexOf(b.feedback) ||
    a.noise - b.noise ||
    axesText(a.axes).localeCompare(axesText(b.axes)) ||
    methods.indexOf(a.method) - methods.indexOf(b.method);
}

function claimsSection(a: StudyAnalysis, hasFigure: boolean): Section {
  const rows: Cellish[][] = a.claims.map((c) => [
    num(String(c.id)),
    c.statement,
    c.measurement,
    num(ci(c.estimate, c.ci)),
    num(fmtP(c.p)),
    num(String(c.n)),
    c.headline === null ? '—' : `${c.headline.label} (${c.headline.role}; p: ${c.headline.pAdjustment === 'none' ? 'unadjusted' : c.headline.pAdjustment})`,
    { text: c.verdict, verdict: verdictKey(c.verdict) },
  ]);
  const parts: Cellish[][] = a.claims.flatMap((c) =>
    c.parts.map((p) => [
      num(String(c.id)),
      p.label,
      p.role,
      p.measure,
      num(ci(p.estimate, p.ci)),
      num(p.claimed ? fmtRange(p.claimed.lo, p.claimed.hi) : '—'),
      num(fmtP(p.p)),
      p.pAdjustment,
      num(String(p.n)),
      { text: p.verdict, verdict: verdictKey(p.verdict) },
      p.note,
    ]),
  );
  const blocks: Block[] = [
    {
      kind: 'p',
      text:
        'Each claim of the reference deck, how it is measured here, the measured value with its 95% interval, and a verdict by a rule fixed in advance: ' +
        'supported (direction significant and magnitude within or overlapping the claimed range), direction only (significant, magnitude differs), ' +
        'not supported (significant the other way), inconclusive (not significant). Significant means Holm-adjusted p < 0.05 unless the measurement says otherwise. ' +
        'Value, p and n are the headline part\'s, named in the "Headline" column with its p adjustment; the verdict comes from the primary parts (the evidence table below), which for claim 1 are the four channels.',
    },
    { kind: 'table', id: 'claims-table', caption: 'Claims and verdicts', head: ['#', 'Claim', 'Measurement', 'Value [95% CI]', 'p', 'n', 'Headline', 'Verdict'], rows },
  ];
  if (parts.length > 0) {
    blocks.push({
      kind: 'table',
      id: 'claim-parts',
      caption: 'Evidence behind each verdict (primary parts decide; secondary parts are context)',
      head: ['#', 'Part', 'Role', 'Measure', 'Estimate [95% CI]', 'Claimed', 'p', 'Adjustment', 'n', 'Verdict', 'Note'],
      rows: parts,
      collapsed: true,
    });
  }
  if (hasFigure) blocks.push({ kind: 'figure', name: 'claims' });
  const notes = a.claims.flatMap((c) => c.notes.map((n) => `Claim ${c.id}: ${n}`));
  if (notes.length > 0) blocks.push({ kind: 'list', items: notes });
  return { id: 'claims', title: 'Claims', blocks };
}

function warningsSection(a: StudyAnalysis): Section {
  const small = a.warnings.filter((w) => w.code === 'small-cell');
  const other = a.warnings.filter((w) => w.code !== 'small-cell');
  const items = [
    ...small.map((w) => `${w.message}${w.cellIds.length > 0 ? ` (${w.cellIds.length} cell${w.cellIds.length === 1 ? '' : 's'})` : ''}`),
    ...other.map((w) => `[${w.code}] ${w.message}`),
  ];
  return {
    id: 'warnings',
    title: 'Warnings',
    blocks: items.length === 0 ? [{ kind: 'p', text: 'None: every cell has at least 10 seeds and every comparison is paired.' }] : [{ kind: 'list', items }],
  };
}

function figuresSection(figures: readonly Figure[]): Section {
  return { id: 'figures', title: 'Figures', blocks: figures.map((f) => ({ kind: 'figure', name: f.name }) as const) };
}

function aggregatesSection(a: StudyAnalysis): Section {
  const g = a.aggregates;
  const methods = orderMethods(g.methods.map((m) => m.method));
  const byName = new Map(g.methods.map((m) => [m.method, m]));
  const rows: Cellish[][] = methods.map((name) => {
    const m = byName.get(name)!;
    return [
      methodLabel(m.method),
      num(String(m.cells)),
      num(String(m.runs)),
      num(ci(m.iqm.point, m.iqm.ci)),
      num(ci(m.mean.point, m.mean.ci)),
      num(ci(m.median.point, m.median.ci)),
      num(ci(m.optimalityGap.point, m.optimalityGap.ci)),
    ];
  });
  const poi: Cellish[][] = [...g.probabilityOfImprovement]
    .sort((x, y) => methods.indexOf(x.method) - methods.indexOf(y.method) || methods.indexOf(x.versus) - methods.indexOf(y.versus))
    .map((p) => [methodLabel(p.method), methodLabel(p.versus), num(String(p.contexts)), num(ci(p.estimate.point, p.estimate.ci))]);
  const blocks: Block[] = [
    {
      kind: 'p',
      text: `Final reward aggregated over every cell and seed of each method (rliable semantics). Intervals: 95% stratified bootstrap percentile intervals, ${g.resamples.toLocaleString('en-US')} resamples, seed ${g.seed}; ${g.scheme} Optimality gap uses γ = ${g.gamma} (lower is better).`,
    },
    { kind: 'table', id: 'aggregates-table', caption: 'Aggregate final reward per method', head: ['Method', 'Cells', 'Runs', 'IQM', 'Mean', 'Median', 'Optimality gap'], rows },
  ];
  if (poi.length > 0) {
    blocks.push({
      kind: 'table',
      id: 'poi-table',
      caption: 'Probability of improvement P(X > Y), averaged over shared contexts',
      head: ['Method X', 'versus Y', 'Contexts', 'P(X > Y) [95% CI]'],
      rows: poi,
      collapsed: poi.length > 12,
    });
  }
  return { id: 'aggregates', title: 'Aggregates across cells', blocks };
}

function comparisonTable(metric: MetricName, comps: readonly Comparison[], methods: string[], feedbacks: string[], showAxes: boolean): TableBlock {
  const sorted = [...comps].sort(sortKey(methods, feedbacks));
  const rows: Cellish[][] = sorted.map((c) => [
    feedbackLabel(c.feedback),
    num(fmtSigma(c.noise)),
    ...(showAxes ? [axesText(c.axes)] : []),
    `${methodLabel(c.method)} − ${methodLabel(c.baseline)}`,
    c.design,
    num(String(c.n)),
    num(c.diff === null ? '—' : ci(c.diff, c.ci)),
    num(fmtP(c.parametric?.p)),
    num(fmtP(c.pHolm)),
    num(fmtP(c.qBH)),
    num(c.rank ? `${fmtP(c.rank.p)}` : '—'),
    num(fmt(c.effect.dz, 2)),
    num(fmt(c.effect.hedgesG, 2)),
    num(fmt(c.effect.a12, 2)),
    c.significant ? { text: 'yes', verdict: 'supported' } : 'no',
  ]);
  const scale = comps[0]?.scale === 'fisher-z' ? ' Differences of r are on the Fisher-z (atanh) scale.' : comps[0]?.scale === 'rank-only' ? ' Rank tests only (non-converged runs count as +∞).' : '';
  return {
    kind: 'table',
    id: `comparisons-${metric}`,
    caption: `${METRIC_TITLES[metric]}: method − baseline within each cell.${scale}`,
    head: ['Channel', 'σ', ...(showAxes ? ['Axes'] : []), 'Comparison', 'Design', 'n', 'Difference [95% CI]', 'p (t)', 'Holm p', 'BH q', 'p (rank)', 'd_z', 'g', 'A12', 'Holm p < 0.05'],
    rows,
    collapsed: metric !== 'finalReward',
  };
}

function comparisonsSection(a: StudyAnalysis): Section {
  const methods = orderMethods(a.axes.methods);
  const feedbacks = orderFeedbacks(a.axes.feedbacks);
  const showAxes = a.axes.extra.length > 0;
  const blocks: Block[] = [
    {
      kind: 'p',
      text:
        'Seeds are shared across methods, so comparisons are paired: mean difference with its paired t-interval and p, the Wilcoxon signed-rank p as a robustness check, and effect sizes d_z, Hedges\' g and A12 = P(X > Y) + ½P(X = Y). ' +
        'Where seeds are not shared the design column says independent (Welch t and Mann-Whitney U). Holm p corrects over all comparisons of one metric (for final reward, with the κ crossover\'s own tests when there are any); BH q is the Benjamini-Hochberg q-value.',
    },
  ];
  for (const metric of METRIC_NAMES) {
    const comps = a.comparisons.filter((c) => c.metric === metric);
    if (comps.length > 0) blocks.push(comparisonTable(metric, comps, methods, feedbacks, showAxes));
  }
  return { id: 'comparisons', title: 'Comparisons', blocks };
}

function statsCells(m: MetricStats, pct: boolean): Cellish[] {
  // Steps to 90%: a run that never converged counts as +∞, so an order statistic past the converged runs is ∞.
  const f = pct ? fmtPct : m.metric === 'stepsTo90' ? (x: number | null) => (x === null && m.n > 0 ? '∞' : fmt(x)) : (x: number | null) => fmt(x);
  const interval = pct ? (m.ci ? `${f(m.mean)} [${f(m.ci.lo)}, ${f(m.ci.hi)}]` : f(m.mean)) : fmtCI(m.mean, m.ci?.lo, m.ci?.hi);
  return [
    num(String(m.n)),
    num(interval),
    num(m.scale === 'fisher-z' ? `${fmt(m.sd)} (z)` : pct ? fmtPct(m.sd) : fmt(m.sd)),
    num(f(m.median)),
    num(f(m.iqm)),
    num(f(m.min)),
    num(f(m.max)),
    num(m.converged ? `${m.converged.count}/${m.n}` : m.missing > 0 ? `${m.missing} missing` : ''),
  ];
}

function cellsSection(a: StudyAnalysis): Section {
  const methods = orderMethods(a.axes.methods);
  const feedbacks = orderFeedbacks(a.axes.feedbacks);
  const showAxes = a.axes.extra.length > 0;
  const sorted = [...a.cells].sort((x, y) => sortKey(methods, feedbacks)({ ...x.key }, { ...y.key }));
  const blocks: Block[] = [
    {
      kind: 'p',
      text:
        'Per cell (method × channel × σ' + (showAxes ? ' × extra axes' : '') + ') statistics over seeds: mean with its 95% t-interval, sample SD, median, IQM (25% trimmed mean), min and max. ' +
        'Credit correlation is averaged in Fisher-z space. Steps to 90%: median, IQM, min and max count non-converged runs as +∞ (∞ where that reaches them), while mean, interval and SD are over the converged runs only; the last column gives converged/total.',
    },
  ];
  for (const metric of METRIC_NAMES) {
    const pct = metric === 'entropyDrop';
    const rows = sorted.map((c: Cell) => [
      methodLabel(c.key.method),
      feedbackLabel(c.key.feedback),
      num(fmtSigma(c.key.noise)),
      ...(showAxes ? [axesText(c.key.axes)] : []),
      ...statsCells(c.metrics[metric], pct),
    ]);
    blocks.push({
      kind: 'table',
      id: `cells-${metric}`,
      caption: METRIC_TITLES[metric],
      head: ['Method', 'Channel', 'σ', ...(showAxes ? ['Axes'] : []), 'n', 'Mean [95% CI]', 'SD', 'Median', 'IQM', 'Min', 'Max', metric === 'stepsTo90' ? 'Converged' : 'Notes'],
      rows,
      collapsed: metric !== 'finalReward',
    });
  }
  return { id: 'cells', title: 'Per-cell statistics', blocks };
}

function kappaSection(s: StudyAnalysis, hasFigure: boolean): Section | null {
  const kc = s.kappaCrossover;
  if (!kc) return null;
  const feedbacks = orderFeedbacks(kc.byChannel.map((c) => c.feedback));
  const byChannel = [...kc.byChannel].sort((x, y) => feedbacks.indexOf(x.feedback) - feedbacks.indexOf(y.feedback));
  const rows: Cellish[][] = byChannel.map((c) => [
    feedbackLabel(c.feedback),
    num(c.crossover === null ? 'none' : fmtLevel(c.crossover)),
    ...kc.kappas.map((k) => {
      const p = c.points.find((x) => x.kappa === k);
      return num(p ? `${fmtCI(p.diff, p.ci?.lo, p.ci?.hi)}${p.significantlyAbove ? ' *' : ''}` : '—');
    }),
  ]);
  const series: Cellish[][] = [...kc.series]
    .sort((x, y) => feedbacks.indexOf(x.feedback) - feedbacks.indexOf(y.feedback) || axesText(x.axes).localeCompare(axesText(y.axes)))
    .map((x) => [
      feedbackLabel(x.feedback),
      num(fmtSigma(x.noise)),
      axesText(x.axes) || '—',
      num(x.crossover === null ? 'none' : fmtLevel(x.crossover)),
      num(x.stableCrossover === null ? 'none' : fmtLevel(x.stableCrossover)),
    ]);
  const blocks: Block[] = [
    {
      kind: 'p',
      text: `Every conclusion about SDPO rests on κ, the self-teacher's ability to retrospect. The crossover is the smallest κ at which SDPO's final reward is significantly above REINFORCE's (paired; Holm-adjusted over every final-reward comparison of this analysis, as in the comparisons table). ${kc.note}`,
    },
  ];
  // The simulation spec requires this: its earlier draft used κ = 1.
  const atOne = byChannel
    .map((c) => ({ f: c.feedback, p: c.points.find((x) => Math.abs(x.kappa - 1) < 1e-12) }))
    .filter((x): x is { f: string; p: NonNullable<typeof x.p> } => x.p !== undefined);
  blocks.push({
    kind: 'p',
    text:
      'An earlier draft of the simulation spec used κ = 1, under which SDPO trails REINFORCE on ordinal and binary feedback; the default is now κ = ln(V − 1), fixed a priori. ' +
      (atOne.length > 0
        ? `Measured here at κ = 1 (SDPO − REINFORCE final reward, pooled): ${atOne.map((x) => `${feedbackLabel(x.f)} ${fmtCI(x.p.diff, x.p.ci?.lo, x.p.ci?.hi)}`).join('; ')}.`
        : 'This sweep has no κ = 1 level.'),
  });
  if (hasFigure) blocks.push({ kind: 'figure', name: 'kappa-crossover' });
  blocks.push({
    kind: 'table',
    id: 'kappa-crossover-table',
    caption: 'Crossover κ per channel and SDPO − REINFORCE final reward at each κ (pooled over the other axes; * = significantly above 0)',
    head: ['Channel', 'Crossover κ', ...kc.kappas.map((k) => `κ = ${fmtLevel(k)}`)],
    rows,
  });
  if (series.length > 0) {
    blocks.push({
      kind: 'table',
      id: 'kappa-series-table',
      caption: 'Crossover per series (channel at fixed other axes); stable = from there on every larger κ is significant too',
      head: ['Channel', 'σ', 'Fixed axes', 'Crossover κ', 'Stable crossover κ'],
      rows: series,
      collapsed: series.length > 8,
    });
  }
  return { id: 'kappa', title: 'κ sensitivity', blocks };
}

function seedPlanSection(a: StudyAnalysis): Section | null {
  if (a.seedPlan.length === 0) return null;
  const methods = orderMethods(a.axes.methods);
  const feedbacks = orderFeedbacks(a.axes.feedbacks);
  const rows: Cellish[][] = [...a.seedPlan]
    .sort(sortKey(methods, feedbacks))
    .map((r) => [
      feedbackLabel(r.feedback),
      num(fmtSigma(r.noise)),
      `${methodLabel(r.method)} − ${methodLabel(r.baseline)}`,
      num(fmt(r.sdDiff)),
      num(String(r.pilotSeeds)),
      num(fmtPct(r.powerNow)),
      num(r.seeds === null ? '> 100,000' : String(r.seeds)),
    ]);
  const first = a.seedPlan[0]!;
  return {
    id: 'seed-plan',
    title: 'Seed planning',
    blocks: [
      {
        kind: 'p',
        text: `Seeds needed for a two-sided paired t-test at α = 0.05 to detect a difference of ${fmt(first.difference)} in ${first.metric} with ${fmtPct(first.power)} power (noncentral t), using this study as the pilot.`,
      },
      { kind: 'table', id: 'seed-plan-table', caption: 'Seed planner', head: ['Channel', 'σ', 'Comparison', 'SD of differences', 'Pilot seeds', 'Power now', 'Seeds needed'], rows, collapsed: rows.length > 12 },
    ],
  };
}

function methodsSection(a: StudyAnalysis, figureNoise: number, s?: StudyAnalysis): Section {
  const ref = axesText(a.reference);
  const items = [
    `Runs: ${a.runs.toLocaleString('en-US')}; methods: ${orderMethods(a.axes.methods).map(methodLabel).join(', ')}; channels: ${orderFeedbacks(a.axes.feedbacks).map(feedbackLabel).join(', ')}; σ ∈ {${a.axes.noises.join(', ')}}; ${a.axes.seeds.length} seeds.`,
    ...(a.axes.extra.length > 0 ? [`Other varying axes: ${a.axes.extra.map((e) => `${e.name} ∈ {${e.levels.join(', ')}}`).join('; ')}. Figures and claims use the reference levels ${ref}.`] : []),
    `Per-channel figures (learning curves, final reward, credit, entropy, hybrid dynamics) show σ = ${figureNoise}${figureNoise === 0 ? ', where the deck states its claims' : ', the smallest noise level in the study'}; the noise-robustness figure shows every σ.`,
    `Comparison pairs: ${a.options.pairs.map((p) => `${methodLabel(p.method)} vs ${methodLabel(p.baseline)}`).join(', ') || 'none'}. Significance level α = ${a.options.alpha}, Holm-adjusted within each metric.`,
    `Bootstrap: ${a.options.bootstrapResamples.toLocaleString('en-US')} stratified resamples, seed ${a.options.bootstrapSeed}, so a rerun gives identical intervals.`,
    ...(s || a.kappaCrossover
      ? []
      : ['κ: every run uses the default κ = ln(V − 1). An earlier draft of the simulation spec used κ = 1, under which SDPO trails REINFORCE on ordinal and binary feedback; report the sensitivity preset alongside to see the results across κ.']),
    ...(s ? [`Sensitivity study: ${s.runs.toLocaleString('en-US')} runs, axes ${s.axes.extra.map((e) => `${e.name} ∈ {${e.levels.map((l) => (typeof l === 'number' ? fmtLevel(l) : l)).join(', ')}}`).join('; ')}.`] : []),
    'Files next to this page: report.md (the same tables), summary.json (every number of the analysis), runs.csv (one row per run: config and summary), figures/*.svg.',
  ];
  return { id: 'methods', title: 'Methods and settings', blocks: [{ kind: 'list', items }] };
}

/** Builds the report's document: every section, in reading order. */
export function reportDocument(name: string, a: StudyAnalysis, figures: readonly Figure[], sensitivity?: StudyAnalysis): ReportDocument {
  const kappaFigure = figures.some((f) => f.name === 'kappa-crossover');
  const mainFigures = figures.filter((f) => f.name !== 'kappa-crossover' && f.name !== 'claims');
  const sections: Section[] = [claimsSection(a, figures.some((f) => f.name === 'claims')), warningsSection(a), figuresSection(mainFigures), aggregatesSection(a), comparisonsSection(a), cellsSection(a)];
  const k = kappaSection(sensitivity ?? a, kappaFigure);
  if (k) sections.push(k);
  const plan = seedPlanSection(a);
  if (plan) sections.push(plan);
  sections.push(methodsSection(a, focusNoise(a), sensitivity));
  const supported = a.claims.filter((c) => verdictKey(c.verdict) === 'supported').length;
  return {
    title: `SDPO study report: ${name}`,
    subtitle: `${a.runs.toLocaleString('en-US')} runs, ${a.cells.length} cells, ${a.axes.seeds.length} seeds per cell at most; ${supported} of ${a.claims.length} claims supported.`,
    sections,
  };
}
