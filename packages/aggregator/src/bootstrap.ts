/**
 * Bootstrap interval estimators given a bootstrap distribution, and the
 * stratified bootstrap of the rliable aggregates (spec §3).
 */
import { normalCdf, normalQuantile } from './dist.js';
import { percentileSorted, sorted } from './describe.js';
import { Xoshiro128 } from './prng.js';
import type { Interval } from './types.js';

/**
 * Percentile interval of a bootstrap distribution: numpy.percentile at
 * 100·(1−level)/2 and 100·(1+level)/2 with numpy's default linear
 * interpolation (as rliable computes it).
 */
export function percentileInterval(boot: ArrayLike<number>, level = 0.95): Interval {
  const s = sorted(boot);
  // In percent, as rliable passes them: (100 − 95)/2 = 2.5 exactly, where (1 − 0.95)/2 is not 0.025.
  const a = (100 - 100 * level) / 2;
  return { lo: percentileSorted(s, a), hi: percentileSorted(s, 100 - a), level };
}

/** scipy.stats.quantile(x, p) with its default 'linear' (Hyndman-Fan 7) formula, on sorted data. */
export function quantileHf7Sorted(s: ArrayLike<number>, p: number): number {
  const n = s.length;
  const jg = p * n + (1 - p);
  const jp1 = Math.floor(jg);
  let j = jp1 - 1;
  let g = jg % 1;
  if (j < 0) g = 0;
  j = Math.min(Math.max(j, 0), n - 1);
  const k = Math.min(Math.max(jp1, 0), n - 1);
  return (1 - g) * s[j]! + g * s[k]!;
}

/**
 * BCa interval (Efron & Tibshirani 14.3, as scipy.stats.bootstrap(method='BCa')):
 * bias correction z0 = Φ⁻¹((#{θ* < θ̂} + #{θ* ≤ θ̂}) / 2B), acceleration from the
 * jackknife values θ̂₍ᵢ₎ of the statistic, quantiles by scipy.stats.quantile.
 * @param boot bootstrap distribution θ*
 * @param thetaHat the statistic on the original sample
 * @param jackknife the statistic on each leave-one-out sample
 */
export function bcaInterval(boot: ArrayLike<number>, thetaHat: number, jackknife: ArrayLike<number>, level = 0.95): Interval & { z0: number; acceleration: number } {
  const B = boot.length;
  let below = 0;
  for (let i = 0; i < B; i++) {
    if (boot[i]! < thetaHat) below++;
    if (boot[i]! <= thetaHat) below++;
  }
  const z0 = normalQuantile(below / (2 * B));
  const n = jackknife.length;
  let dot = 0;
  for (let i = 0; i < n; i++) dot += jackknife[i]!;
  dot /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const u = (n - 1) * (dot - jackknife[i]!);
    num += u * u * u;
    den += u * u;
  }
  const acc = ((1 / 6) * (num / n ** 3)) / (den / n ** 2) ** 1.5;
  const alpha = (1 - level) / 2;
  const za = normalQuantile(alpha);
  const n1 = z0 + za;
  const a1 = normalCdf(z0 + n1 / (1 - acc * n1));
  const n2 = z0 - za;
  const a2 = normalCdf(z0 + n2 / (1 - acc * n2));
  const s = sorted(boot);
  return { lo: quantileHf7Sorted(s, a1), hi: quantileHf7Sorted(s, a2), level, z0, acceleration: acc };
}

export interface StratifiedInput {
  /** Per method: its strata (cells), each with its seeds' finalReward. */
  readonly methods: readonly (readonly Float64Array[])[];
  /** Per probability-of-improvement comparison: the (method index, stratum index) pairs, one per shared context. */
  readonly poi: readonly { readonly x: number; readonly y: number; readonly strata: readonly { readonly sx: number; readonly sy: number }[] }[];
  readonly resamples: number;
  readonly seed: number;
  readonly gamma: number;
  readonly level: number;
}

export interface StratifiedPoint {
  readonly point: number;
  readonly ci: Interval;
}

export interface StratifiedOutput {
  readonly methods: readonly { iqm: StratifiedPoint; mean: StratifiedPoint; median: StratifiedPoint; optimalityGap: StratifiedPoint }[];
  readonly poi: readonly StratifiedPoint[];
}

