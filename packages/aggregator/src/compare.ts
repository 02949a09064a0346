/**
 * Comparisons within a context (spec §2): paired on the seeds the two cells
 * share, when they share at least two; otherwise (mixed sweeps) Welch +
 * Mann-Whitney. Either way `designNote` says so.
 */
import { metricValue } from './cells.js';
import { fisherZ } from './describe.js';
import type { CellGroup } from './study.js';
import { a12, benjaminiHochberg, cohenDz, hedgesG, holm, mannWhitney, pairedT, welchT, wilcoxon } from './hypothesis.js';
import type { Comparison, MetricName, StudyRun } from './types.js';

/** Value on the comparison scale: atanh for creditCorr; +∞ for a non-converged stepsTo90. */
function scaled(run: StudyRun, metric: MetricName): number | null {
  const v = metricValue(run, metric);
  if (v === null || Number.isNaN(v)) return null;
  return metric === 'creditCorr' ? fisherZ(v) : v;
}

/** a − b in the extended reals: ∞ − ∞ = 0 (both never converged: a tie). */
function extendedDiff(a: number, b: number): number {
  if (a === b) return 0;
  return a - b;
}

/**
 * The seeds both cells have, in `a`'s order. Pairing on them is the spec's
 * design (same task, same streams per seed). Before, a cell that lacked one
 * seed (a failed task) switched its comparisons to independent tests on
 * every seed, throwing the pairing away: an audit saw a p of 0.0003 become
 * 0.744 and claim 1's verdict change with one run missing.
 */
export function commonSeeds(a: CellGroup, b: CellGroup): number[] {
  return a.seeds.filter((s) => b.bySeed.has(s));
}

/** Fewest shared seeds for a paired comparison: below it the cells are compared as independent samples. */
const MIN_PAIRS = 2;

type Unadjusted = Omit<Comparison, 'pHolm' | 'qBH' | 'significant'>;

