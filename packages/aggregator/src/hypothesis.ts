/**
 * Hypothesis tests, effect sizes and multiplicity corrections, matching
 * scipy 1.17's defaults (checked against fixtures from tools/gen-stat-fixtures.py).
 */
import { normalCdf, tCdf, tQuantile, tTwoSidedP } from './dist.js';
import { mean, variance } from './describe.js';
import type { Interval, RankPMethod } from './types.js';

/** Result of a t-test. `t` is null (and p 0 or 1) when the standard error is 0. */
export interface TTestResult {
  readonly t: number | null;
  readonly df: number;
  readonly p: number;
  readonly diff: number;
  readonly se: number;
  readonly ci: Interval;
}

function tResult(diff: number, se: number, df: number, level: number): TTestResult {
  const q = tQuantile(1 - (1 - level) / 2, df);
  const ci = { lo: diff - q * se, hi: diff + q * se, level };
  if (se === 0) return { t: null, df, p: diff === 0 ? 1 : 0, diff, se, ci };
  const t = diff / se;
  return { t, df, p: tTwoSidedP(t, df), diff, se, ci };
}

/** One-sample t-test of mean(x) = mu0 (two-sided), with the t-interval of mean(x) − mu0. Needs n ≥ 2. */
export function oneSampleT(x: ArrayLike<number>, mu0 = 0, level = 0.95): TTestResult {
  const n = x.length;
  const d = mean(x) - mu0;
  const se = Math.sqrt(variance(x) / n);
  return tResult(d, se, n - 1, level);
}

/** Paired t-test of a − b (scipy.stats.ttest_rel). Needs n ≥ 2 pairs. */
export function pairedT(a: ArrayLike<number>, b: ArrayLike<number>, level = 0.95): TTestResult {
  return oneSampleT(differences(a, b), 0, level);
}

/** Welch's t-test of mean(a) − mean(b) (scipy.stats.ttest_ind(equal_var=False)). Needs ≥ 2 per side. */
export function welchT(a: ArrayLike<number>, b: ArrayLike<number>, level = 0.95): TTestResult {
  const na = a.length;
  const nb = b.length;
  const va = variance(a) / na;
  const vb = variance(b) / nb;
  const se = Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / ((va * va) / (na - 1) + (vb * vb) / (nb - 1));
  return tResult(mean(a) - mean(b), se, df, level);
}

/** Elementwise a − b. */
export function differences(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = a[i]! - b[i]!;
  return d;
}

/** Average ranks (1-based) and the sizes of tie groups (only groups > 1). ±∞ allowed. */
export function rankAverage(xs: ArrayLike<number>): { ranks: Float64Array; ties: number[] } {
  const n = xs.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => xs[i]! - xs[j]! || (xs[i]! < xs[j]! ? -1 : xs[i]! > xs[j]! ? 1 : 0));
  const ranks = new Float64Array(n);
  const ties: number[] = [];
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && xs[order[j + 1]!] === xs[order[i]!]) j++;
    const r = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k]!] = r;
    if (j > i) ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

export interface RankTestResult {
  readonly statistic: number;
  readonly p: number;
  readonly pMethod: RankPMethod;
}

const signedRankCache = new Map<number, Float64Array>();

/** Counts of each signed-rank sum 0..n(n+1)/2 over the 2^n sign patterns (exact integers for n ≤ 50), cached. */
function signedRankCounts(n: number): Float64Array {
  let c = signedRankCache.get(n);
  if (c === undefined) {
    c = signedRankCountsOf(n);
    signedRankCache.set(n, c);
  }
  return c;
}

function signedRankCountsOf(n: number): Float64Array {
  const max = (n * (n + 1)) / 2;
  const c = new Float64Array(max + 1);
  c[0] = 1;
  for (let k = 1; k <= n; k++) for (let s = (k * (k + 1)) / 2; s >= k; s--) c[s]! += c[s - k]!;
  return c;
}

/**
 * Wilcoxon signed-rank test of paired differences `d`, two-sided, with
 * scipy.stats.wilcoxon's defaults (zero_method 'wilcox', correction False,
 * method 'auto'): zeros are dropped from the ranking; with more than 50
 * differences (zeros included), the normal approximation; otherwise exact
 * when there are no ties and no zeros, an exact sign-flip permutation test
 * when there are ties or zeros and at most 13 differences, and the normal
 * approximation (tie-corrected variance) beyond. Returns null when every
 * difference is 0. `statistic` is min(R+, R−) as scipy reports it.
 * Differences may be ±∞ (stepsTo90): they tie with each other and rank highest.
 */
