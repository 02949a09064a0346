/**
 * Deterministic synthetic studies for tests and demos: RunResult-shaped runs
 * and a StudyAnalysis-shaped analysis of them, with no simulation and no
 * statistics library behind them. The numbers are plausible, not correct
 * (intervals use z = 1.96); they exist to exercise the report end to end.
 */
import {
  CURVE_NAMES,
  METRIC_NAMES,
  type Cell,
  type ClaimResult,
  type Comparison,
  type CurveBand,
  type CurveName,
  type KappaCrossover,
  type KappaSeries,
  type MetricName,
  type MetricStats,
  type StudyAnalysis,
  type Verdict,
} from '@sdpo/aggregator';
import { resolveRunConfig, SIM_VERSION, type Feedback, type Method, type RunCurves, type RunResult, type RunSummary } from '@sdpo/sim';

/** What to generate: the grid axes and the number of steps. */
export interface SyntheticSpec {
  readonly methods: readonly Method[];
  readonly feedbacks: readonly Feedback[];
  readonly noises: readonly number[];
  readonly seeds: number;
  readonly steps?: number;
  readonly evalEvery?: number;
  /** κ levels: present, the runs vary κ (a sensitivity sweep). */
  readonly kappas?: readonly number[];
}

/** mulberry32: tiny, seeded, good enough for fixture noise. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hash = (...xs: (string | number)[]): number => {
  let h = 2166136261;
  for (const ch of xs.join('|')) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
};

const METHOD_GAIN: Record<string, number> = { reinforce: 0.2, rloo: 0.24, grpo: 0.25, sdpo: 0.35, hybrid: 0.34, 'hint-reinforce': 0.28, oracle: 0.45 };
const FEEDBACK_GAIN: Record<string, number> = { critique: 1.1, continuous: 1.0, ordinal: 0.92, binary: 0.85 };

/** Synthetic runs over the grid of `spec`, seed-major like a real sweep. */
export function syntheticRuns(spec: SyntheticSpec): RunResult[] {
  const steps = spec.steps ?? 40;
  const evalEvery = spec.evalEvery ?? 5;
  const kappas = spec.kappas ?? [undefined];
  const out: RunResult[] = [];
  for (let seed = 0; seed < spec.seeds; seed++) {
    for (const method of spec.methods) {
      for (const feedback of spec.feedbacks) {
        for (const noise of spec.noises) {
          for (const kappa of kappas) {
            const config = resolveRunConfig({ seed, method, feedback, noise, steps, evalEvery, ...(kappa === undefined ? {} : { kappa }) });
            const r = rng(hash(seed, method, feedback, noise, kappa ?? ''));
            const kappaGain = kappa === undefined || method !== 'sdpo' ? 1 : Math.min(1.3, 0.5 + kappa / 4);
            const gain = (METHOD_GAIN[method] ?? 0.2) * (FEEDBACK_GAIN[feedback] ?? 1) * (1 - 0.4 * noise) * kappaGain + 0.03 * (r() - 0.5);
            const rate = 0.08 + 0.04 * r();
            const step: number[] = [];
            for (let k = 0; k <= steps; k += evalEvery) step.push(k);
            if (step[step.length - 1] !== steps) step.push(steps);
            const r0 = 0.4 + 0.02 * (r() - 0.5);
            const reward = step.map((k) => r0 + gain * (1 - Math.exp(-rate * k)) + 0.004 * (r() - 0.5));
            const h0 = 2.0794;
            const drop = (method === 'sdpo' ? 0.2 : method === 'hybrid' ? 0.15 : 0.1) * (feedback === 'binary' ? 1.1 : 0.9);
            const entropy = step.map((k) => h0 * (1 - drop * (1 - Math.exp(-rate * k))));
            const credit = step.map((_k, i) => (i === 0 ? null : Math.tanh((method === 'sdpo' || method === 'hybrid' ? 1.0 : 0.35) + 0.2 * (r() - 0.5))));
            const hasKl = method === 'sdpo' || method === 'hybrid';
            const kl = step.map((k, i) => (i === 0 || !hasKl ? null : 0.3 * Math.exp(-0.05 * k) + 0.02 * r()));
            const alpha = step.map((k, i) => (i === 0 || method !== 'hybrid' ? null : 0.2 + 0.7 * (1 - Math.exp(-0.06 * k))));
            const curves: RunCurves = { step, reward, entropy, topSequenceProb: step.map((k) => 1 / 8 ** 6 + 0.001 * k), credit, kl, alpha };
            const finalReward = reward[reward.length - 1]!;
            const initialReward = reward[0]!;
            const target = initialReward + 0.9 * (finalReward - initialReward);
            const creditVals = credit.filter((c): c is number => c !== null);
            const summary: RunSummary = {
              finalReward,
              initialReward,
              aucReward: reward.reduce((a, b) => a + b, 0) / reward.length,
              entropyInitial: entropy[0]!,
              entropyFinal: entropy[entropy.length - 1]!,
              entropyDrop: 1 - entropy[entropy.length - 1]! / entropy[0]!,
              creditCorr: creditVals.reduce((a, b) => a + b, 0) / creditVals.length,
              creditSteps: steps,
              stepsTo90: finalReward > initialReward ? (step[reward.findIndex((v) => v >= target)] ?? null) : null,
              topSequenceProbFinal: curves.topSequenceProb[curves.topSequenceProb.length - 1]!,
            };
            out.push({ simVersion: SIM_VERSION, config, summary, curves, timing: { wallMs: 1 } });
          }
        }
      }
    }
  }
  return out;
}