interface Prepared {
  readonly n: number;
  /** Pooled values, ascending. */
  readonly pooled: Float64Array;
  /** Per stratum: offset into the local arrays. */
  readonly offsets: Int32Array;
  readonly sizes: Int32Array;
  /** Local (stratum-sorted) values, concatenated by stratum. */
  readonly local: Float64Array;
  /** For each position in `pooled`: its local position. */
  readonly localOfPooled: Int32Array;
  /** max(0, γ − value) per local position. */
  readonly gap: Float64Array;
}

function prepare(strata: readonly Float64Array[], gamma: number): Prepared {
  const sizes = Int32Array.from(strata, (s) => s.length);
  const offsets = new Int32Array(strata.length);
  let n = 0;
  for (let k = 0; k < strata.length; k++) {
    offsets[k] = n;
    n += sizes[k]!;
  }
  const local = new Float64Array(n);
  for (let k = 0; k < strata.length; k++) local.set(sorted(strata[k]!), offsets[k]!);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => local[i]! - local[j]! || i - j);
  const pooled = new Float64Array(n);
  const localOfPooled = Int32Array.from(order);
  order.forEach((li, p) => {
    pooled[p] = local[li]!;
  });
  const gap = Float64Array.from(local, (v) => (v < gamma ? gamma - v : 0));
  return { n, pooled, offsets, sizes, local, localOfPooled, gap };
}

/**
 * IQM, mean, median and optimality gap of a resample given as counts over the
 * local (per-stratum sorted) positions. Mean and gap are sums in local order;
 * the order statistics walk the pooled sorted order from the bottom up to the
 * median and from the top down through the upper quarter, so about ¾ of the
 * positions are visited.
 */
function statsFromCounts(p: Prepared, counts: Int32Array, out: Float64Array): void {
  const n = p.n;
  const local = p.local;
  const gapv = p.gap;
  let sum = 0;
  let gap = 0;
  for (let i = 0; i < n; i++) {
    const c = counts[i]!;
    sum += c * local[i]!;
    gap += c * gapv[i]!;
  }
  const pooled = p.pooled;
  const map = p.localOfPooled;
  const g = Math.floor(n / 4);
  const m1 = (n - 1) >> 1;
  const m2 = n >> 1;
  // Bottom walk: the lowest g values' sum, and the values at ranks m1 and m2.
  let cum = 0;
  let low = 0;
  let med1 = 0;
  let med2 = 0;
  for (let q = 0; q < n; q++) {
    const c = counts[map[q]!]!;
    if (c === 0) continue;
    const v = pooled[q]!;
    if (cum < g) low += (cum + c <= g ? c : g - cum) * v;
    if (cum <= m1 && m1 < cum + c) med1 = v;
    if (m2 < cum + c) {
      med2 = v;
      break;
    }
    cum += c;
  }
  // Top walk: the highest g values' sum.
  cum = 0;
  let high = 0;
  for (let q = n - 1; q >= 0 && cum < g; q--) {
    const c = counts[map[q]!]!;
    if (c === 0) continue;
    high += (cum + c <= g ? c : g - cum) * pooled[q]!;
    cum += c;
  }
  out[0] = (sum - low - high) / (n - 2 * g);
  out[1] = sum / n;
  out[2] = med1 === med2 ? med1 : (med1 + med2) / 2;
  out[3] = gap / n;
}

/**
 * Stratified bootstrap (rliable's StratifiedBootstrap): each resample draws,
 * within every stratum (cell), as many seeds as it has, with replacement;
 * the statistics are computed on the pooled resample of each method. One
 * resample serves every statistic and pair (a joint bootstrap), which leaves
 * each marginal interval's distribution unchanged and halves the draws.
 * Work is O(resamples × runs): counts over pre-sorted values replace sorting.
 */