export function wilcoxon(d: ArrayLike<number>): RankTestResult | null {
  const total = d.length;
  const nz: number[] = [];
  for (let i = 0; i < total; i++) if (d[i] !== 0) nz.push(d[i]!);
  const zeros = total - nz.length;
  const n = nz.length;
  if (n === 0) return null;
  const { ranks, ties } = rankAverage(nz.map(Math.abs));
  let rPlus = 0;
  let rMinus = 0;
  for (let i = 0; i < n; i++) {
    if (nz[i]! > 0) rPlus += ranks[i]!;
    else rMinus += ranks[i]!;
  }
  const statistic = Math.min(rPlus, rMinus);
  const hasTies = ties.length > 0;
  let method: RankPMethod;
  if (total > 50) method = 'normal-approximation';
  else if (!hasTies && zeros === 0) method = 'exact';
  else if (total <= 13) method = 'exact-permutation';
  else method = 'normal-approximation';

  if (method === 'exact') {
    const c = signedRankCounts(n);
    const r = Math.round(rPlus);
    let le = 0;
    for (let s = 0; s <= r; s++) le += c[s]!;
    let ge = 0;
    for (let s = r; s < c.length; s++) ge += c[s]!;
    const p = Math.min(1, (2 * Math.min(le, ge)) / 2 ** n);
    return { statistic, p, pMethod: method };
  }
  if (method === 'exact-permutation') {
    // Average ranks are multiples of ½: count in doubled units, exactly.
    const r2 = Array.from(ranks, (r) => Math.round(2 * r));
    const max = r2.reduce((a, b) => a + b, 0);
    const c = new Float64Array(max + 1);
    c[0] = 1;
    let reach = 0;
    for (const w of r2) {
      reach += w;
      for (let s = reach; s >= w; s--) c[s]! += c[s - w]!;
    }
    const obs = Math.round(2 * rPlus);
    let le = 0;
    for (let s = 0; s <= obs; s++) le += c[s]!;
    let ge = 0;
    for (let s = obs; s <= max; s++) ge += c[s]!;
    const p = Math.min(1, (2 * Math.min(le, ge)) / 2 ** n);
    return { statistic, p, pMethod: method };
  }
  const mn = (n * (n + 1)) / 4;
  let tieTerm = 0;
  for (const t of ties) tieTerm += t * t * t - t;
  const se = Math.sqrt((n * (n + 1) * (2 * n + 1) - tieTerm / 2) / 24);
  const z = (rPlus - mn) / se;
  const p = Math.min(1, 2 * normalCdf(-Math.abs(z)));
  return { statistic, p, pMethod: method };
}

/**
 * Counts of each U = 0..m·n over all C(m+n, m) arrangements (m ≤ n), as
 * floats (sums of positives only, so relative precision holds past 2^53).
 * f(i, j, u) = f(i−1, j, u−j) + f(i, j−1, u): the largest of the i + j values
 * is either an x (beating all j y's) or a y. Rolled over j, so memory is
 * O(m·mn) — the exact branch only runs with m ≤ 8.
 */
function mannWhitneyCounts(m: number, n: number): Float64Array {
  let prev: Float64Array[] = Array.from({ length: m + 1 }, () => Float64Array.of(1));
  for (let j = 1; j <= n; j++) {
    const cur: Float64Array[] = [Float64Array.of(1)];
    for (let i = 1; i <= m; i++) {
      const a = new Float64Array(i * j + 1);
      const left = prev[i]!;
      for (let u = 0; u < left.length; u++) a[u] = left[u]!;
      const up = cur[i - 1]!;
      for (let u = 0; u < up.length; u++) a[u + j]! += up[u]!;
      cur.push(a);
    }
    prev = cur;
  }
  return prev[m]!;
}

/**
 * Mann-Whitney U test, two-sided, with scipy.stats.mannwhitneyu's defaults
 * (use_continuity True, method 'auto'): exact when either sample has at most
 * 8 values and there are no ties; otherwise the normal approximation with
 * tie-corrected variance and continuity correction. `statistic` is U of `x`.
 */
export function mannWhitney(x: ArrayLike<number>, y: ArrayLike<number>): RankTestResult {
  const n1 = x.length;
  const n2 = y.length;
  const all = new Float64Array(n1 + n2);
  all.set(Array.from(x), 0);
  all.set(Array.from(y), n1);
  const { ranks, ties } = rankAverage(all);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i]!;
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const u = Math.max(u1, u2);
  const exact = !(n1 > 8 && n2 > 8) && ties.length === 0;
  if (exact) {
    const m = Math.min(n1, n2);
    const nn = Math.max(n1, n2);
    const c = mannWhitneyCounts(m, nn);
    let total = 0;
    for (let k = 0; k < c.length; k++) total += c[k]!;
    let ge = 0;
    for (let k = Math.round(u); k < c.length; k++) ge += c[k]!;
    return { statistic: u1, p: Math.min(1, (2 * ge) / total), pMethod: 'exact' };
  }
  const nTot = n1 + n2;
  let tieTerm = 0;
  for (const t of ties) tieTerm += t * t * t - t;
  const s = Math.sqrt(((n1 * n2) / 12) * (nTot + 1 - tieTerm / (nTot * (nTot - 1))));
  const z = (u - (n1 * n2) / 2 - 0.5) / s;
  return { statistic: u1, p: Math.min(1, 2 * normalCdf(-z)), pMethod: 'normal-approximation' };
}

