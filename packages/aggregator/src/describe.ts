/**
 * Descriptive statistics over seeds. SDs are sample SDs (n − 1); medians and
 * percentiles follow numpy's defaults (linear interpolation) bit for bit, so
 * tests can compare exactly.
 */
import { tQuantile } from './dist.js';
import type { Interval } from './types.js';

/** Arithmetic mean; NaN for an empty array. */
export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

/** Sample variance (n − 1), two-pass; NaN when n < 2. */
export function variance(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const m = mean(xs);
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i]! - m;
    ss += d * d;
  }
  return ss / (n - 1);
}

/** Sample SD (n − 1); NaN when n < 2. */
export function sd(xs: ArrayLike<number>): number {
  return Math.sqrt(variance(xs));
}

/** Ascending copy as a Float64Array (NaN-free input assumed). */
export function sorted(xs: ArrayLike<number>): Float64Array {
  const a = Float64Array.from(xs as ArrayLike<number>);
  a.sort();
  return a;
}

/** numpy's `_lerp`: a + (b − a)·t, evaluated from b's side when t ≥ ½ (numpy does the same, for monotonicity). */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Quantile `q` ∈ [0, 1] of sorted data, numpy's default 'linear' method:
 * virtual index (n − 1)·q, linear interpolation between its neighbours.
 */
export function quantileSorted(s: ArrayLike<number>, q: number): number {
  const n = s.length;
  if (n === 0) return Number.NaN;
  const idx = (n - 1) * q;
  const lo = Math.floor(idx);
  const hi = Math.min(lo + 1, n - 1);
  const t = idx - lo;
  const a = s[lo]!;
  const b = s[hi]!;
  if (a === b) return a; // also keeps ±∞ from producing NaN
  return lerp(a, b, t);
}

/** numpy.percentile(x, p) with p in percent. */
export function percentileSorted(s: ArrayLike<number>, p: number): number {
  return quantileSorted(s, p / 100);
}

/** Median of sorted data; the mean of the two middle values for an even count. */
export function medianSorted(s: ArrayLike<number>): number {
  const n = s.length;
  if (n === 0) return Number.NaN;
  const h = n >> 1;
  if (n % 2 === 1) return s[h]!;
  const a = s[h - 1]!;
  const b = s[h]!;
  return a === b ? a : (a + b) / 2;
}

/**
 * Interquartile mean: the mean after dropping floor(n/4) values from each end
 * of the sorted data (scipy.stats.trim_mean(x, 0.25)).
 */
export function iqmSorted(s: ArrayLike<number>): number {
  const n = s.length;
  const g = Math.floor(n / 4);
  let sum = 0;
  for (let i = g; i < n - g; i++) sum += s[i]!;
  return sum / (n - 2 * g);
}

/** 95% (or `level`) t-interval of the mean; null when n < 2. */
export function tInterval(xs: ArrayLike<number>, level = 0.95): Interval | null {
  const n = xs.length;
  if (n < 2) return null;
  const m = mean(xs);
  const se = sd(xs) / Math.sqrt(n);
  const q = tQuantile(1 - (1 - level) / 2, n - 1);
  return { lo: m - q * se, hi: m + q * se, level };
}

/** Largest |r| kept before atanh, so r = ±1 stays finite in Fisher-z space. */
export const FISHER_CLIP = 1 - 1e-12;

/** atanh(r) with |r| clipped to {@link FISHER_CLIP}. */
export function fisherZ(r: number): number {
  const c = Math.max(-FISHER_CLIP, Math.min(FISHER_CLIP, r));
  return Math.atanh(c);
}