export function stratifiedBootstrap(input: StratifiedInput): StratifiedOutput {
  const rng = new Xoshiro128(input.seed);
  const prep = input.methods.map((m) => prepare(m, input.gamma));
  const B = input.resamples;
  const methodDist = prep.map(() => [new Float64Array(B), new Float64Array(B), new Float64Array(B), new Float64Array(B)] as const);
  const poiDist = input.poi.map(() => new Float64Array(B));
  const localCounts = prep.map((p) => new Int32Array(p.n));
  // For P(X > Y): per pair and context, for each sorted x position, how many y
  // (sorted) are below it and how many equal, as index bounds.
  const poiBounds = input.poi.map((pair) =>
    pair.strata.map(({ sx, sy }) => {
      const px = prep[pair.x]!;
      const py = prep[pair.y]!;
      const ox = px.offsets[sx]!;
      const nx = px.sizes[sx]!;
      const oy = py.offsets[sy]!;
      const ny = py.sizes[sy]!;
      const less = new Int32Array(nx);
      const leq = new Int32Array(nx);
      let l = 0;
      let e = 0;
      for (let i = 0; i < nx; i++) {
        const v = px.local[ox + i]!;
        while (l < ny && py.local[oy + l]! < v) l++;
        if (e < l) e = l;
        while (e < ny && py.local[oy + e]! <= v) e++;
        less[i] = l;
        leq[i] = e;
      }
      return { ox, nx, oy, ny, less, leq, prefix: new Int32Array(ny + 1) };
    }),
  );
  const state = Int32Array.from(rng.getState());
  const st = new Float64Array(4);
  for (let b = 0; b < B; b++) {
    for (let m = 0; m < prep.length; m++) {
      const p = prep[m]!;
      const lc = localCounts[m]!;
      drawCounts(lc, p.offsets, p.sizes, state);
      statsFromCounts(p, lc, st);
      const d = methodDist[m]!;
      d[0][b] = st[0]!;
      d[1][b] = st[1]!;
      d[2][b] = st[2]!;
      d[3][b] = st[3]!;
    }
    for (let q = 0; q < input.poi.length; q++) {
      const pair = input.poi[q]!;
      const cx = localCounts[pair.x]!;
      const cy = localCounts[pair.y]!;
      const bounds = poiBounds[q]!;
      let acc = 0;
      for (let k = 0; k < bounds.length; k++) acc += poiOfCounts(cx, cy, bounds[k]!);
      poiDist[q]![b] = acc / bounds.length;
    }
  }
  // Point estimates on the original data (every count 1).
  const methods = prep.map((p, m) => {
    const ones = new Int32Array(p.n).fill(1);
    const pts = new Float64Array(4);
    statsFromCounts(p, ones, pts);
    const d = methodDist[m]!;
    const est = (k: 0 | 1 | 2 | 3): StratifiedPoint => ({ point: pts[k]!, ci: percentileInterval(d[k], input.level) });
    return { iqm: est(0), mean: est(1), median: est(2), optimalityGap: est(3) };
  });
  const poi = input.poi.map((pair, q) => {
    const cx = new Int32Array(prep[pair.x]!.n).fill(1);
    const cy = new Int32Array(prep[pair.y]!.n).fill(1);
    let acc = 0;
    for (const s of poiBounds[q]!) acc += poiOfCounts(cx, cy, s);
    return { point: acc / poiBounds[q]!.length, ci: percentileInterval(poiDist[q]!, input.level) };
  });
  return { methods, poi };
}

/**
 * One stratified resample as counts: for every stratum, `size` draws of a
 * local index, uniform by multiply-shift. The xoshiro128** step is inlined on
 * local words (the same sequence as {@link Xoshiro128.nextInt}), which V8
 * keeps in registers; `state` carries the generator between calls.
 */
function drawCounts(lc: Int32Array, offsets: Int32Array, sizes: Int32Array, state: Int32Array): void {
  let s0 = state[0]!;
  let s1 = state[1]!;
  let s2 = state[2]!;
  let s3 = state[3]!;
  lc.fill(0);
  for (let k = 0; k < sizes.length; k++) {
    const o = offsets[k]!;
    const sz = sizes[k]!;
    for (let i = 0; i < sz; i++) {
      const x = Math.imul(s1, 5);
      const r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      lc[o + (((r * sz) / 4294967296) | 0)]!++;
    }
  }
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[3] = s3;
}

function poiOfCounts(
  cx: Int32Array,
  cy: Int32Array,
  s: { ox: number; nx: number; oy: number; ny: number; less: Int32Array; leq: Int32Array; prefix: Int32Array },
): number {
  const pre = s.prefix;
  pre[0] = 0;
  for (let j = 0; j < s.ny; j++) pre[j + 1] = pre[j]! + cy[s.oy + j]!;
  let num = 0;
  for (let i = 0; i < s.nx; i++) {
    const c = cx[s.ox + i]!;
    if (c === 0) continue;
    const l = pre[s.less[i]!]!;
    const e = pre[s.leq[i]!]! - l;
    num += c * (2 * l + e);
  }
  return num / (2 * s.nx * s.ny);
}