/** A12 = P(X > Y) + ½P(X = Y) over all pairs, from the Mann-Whitney U of x. */
export function a12(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n1 = x.length;
  const n2 = y.length;
  const all = new Float64Array(n1 + n2);
  all.set(Array.from(x), 0);
  all.set(Array.from(y), n1);
  const { ranks } = rankAverage(all);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i]!;
  return (r1 - (n1 * (n1 + 1)) / 2) / (n1 * n2);
}

/** d_z = mean(d) / SD(d) of paired differences; null when SD is 0 or n < 2. */
export function cohenDz(d: ArrayLike<number>): number | null {
  if (d.length < 2) return null;
  const s = Math.sqrt(variance(d));
  return s > 0 ? mean(d) / s : null;
}

/**
 * Hedges' g: (mean(a) − mean(b)) / pooled SD, times the usual small-sample
 * correction J = 1 − 3/(4(na + nb) − 9). Null when the pooled SD is 0.
 */
export function hedgesG(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const na = a.length;
  const nb = b.length;
  if (na < 2 || nb < 2) return null;
  const sp = Math.sqrt(((na - 1) * variance(a) + (nb - 1) * variance(b)) / (na + nb - 2));
  if (!(sp > 0)) return null;
  const j = 1 - 3 / (4 * (na + nb) - 9);
  return ((mean(a) - mean(b)) / sp) * j;
}

/** Holm step-down adjusted p-values (same order as input). */
export function holm(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((_, i) => i).sort((i, j) => ps[i]! - ps[j]! || i - j);
  const out = new Array<number>(m);
  let run = 0;
  for (let k = 0; k < m; k++) {
    const i = order[k]!;
    run = Math.max(run, Math.min(1, (m - k) * ps[i]!));
    out[i] = run;
  }
  return out;
}

/** Benjamini-Hochberg q-values (scipy.stats.false_discovery_control, method 'bh'). */
export function benjaminiHochberg(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((_, i) => i).sort((i, j) => ps[i]! - ps[j]! || i - j);
  const out = new Array<number>(m);
  let run = 1;
  for (let k = m - 1; k >= 0; k--) {
    const i = order[k]!;
    run = Math.min(run, (ps[i]! * m) / (k + 1));
    out[i] = Math.min(1, run);
  }
  return out;
}

/**
 * Pitman-Morgan test of equal variances for PAIRED samples: the variances of
 * x and y are equal iff corr(x + y, x − y) = 0, tested with t = r√(n−2)/√(1−r²)
 * on n − 2 df. The F test would assume independent samples, which shared
 * seeds are not. Returns the variance ratio var(x)/var(y) with Pitman's 95%
 * interval F·(K ∓ √(K² − 1)), K = 1 + 2(1 − ρ²)t²_{n−2}/(n − 2), ρ = corr(x, y).
 */
export function pitmanMorgan(x: ArrayLike<number>, y: ArrayLike<number>, level = 0.95): { ratio: number; ci: Interval; p: number; t: number; df: number } {
  const n = x.length;
  const s = new Float64Array(n);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s[i] = x[i]! + y[i]!;
    d[i] = x[i]! - y[i]!;
  }
  const r = pearson(s, d);
  const df = n - 2;
  const t = (r * Math.sqrt(df)) / Math.sqrt(1 - r * r);
  const p = Math.min(1, 2 * tCdf(-Math.abs(t), df));
  const ratio = variance(x) / variance(y);
  const rho = pearson(x, y);
  const q = tQuantile(1 - (1 - level) / 2, df);
  const k = 1 + (2 * (1 - rho * rho) * q * q) / df;
  const w = Math.sqrt(k * k - 1);
  return { ratio, ci: { lo: ratio * (k - w), hi: ratio * (k + w), level }, p, t, df };
}

/** Pearson correlation; NaN when either side is constant. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i]! - mx;
    const b = y[i]! - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * Page's L trend test (one-sided, predicted order increasing along the
 * columns): rows are blocks (seeds), columns the treatments in the predicted
 * order from lowest to highest. Ranks within rows (average for ties);
 * L = Σ_j j·R_j; p from the normal approximation
 * z = (L − nk(k+1)²/4) / √(n k²(k+1)(k²−1)/144) (scipy's 'asymptotic').
 */
export function pageTrend(rows: readonly (readonly number[])[]): { L: number; z: number; p: number } {
  const n = rows.length;
  const k = rows[0]?.length ?? 0;
  const colRank = new Float64Array(k);
  for (const row of rows) {
    const { ranks } = rankAverage(row);
    for (let j = 0; j < k; j++) colRank[j]! += ranks[j]!;
  }
  let L = 0;
  for (let j = 0; j < k; j++) L += (j + 1) * colRank[j]!;
  const mu = (n * k * (k + 1) ** 2) / 4;
  const v = (n * k * k * (k + 1) * (k * k - 1)) / 144;
  const z = (L - mu) / Math.sqrt(v);
  return { L, z, p: normalCdf(-z) };
}
