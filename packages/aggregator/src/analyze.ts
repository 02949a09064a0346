import { stratifiedBootstrap } from './bootstrap.js';
import { buildCell } from './cells.js';
import { evaluateClaims } from './claims.js';
import { adjustFamilies, commonSeeds, compareCells } from './compare.js';
import { finishKappaCrossover, kappaCrossoverTests, type KappaTest } from './crossover.js';
import { sd } from './describe.js';
import { pairedTPower, planSeeds } from './power.js';
import { atReference, chooseReference, indexStudy, type CellGroup } from './study.js';
import {
  METRIC_NAMES,
  type AnalysisWarning,
  type AnalyzeOptions,
  type Cell,
  type Comparison,
  type CurveBand,
  type MethodPair,
  type ResolvedOptions,
  type RliableAggregates,
  type SeedPlanRow,
  type StudyAnalysis,
  type StudyRun,
} from './types.js';

/** An input problem: a stable `code`, a message naming the path, and the offending value's path. */
export class AggregatorError extends Error {
  override readonly name = 'AggregatorError';
  constructor(
    readonly code: 'INVALID_RUN' | 'INVALID_OPTION' | 'NO_RUNS',
    message: string,
    readonly path: readonly (string | number)[],
  ) {
    super(message);
  }
}

const SMALL_CELL = 10;

/** Default pairs of spec §2: every method vs reinforce, and hybrid vs sdpo. */
function defaultPairs(methods: readonly string[]): MethodPair[] {
  const pairs: MethodPair[] = [];
  if (methods.includes('reinforce')) for (const m of methods) if (m !== 'reinforce') pairs.push({ method: m, baseline: 'reinforce' });
  if (methods.includes('hybrid') && methods.includes('sdpo')) pairs.push({ method: 'hybrid', baseline: 'sdpo' });
  return pairs;
}

function checkRuns(runs: readonly StudyRun[]): void {
  if (!Array.isArray(runs)) throw new AggregatorError('INVALID_RUN', 'runs must be an array of run results', []);
  const num = (v: unknown): boolean => typeof v === 'number' && !Number.isNaN(v);
  runs.forEach((r, i) => {
    const bad = (path: (string | number)[], what: string): never => {
      throw new AggregatorError('INVALID_RUN', `runs.${[i, ...path].join('.')}: ${what}`, [i, ...path]);
    };
    if (r === null || typeof r !== 'object') bad([], 'expected a run result object');
    const c = r.config;
    if (c === null || typeof c !== 'object') bad(['config'], 'expected an object');
    if (!Number.isInteger(c.seed) || c.seed < 0) bad(['config', 'seed'], `expected a non-negative integer, got ${String(c.seed)}`);
    if (typeof c.method !== 'string') bad(['config', 'method'], 'expected a string');
    if (typeof c.feedback !== 'string') bad(['config', 'feedback'], 'expected a string');
    if (!num(c.noise)) bad(['config', 'noise'], 'expected a number');
    const s = r.summary;
    if (s === null || typeof s !== 'object') bad(['summary'], 'expected an object');
    for (const k of ['finalReward', 'aucReward', 'entropyFinal', 'entropyDrop', 'topSequenceProbFinal'] as const) if (!num(s[k])) bad(['summary', k], 'expected a number');
    if (s.creditCorr !== null && !num(s.creditCorr)) bad(['summary', 'creditCorr'], 'expected a number or null');
    if (s.stepsTo90 !== null && !num(s.stepsTo90)) bad(['summary', 'stepsTo90'], 'expected a number or null');
    const cv = r.curves;
    if (cv === null || typeof cv !== 'object' || !Array.isArray(cv.step)) bad(['curves', 'step'], 'expected an array');
    for (const k of ['reward', 'entropy', 'credit', 'kl', 'alpha'] as const) {
      if (!Array.isArray(cv[k]) || cv[k].length !== cv.step.length) bad(['curves', k], `expected an array as long as curves.step (${cv.step.length})`);
    }
  });
}