function stats(metric: MetricName, xs: readonly number[]): MetricStats {
  const n = xs.length;
  const s = [...xs].sort((a, b) => a - b);
  const mean = n === 0 ? null : xs.reduce((a, b) => a + b, 0) / n;
  const sd = n < 2 || mean === null ? null : Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = sd === null ? null : (1.96 * sd) / Math.sqrt(n);
  const cut = Math.floor(n / 4);
  const mid = s.slice(cut, n - cut);
  return {
    metric,
    scale: metric === 'creditCorr' ? 'fisher-z' : metric === 'stepsTo90' ? 'steps-infinite' : 'linear',
    n,
    missing: 0,
    mean,
    sd,
    ci: mean === null || half === null ? null : { lo: mean - half, hi: mean + half, level: 0.95 },
    median: n === 0 ? null : n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2,
    iqm: mid.length === 0 ? null : mid.reduce((a, b) => a + b, 0) / mid.length,
    min: s[0] ?? null,
    max: s[n - 1] ?? null,
    converged: metric === 'stepsTo90' ? { count: n, fraction: 1 } : null,
  };
}

function band(curve: CurveName, runs: readonly RunResult[]): CurveBand {
  const step = runs[0]!.curves.step;
  const mean: (number | null)[] = [];
  const lo: (number | null)[] = [];
  const hi: (number | null)[] = [];
  const ns: number[] = [];
  for (let i = 0; i < step.length; i++) {
    const xs = runs.map((r) => r.curves[curve][i]).filter((v): v is number => typeof v === 'number');
    const st = stats('finalReward', xs);
    ns.push(xs.length);
    mean.push(st.mean);
    lo.push(st.ci?.lo ?? null);
    hi.push(st.ci?.hi ?? null);
  }
  return { curve, step, n: ns, mean, lo, hi };
}

const metricValue = (r: RunResult, m: MetricName): number | null => r.summary[m];

