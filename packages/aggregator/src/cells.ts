/**
 * Per-cell statistics (spec §1): metric summaries over seeds and pointwise
 * curve bands.
 */
import { fisherZ, iqmSorted, mean, medianSorted, sd, sorted } from './describe.js';
import { tQuantile } from './dist.js';
import type { CellGroup } from './study.js';
import { CURVE_NAMES, METRIC_NAMES, type Cell, type CurveBand, type CurveName, type Interval, type MetricName, type MetricStats, type StudyRun } from './types.js';

const tq975Cache = new Map<number, number>();
/** t_{0.975, df}, cached: curve bands ask for the same few df thousands of times. */
export function tCrit(df: number): number {
  let q = tq975Cache.get(df);
  if (q === undefined) {
    q = tQuantile(0.975, df);
    tq975Cache.set(df, q);
  }
  return q;
}

/** A run's value of a metric; null = missing (creditCorr) — stepsTo90 maps null to +∞. */
export function metricValue(run: StudyRun, metric: MetricName): number | null {
  if (metric === 'stepsTo90') return run.summary.stepsTo90 ?? Number.POSITIVE_INFINITY;
  return run.summary[metric];
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

function tIntervalOf(xs: ArrayLike<number>): Interval | null {
  const n = xs.length;
  if (n < 2) return null;
  const m = mean(xs);
  const h = tCrit(n - 1) * (sd(xs) / Math.sqrt(n));
  return { lo: m - h, hi: m + h, level: 0.95 };
}

/** Statistics of one metric over a cell's runs (see {@link MetricStats} for the per-metric rules). */
export function metricStats(runs: readonly StudyRun[], metric: MetricName): MetricStats {
  const raw: number[] = [];
  let missing = 0;
  for (const r of runs) {
    const v = metricValue(r, metric);
    if (v === null || Number.isNaN(v)) missing++;
    else raw.push(v);
  }
  const n = raw.length;
  const s = sorted(raw);
  const base = {
    metric,
    n,
    missing,
    median: n > 0 ? finiteOrNull(medianSorted(s)) : null,
    iqm: n > 0 ? finiteOrNull(iqmSorted(s)) : null,
    min: n > 0 ? finiteOrNull(s[0]!) : null,
    max: n > 0 ? finiteOrNull(s[n - 1]!) : null,
  };
  if (metric === 'creditCorr') {
    const z = raw.map(fisherZ);
    const ci = tIntervalOf(z);
    return {
      ...base,
      scale: 'fisher-z',
      mean: n > 0 ? Math.tanh(mean(z)) : null,
      sd: n > 1 ? sd(z) : null,
      ci: ci === null ? null : { lo: Math.tanh(ci.lo), hi: Math.tanh(ci.hi), level: ci.level },
      converged: null,
    };
  }
  if (metric === 'stepsTo90') {
    const conv = raw.filter(Number.isFinite);
    return {
      ...base,
      scale: 'steps-infinite',
      mean: conv.length > 0 ? mean(conv) : null,
      sd: conv.length > 1 ? sd(conv) : null,
      ci: tIntervalOf(conv),
      converged: { count: conv.length, fraction: n > 0 ? conv.length / n : 0 },
    };
  }
  return {
    ...base,
    scale: 'linear',
    mean: n > 0 ? mean(raw) : null,
    sd: n > 1 ? sd(raw) : null,
    ci: tIntervalOf(raw),
    converged: null,
  };
}

/**
 * Pointwise bands of every curve. Runs normally share one step grid; when
 * they do not, points are aligned by step value over the union of steps and
 * `mixedSteps` is set so the caller can warn.
 */
export function curveBands(runs: readonly StudyRun[]): { bands: Record<CurveName, CurveBand>; mixedSteps: boolean } {
  const first = runs[0]?.curves.step ?? [];
  let mixedSteps = false;
  for (const r of runs) {
    const s = r.curves.step;
    if (s.length !== first.length || s.some((v, i) => v !== first[i])) {
      mixedSteps = true;
      break;
    }
  }
  let steps: number[];
  let indexOf: ((run: StudyRun, k: number) => number) | null = null;
  if (!mixedSteps) steps = [...first];
  else {
    steps = [...new Set(runs.flatMap((r) => r.curves.step))].sort((a, b) => a - b);
    const pos = runs.map((r) => new Map(r.curves.step.map((s, i) => [s, i])));
    const runIdx = new Map(runs.map((r, i) => [r, i]));
    indexOf = (run, k) => pos[runIdx.get(run)!]!.get(steps[k]!) ?? -1;
  }
  const K = steps.length;
  const bands = {} as Record<CurveName, CurveBand>;
  const sum = new Float64Array(K);
  const sumSq = new Float64Array(K);
  const cnt = new Int32Array(K);
  for (const name of CURVE_NAMES) {
    sum.fill(0);
    cnt.fill(0);
    sumSq.fill(0);
    // Two passes (mean, then squared deviations) for the same accuracy as `variance`.
    for (const r of runs) {
      const series = r.curves[name];
      for (let k = 0; k < K; k++) {
        const i = indexOf === null ? k : indexOf(r, k);
        const v = i < 0 ? null : series[i];
        if (v === null || v === undefined || Number.isNaN(v)) continue;
        sum[k]! += v;
        cnt[k]!++;
      }
    }
    const meanArr = Array.from(sum, (s, k) => (cnt[k]! > 0 ? s / cnt[k]! : null));
    for (const r of runs) {
      const series = r.curves[name];
      for (let k = 0; k < K; k++) {
        const i = indexOf === null ? k : indexOf(r, k);
        const v = i < 0 ? null : series[i];
        if (v === null || v === undefined || Number.isNaN(v)) continue;
        const d = v - meanArr[k]!;
        sumSq[k]! += d * d;
      }
    }
    const lo: (number | null)[] = new Array<number | null>(K).fill(null);
    const hi: (number | null)[] = new Array<number | null>(K).fill(null);
    for (let k = 0; k < K; k++) {
      const n = cnt[k]!;
      if (n < 2) continue;
      const h = tCrit(n - 1) * Math.sqrt(sumSq[k]! / (n - 1) / n);
      lo[k] = meanArr[k]! - h;
      hi[k] = meanArr[k]! + h;
    }
    bands[name] = { curve: name, step: steps, n: Array.from(cnt), mean: meanArr, lo, hi };
  }
  return { bands, mixedSteps };
}

/** Builds a {@link Cell} from its runs. */
export function buildCell(group: CellGroup): { cell: Cell; mixedSteps: boolean } {
  const metrics = {} as Record<MetricName, MetricStats>;
  for (const m of METRIC_NAMES) metrics[m] = metricStats(group.runs, m);
  const { bands, mixedSteps } = curveBands(group.runs);
  return { cell: { id: group.id, key: group.key, n: group.runs.length, seeds: group.seeds, metrics, curves: bands }, mixedSteps };
}