function resolveOptions(options: AnalyzeOptions, methods: readonly string[]): ResolvedOptions {
  const B = options.bootstrapResamples ?? 10000;
  if (!Number.isInteger(B) || B < 1 || B > 1e7) throw new AggregatorError('INVALID_OPTION', `bootstrapResamples: expected an integer in 1..10^7, got ${B}`, ['bootstrapResamples']);
  const seed = options.bootstrapSeed ?? 0;
  if (!Number.isFinite(seed)) throw new AggregatorError('INVALID_OPTION', `bootstrapSeed: expected a finite number, got ${seed}`, ['bootstrapSeed']);
  const diff = options.plannedDifference ?? 0.05;
  if (!(diff > 0) || !Number.isFinite(diff)) throw new AggregatorError('INVALID_OPTION', `plannedDifference: expected a positive number, got ${diff}`, ['plannedDifference']);
  const power = options.plannedPower ?? 0.8;
  if (!(power > 0.05 && power < 1)) throw new AggregatorError('INVALID_OPTION', `plannedPower: expected a number in (0.05, 1), got ${power}`, ['plannedPower']);
  const pairs = options.pairs ?? defaultPairs(methods);
  pairs.forEach((p, i) => {
    if (typeof p?.method !== 'string' || typeof p?.baseline !== 'string' || p.method === p.baseline) {
      throw new AggregatorError('INVALID_OPTION', `pairs.${i}: expected { method, baseline } with two different method names`, ['pairs', i]);
    }
  });
  return { bootstrapResamples: B, bootstrapSeed: seed, pairs, plannedDifference: diff, plannedPower: power, alpha: 0.05 };
}

/**
 * Analyses a study's runs (spec aggregation.md §1–§5) into plain JSON data.
 *
 * - Cells are method × feedback × noise × every other config field that varies
 *   within a (method, feedback, noise) group — κ and lr in the sensitivity preset.
 *   All cells are summarised; comparisons run within every context.
 * - The claims and the seed plan use the reference cells: each extra axis at
 *   its reference level (see {@link AnalyzeOptions.reference}).
 * - The κ crossover is computed when κ is an axis (sensitivity preset).
 * - Deterministic: the same runs and options give an identical result; the
 *   bootstrap uses the aggregator's own PRNG seeded by `bootstrapSeed`.
 *
 * @throws AggregatorError (`INVALID_RUN`, `INVALID_OPTION`, `NO_RUNS`) with the path of the problem.
 */