/** A StudyAnalysis-shaped fixture computed crudely from synthetic runs. */
export function syntheticAnalysis(runs: readonly RunResult[]): StudyAnalysis {
  const kappas = [...new Set(runs.map((r) => r.config.kappa))].sort((a, b) => a - b);
  const varyKappa = kappas.length > 1;
  const keyOf = (r: RunResult): string => `${r.config.method}|${r.config.feedback}|${r.config.noise}${varyKappa ? `|kappa=${r.config.kappa}` : ''}`;
  const groups = new Map<string, RunResult[]>();
  for (const r of runs) groups.set(keyOf(r), [...(groups.get(keyOf(r)) ?? []), r]);
  const cells: Cell[] = [...groups.entries()].map(([id, rs]) => {
    const c = rs[0]!.config;
    const metrics = Object.fromEntries(METRIC_NAMES.map((m) => [m, stats(m, rs.map((r) => metricValue(r, m)).filter((v): v is number => v !== null))])) as Record<MetricName, MetricStats>;
    const curves = Object.fromEntries(CURVE_NAMES.map((k) => [k, band(k, rs)])) as Record<CurveName, CurveBand>;
    return { id, key: { method: c.method, feedback: c.feedback, noise: c.noise, axes: varyKappa ? { kappa: c.kappa } : {} }, n: rs.length, seeds: rs.map((r) => r.config.seed).sort((a, b) => a - b), metrics, curves };
  });
  const methods = [...new Set(runs.map((r) => r.config.method))];
  const feedbacks = [...new Set(runs.map((r) => r.config.feedback))];
  const noises = [...new Set(runs.map((r) => r.config.noise))].sort((a, b) => a - b);
  const seeds = [...new Set(runs.map((r) => r.config.seed))].sort((a, b) => a - b);
  const pairs = methods.filter((m) => m !== 'reinforce').map((m) => ({ method: m, baseline: 'reinforce' }));
  const byId = new Map(cells.map((c) => [c.id, c]));
  const comparisons: Comparison[] = [];
  for (const metric of ['finalReward', 'creditCorr'] as const) {
    for (const cell of cells) {
      const pair = pairs.find((p) => p.method === cell.key.method);
      if (!pair) continue;
      const baseId = cell.id.replace(`${cell.key.method}|`, 'reinforce|');
      const base = byId.get(baseId);
      if (!base) continue;
      const a = cell.metrics[metric];
      const b = base.metrics[metric];
      const diff = a.mean !== null && b.mean !== null ? a.mean - b.mean : null;
      const p = diff === null ? null : Math.min(1, Math.exp(-Math.abs(diff) * 40));
      comparisons.push({
        id: `${metric}|${pair.method}-vs-reinforce|${cell.key.feedback}|${cell.key.noise}`,
        metric, method: pair.method, baseline: 'reinforce', cellId: cell.id, baselineCellId: base.id,
        feedback: cell.key.feedback, noise: cell.key.noise, axes: cell.key.axes, design: 'paired', designNote: 'seeds shared',
        scale: metric === 'creditCorr' ? 'fisher-z' : 'linear', n: cell.n, nMethod: cell.n, nBaseline: base.n, diff,
        ci: diff === null ? null : { lo: diff - 0.02, hi: diff + 0.02, level: 0.95 },
        parametric: p === null ? null : { test: 'paired-t', statistic: 3, df: cell.n - 1, p },
        rank: p === null ? null : { test: 'wilcoxon', statistic: 0, p: Math.min(1, p * 2), pMethod: 'exact' },
        effect: { dz: 1.2, hedgesG: 0.9, a12: 0.8 }, p, pHolm: p === null ? null : Math.min(1, p * 10), qBH: p === null ? null : Math.min(1, p * 3),
        significant: p !== null && p * 10 < 0.05,
      });
    }
  }
  const est = (x: number) => ({ point: x, ci: { lo: x - 0.01, hi: x + 0.01, level: 0.95 } });
  const verdicts: Verdict[] = ['supported', 'direction only', 'not supported', 'inconclusive'];
  const claims: ClaimResult[] = Array.from({ length: 9 }, (_, i) => ({
    id: i + 1,
    statement: `Synthetic claim ${i + 1} <with markup & "quotes">`,
    measurement: 'paired t on finalReward, sdpo − reinforce, σ = 0',
    rule: 'fixed in advance',
    verdict: verdicts[i % 4]!,
    estimate: 0.1 + i / 100,
    headline: { label: i % 2 === 0 ? feedbacks[0]! : 'pooled', role: i % 2 === 0 ? 'primary' : 'secondary', pAdjustment: i % 2 === 0 ? 'Holm over channels' : 'none' },
    ci: { lo: 0.08 + i / 100, hi: 0.12 + i / 100, level: 0.95 },
    p: 0.001 * (i + 1),
    n: seeds.length,
    cellIds: [],
    parts: feedbacks.map((f, j) => ({
      label: f, role: j === 0 || i % 2 === 0 ? 'primary' : 'secondary', measure: 'paired t', estimate: 0.1 + j / 50,
      ci: { lo: 0.05 + j / 50, hi: 0.15 + j / 50, level: 0.95 }, p: 0.01, pAdjustment: 'Holm over channels', n: seeds.length,
      claimed: i % 3 === 0 ? null : { lo: 0.13, hi: 0.18 }, verdict: verdicts[(i + j) % 4]!, cellIds: [], note: '',
    })),
    notes: [],
  }));
  let kappaCrossover: KappaCrossover | null = null;
  if (varyKappa) {
    const series: KappaSeries[] = feedbacks.flatMap((f) => noises.map((noise) => {
      const points = kappas.map((kappa) => {
        const sd = byId.get(`sdpo|${f}|${noise}|kappa=${kappa}`);
        const rf = byId.get(`reinforce|${f}|${noise}|kappa=${kappa}`);
        const diff = sd && rf && sd.metrics.finalReward.mean !== null && rf.metrics.finalReward.mean !== null ? sd.metrics.finalReward.mean - rf.metrics.finalReward.mean : null;
        return { kappa, n: seeds.length, diff, ci: diff === null ? null : { lo: diff - 0.03, hi: diff + 0.03, level: 0.95 }, p: 0.01, pHolm: 0.02, significantlyAbove: diff !== null && diff - 0.03 > 0 };
      });
      const crossover = points.find((p) => p.significantlyAbove)?.kappa ?? null;
      return { feedback: f, noise, axes: {}, points, crossover, stableCrossover: crossover };
    }));
    kappaCrossover = { kappas, series, byChannel: series.map((s) => ({ feedback: s.feedback, crossover: s.crossover, points: s.points })), note: 'Synthetic.' };
  }
  const small = cells.filter((c) => c.n < 10);
  return {
    schemaVersion: 1,
    runs: runs.length,
    axes: { methods, feedbacks, noises, seeds, extra: varyKappa ? [{ name: 'kappa', levels: kappas }] : [] },
    reference: varyKappa ? { kappa: kappas[Math.floor(kappas.length / 2)]! } : {},
    options: { bootstrapResamples: 1000, bootstrapSeed: 0, pairs, plannedDifference: 0.05, plannedPower: 0.8, alpha: 0.05 },
    cells,
    comparisons,
    aggregates: {
      metric: 'finalReward', resamples: 1000, seed: 0, gamma: 1, scheme: 'seeds resampled within each cell.',
      methods: methods.map((m) => ({ method: m, cells: feedbacks.length * noises.length, runs: seeds.length * feedbacks.length * noises.length, iqm: est(0.6), mean: est(0.6), median: est(0.6), optimalityGap: est(0.4) })),
      probabilityOfImprovement: pairs.map((p) => ({ method: p.method, versus: p.baseline, contexts: feedbacks.length * noises.length, estimate: est(0.7) })),
    },
    seedPlan: [],
    claims,
    kappaCrossover,
    warnings: small.length > 0 ? [{ code: 'small-cell', message: `${small.length} cells have fewer than 10 seeds`, cellIds: small.map((c) => c.id) }] : [],
  };
}