/** Compares `m` (method) with `b` (baseline) on one metric; p-values not yet family-adjusted. */
export function compareCells(m: CellGroup, b: CellGroup, metric: MetricName): Unadjusted {
  const rankOnly = metric === 'stepsTo90';
  const scale = rankOnly ? 'rank-only' : metric === 'creditCorr' ? 'fisher-z' : 'linear';
  const common = commonSeeds(m, b);
  // Cells of one seed each, the same seed, still pair (n = 1: no t, a rank test of one pair).
  const paired = common.length >= MIN_PAIRS || (common.length === m.seeds.length && common.length === b.seeds.length && common.length > 0);
  const head = {
    id: `${metric}|${m.key.method}-vs-${b.key.method}|${m.contextId}`,
    metric,
    method: m.key.method,
    baseline: b.key.method,
    cellId: m.id,
    baselineCellId: b.id,
    feedback: m.key.feedback,
    noise: m.key.noise,
    axes: m.key.axes,
    scale,
  } as const;
  if (paired) {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const s of common) {
      const x = scaled(m.bySeed.get(s)!, metric);
      const y = scaled(b.bySeed.get(s)!, metric);
      if (x === null || y === null) continue;
      xs.push(x);
      ys.push(y);
    }
    const n = xs.length;
    const d = xs.map((x, i) => extendedDiff(x, ys[i]!));
    const dropped = common.length - n;
    const unmatched = m.seeds.length + b.seeds.length - 2 * common.length;
    const left = [
      ...(unmatched > 0 ? [`${unmatched} run(s) whose seed the other cell lacks left out`] : []),
      ...(dropped > 0 ? [`${dropped} pair(s) without a value on one side left out`] : []),
    ];
    const note = `seeds shared (${n} pairs${left.length ? `; ${left.join('; ')}` : ''}): paired t and Wilcoxon signed-rank`;
    const tt = !rankOnly && n >= 2 ? pairedT(xs, ys) : null;
    const rk = n >= 1 ? wilcoxon(d) : null;
    return {
      ...head,
      design: 'paired',
      designNote: rankOnly ? note.replace('paired t and ', '') : note,
      n,
      nMethod: n,
      nBaseline: n,
      diff: tt === null ? null : tt.diff,
      ci: tt === null ? null : tt.ci,
      parametric: tt === null ? null : { test: 'paired-t', statistic: tt.t, df: tt.df, p: tt.p },
      rank: rk === null ? null : { test: 'wilcoxon', statistic: rk.statistic, p: rk.p, pMethod: rk.pMethod },
      effect: {
        dz: rankOnly || n < 2 ? null : cohenDz(d),
        hedgesG: rankOnly ? null : hedgesG(xs, ys),
        a12: n > 0 ? a12(xs, ys) : 0.5,
      },
      p: rankOnly ? (rk?.p ?? null) : (tt?.p ?? null),
    };
  }
  const xs = m.runs.map((r) => scaled(r, metric)).filter((v): v is number => v !== null);
  const ys = b.runs.map((r) => scaled(r, metric)).filter((v): v is number => v !== null);
  const shared = m.seeds.filter((s) => b.bySeed.has(s)).length;
  const tt = !rankOnly && xs.length >= 2 && ys.length >= 2 ? welchT(xs, ys) : null;
  const rk = xs.length >= 1 && ys.length >= 1 ? mannWhitney(xs, ys) : null;
  const note = `seeds not shared (${shared} of ${m.seeds.length} vs ${b.seeds.length} in common): ${rankOnly ? '' : "Welch's t and "}Mann-Whitney U on independent samples`;
  return {
    ...head,
    design: 'independent',
    designNote: note,
    n: xs.length + ys.length,
    nMethod: xs.length,
    nBaseline: ys.length,
    diff: tt === null ? null : tt.diff,
    ci: tt === null ? null : tt.ci,
    parametric: tt === null ? null : { test: 'welch-t', statistic: tt.t, df: tt.df, p: tt.p },
    rank: rk === null ? null : { test: 'mann-whitney', statistic: rk.statistic, p: rk.p, pMethod: rk.pMethod },
    effect: { dz: null, hedgesG: rankOnly ? null : hedgesG(xs, ys), a12: xs.length > 0 && ys.length > 0 ? a12(xs, ys) : 0.5 },
    p: rankOnly ? (rk?.p ?? null) : (tt?.p ?? null),
  };
}

/**
 * Holm and BH over every comparison of the same metric (comparisons without a p stay null).
 * `extra` p-values of one metric, tests outside the table (the κ crossover's), join that
 * metric's family; their Holm-adjusted p come back in `extraHolm`, in their order.
 */
export function adjustFamilies(
  items: readonly Unadjusted[], alpha: number, extra: { readonly metric: MetricName; readonly ps: readonly number[] } = { metric: 'finalReward', ps: [] },
): { comparisons: Comparison[]; extraHolm: number[] } {
  const out: Comparison[] = items.map((c) => ({ ...c, pHolm: null, qBH: null, significant: false }));
  const byMetric = new Map<MetricName, number[]>();
  out.forEach((c, i) => {
    if (c.p === null || Number.isNaN(c.p)) return;
    let l = byMetric.get(c.metric);
    if (l === undefined) {
      l = [];
      byMetric.set(c.metric, l);
    }
    l.push(i);
  });
  let extraHolm: number[] = [];
  for (const [metric, idx] of byMetric) {
    // Tests of this metric outside the table (the κ crossover's) share its family, after its rows.
    const more = metric === extra.metric ? extra.ps : [];
    const ps = [...idx.map((i) => out[i]!.p!), ...more];
    const h = holm(ps);
    const q = benjaminiHochberg(ps);
    idx.forEach((i, k) => {
      out[i] = { ...out[i]!, pHolm: h[k]!, qBH: q[k]!, significant: h[k]! < alpha };
    });
    if (more.length > 0) extraHolm = h.slice(idx.length);
  }
  if (extra.ps.length > 0 && !byMetric.has(extra.metric)) extraHolm = holm(extra.ps);
  return { comparisons: out, extraHolm };
}