export function analyzeStudy(runs: readonly StudyRun[], options: AnalyzeOptions = {}): StudyAnalysis {
  checkRuns(runs);
  if (runs.length === 0) throw new AggregatorError('NO_RUNS', 'no runs to analyse: the study has no stored results yet', []);
  const index = indexStudy(runs);
  const opts = resolveOptions(options, index.methods);
  const warnings: AnalysisWarning[] = [...index.warnings];
  const { reference, warnings: refWarnings } = chooseReference(index, options.reference ?? {});
  warnings.push(...refWarnings);

  // §1 cells
  const cells: Cell[] = [];
  const mixed: string[] = [];
  for (const g of index.cells) {
    const { cell, mixedSteps } = buildCell(g);
    cells.push(cell);
    if (mixedSteps) mixed.push(g.id);
  }
  if (mixed.length > 0) warnings.push({ code: 'mixed-curve-steps', message: `${mixed.length} cell(s) mix runs with different curve step grids; curves were aligned by step value`, cellIds: mixed });
  const small = cells.filter((c) => c.n < SMALL_CELL);
  if (small.length > 0) {
    warnings.push({
      code: 'small-cell',
      message: `${small.length} of ${cells.length} cell(s) have fewer than ${SMALL_CELL} seeds (smallest n = ${Math.min(...small.map((c) => c.n))}): t-intervals and bootstrap intervals under-cover, and rank tests cannot reach p < 0.05 with 5 or fewer paired seeds`,
      cellIds: small.map((c) => c.id),
    });
  }
  const noCredit = cells.filter((c) => c.metrics.creditCorr.missing > 0);
  if (noCredit.length > 0) {
    warnings.push({ code: 'missing-values', message: `${noCredit.length} cell(s) have runs without a credit correlation (no step had an r); those runs are left out of creditCorr`, cellIds: noCredit.map((c) => c.id) });
  }

  // §2 comparisons
  const raw: Omit<Comparison, 'pHolm' | 'qBH' | 'significant'>[] = [];
  const missingBaseline: string[] = [];
  const pairedGroups: [CellGroup, CellGroup][] = [];
  const partlyPaired: string[] = [];
  for (const pair of opts.pairs) {
    const mCells = index.byMethodContext.get(pair.method);
    const bCells = index.byMethodContext.get(pair.baseline);
    if (mCells === undefined) continue;
    for (const [ctx, m] of mCells) {
      const b = bCells?.get(ctx);
      if (b === undefined) {
        if (bCells !== undefined) missingBaseline.push(m.id);
        continue;
      }
      pairedGroups.push([m, b]);
      const made = METRIC_NAMES.map((metric) => compareCells(m, b, metric));
      raw.push(...made);
      // Paired on the seeds both have, while one cell has runs the other lacks (a failed task?).
      if (made[0]!.design === 'paired' && commonSeeds(m, b).length < Math.max(m.seeds.length, b.seeds.length)) partlyPaired.push(m.id);
    }
  }
  if (missingBaseline.length > 0) warnings.push({ code: 'missing-baseline', message: `${missingBaseline.length} cell(s) have no baseline cell in their context; not compared`, cellIds: missingBaseline });
  // The κ crossover's tests are finalReward comparisons too (spec §2: "significant" is Holm over all
  // comparisons of one metric). A test that is a table row already (same SDPO and REINFORCE cells,
  // paired) takes that row's adjusted p; the others (per-channel averages, REINFORCE from another κ) join the family.
  const crossoverTests = kappaCrossoverTests(index);
  // The table row (its index in `raw`) a crossover test repeats, if any.
  const rowKey = (cellId: string, baselineCellId: string) => `${cellId}\u0000${baselineCellId}`;
  const rowIndex = new Map<string, number>();
  raw.forEach((c, i) => {
    if (c.metric === 'finalReward' && c.design === 'paired' && c.p !== null) rowIndex.set(rowKey(c.cellId, c.baselineCellId), i);
  });
  const rowOf = (x: KappaTest) => (x.cells === null ? undefined : rowIndex.get(rowKey(x.cells.cellId, x.cells.baselineCellId)));
  // A Set: a channel with one series shares its tests with that series (one test, counted once).
  const extraTests = crossoverTests === null ? [] : [...new Set([...crossoverTests.series.flatMap((e) => e.tests), ...crossoverTests.byChannel.flatMap((c) => c.tests)])]
    .filter((x) => x.t !== null && !Number.isNaN(x.t.p) && rowOf(x) === undefined);
  const { comparisons, extraHolm } = adjustFamilies(raw, opts.alpha, { metric: 'finalReward', ps: extraTests.map((x) => x.t!.p) });
  const extraPHolm = new Map(extraTests.map((x, i) => [x, extraHolm[i]!]));
  const kappaCrossover = crossoverTests === null ? null : finishKappaCrossover(crossoverTests, (x) => {
    const row = rowOf(x);
    return row !== undefined ? comparisons[row]!.pHolm : (extraPHolm.get(x) ?? null);
  });
  const unpaired = comparisons.filter((c) => c.design === 'independent' && c.metric === 'finalReward');
  if (unpaired.length > 0) {
    warnings.push({ code: 'unpaired-design', message: `${unpaired.length} comparison context(s) share fewer than 2 seeds; Welch's t and Mann-Whitney U were used there instead of paired tests`, cellIds: unpaired.map((c) => c.cellId) });
  }
  if (partlyPaired.length > 0) {
    warnings.push({ code: 'unmatched-seeds', message: `${partlyPaired.length} comparison context(s) are paired on the seeds both cells have; runs whose seed the other cell lacks (a failed task?) are left out there`, cellIds: partlyPaired });
  }

  // §3 rliable aggregates
  const aggregates = rliable(index, opts);

  // §4 seed plan (reference cells, finalReward, paired)
  const seedPlan: SeedPlanRow[] = [];
  for (const [m, b] of pairedGroups) {
    if (!atReference(m.key.axes, reference)) continue;
    const c = comparisons.find((x) => x.metric === 'finalReward' && x.cellId === m.id && x.baselineCellId === b.id);
    if (c === undefined || c.design !== 'paired') continue;
    const d = commonSeeds(m, b).map((s) => m.bySeed.get(s)!.summary.finalReward - b.bySeed.get(s)!.summary.finalReward);
    if (d.length < 2) continue;
    const sdDiff = sd(d);
    seedPlan.push({
      comparisonId: c.id,
      metric: 'finalReward',
      method: m.key.method,
      baseline: b.key.method,
      feedback: m.key.feedback,
      noise: m.key.noise,
      axes: m.key.axes,
      sdDiff,
      difference: opts.plannedDifference,
      power: opts.plannedPower,
      seeds: planSeeds(opts.plannedDifference, sdDiff, opts.plannedPower),
      powerNow: sdDiff > 0 ? pairedTPower(d.length, opts.plannedDifference, sdDiff) : 1,
      pilotSeeds: d.length,
    });
  }

  // §5 claims and the κ crossover
  const curveById = new Map<string, Readonly<Record<string, CurveBand>>>(cells.map((c) => [c.id, c.curves]));
  const { claims, notes } = evaluateClaims({
    index,
    reference,
    comparisons: new Map(comparisons.map((c) => [c.id, c])),
    curves: (id) => curveById.get(id),
  });
  for (const n of notes) warnings.push({ code: 'claim-data-missing', message: n, cellIds: [] });
  const missingClaims = claims.filter((c) => c.parts.some((p) => p.role === 'primary' && p.n === 0));
  if (missingClaims.length > 0) {
    warnings.push({ code: 'claim-data-missing', message: `claim(s) ${missingClaims.map((c) => c.id).join(', ')} lack the cells they need (see each claim's parts); their verdict is inconclusive`, cellIds: [] });
  }

  return {
    schemaVersion: 1,
    runs: runs.length,
    axes: {
      methods: index.methods,
      feedbacks: index.feedbacks,
      noises: index.noises,
      seeds: index.seeds,
      extra: index.axisNames.map((name) => ({ name, levels: index.axisLevels.get(name) ?? [] })),
    },
    reference,
    options: opts,
    cells,
    comparisons,
    aggregates,
    seedPlan,
    claims,
    kappaCrossover,
    warnings,
  };
}

function rliable(index: ReturnType<typeof indexStudy>, opts: ResolvedOptions): RliableAggregates {
  const methods = index.methods;
  const strata = methods.map((m) => [...(index.byMethodContext.get(m)?.values() ?? [])]);
  const poiPairs = opts.pairs
    .map((p) => ({ p, x: methods.indexOf(p.method), y: methods.indexOf(p.baseline) }))
    .filter((q) => q.x >= 0 && q.y >= 0)
    .map((q) => {
      const sx = strata[q.x]!;
      const yByCtx = new Map(strata[q.y]!.map((c, i) => [c.contextId, i]));
      const pairs: { sx: number; sy: number }[] = [];
      sx.forEach((c, i) => {
        const j = yByCtx.get(c.contextId);
        if (j !== undefined) pairs.push({ sx: i, sy: j });
      });
      return { ...q, strata: pairs };
    })
    .filter((q) => q.strata.length > 0);
  const out = stratifiedBootstrap({
    methods: strata.map((cs) => cs.map((c) => Float64Array.from(c.runs, (r) => r.summary.finalReward))),
    poi: poiPairs.map((q) => ({ x: q.x, y: q.y, strata: q.strata })),
    resamples: opts.bootstrapResamples,
    seed: opts.bootstrapSeed,
    gamma: 1,
    level: 0.95,
  });
  return {
    metric: 'finalReward',
    resamples: opts.bootstrapResamples,
    seed: opts.bootstrapSeed,
    gamma: 1,
    scheme: 'stratified bootstrap: within every cell (stratum), seeds resampled with replacement to the cell size; 95% percentile intervals (numpy linear); one joint resample serves all statistics',
    methods: methods.map((m, i) => ({
      method: m,
      cells: strata[i]!.length,
      runs: strata[i]!.reduce((n, c) => n + c.runs.length, 0),
      ...out.methods[i]!,
    })),
    probabilityOfImprovement: poiPairs.map((q, i) => ({ method: q.p.method, versus: q.p.baseline, contexts: q.strata.length, estimate: out.poi[i]! })),
  };
}

