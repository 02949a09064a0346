import { createStream } from './prng.js';

/** Reward component weights (spec §2). */
export interface RewardWeights {
  readonly local: number;
  readonly coherence: number;
  readonly global: number;
}

/** What a task depends on: the task key (spec §1–§2). */
export interface TaskSpec {
  readonly seed: number;
  readonly vocab: number;
  readonly length: number;
  readonly weights: RewardWeights;
}

/**
 * A reward landscape (spec §2) with everything exact evaluation needs.
 *
 * Sequences are indexed base V with y_0 most significant:
 * `index(y) = Σ_t y_t·V^(T−1−t)`; `R[index]` is the normalized reward.
 */
export interface Task {
  readonly seed: number;
  readonly vocab: number;
  readonly length: number;
  readonly weights: RewardWeights;
  /** Local quality L[t·V + v], t < T. */
  readonly local: Float64Array;
  /** Coherence C[a·V + b] for the bigram (a, b). */
  readonly coherence: Float64Array;
  /** Uniform-distribution mean and std of loc, coh, glo (exact, closed form). */
  readonly locMean: number;
  readonly locStd: number;
  readonly cohMean: number;
  readonly cohStd: number;
  readonly gloMean: number;
  readonly gloStd: number;
  /** Exact min and max of raw over all V^T sequences. */
  readonly rawMin: number;
  readonly rawMax: number;
  /** max raw − min raw (1 if they coincide, which makes every R = 0). */
  readonly rawRange: number;
  /** R of every sequence, by index. */
  readonly reward: Float64Array;
  /** V^(T−1−t): how much token t moves the index. */
  readonly placeValue: Int32Array;
  /** Std of R under the uniform policy (population). */
  readonly sdR: number;
  /** Mean of R under the uniform policy. */
  readonly meanR: number;
  /** Hint signal ℓ_t(v) = w_L·(L[t][v] − mean_v L[t][v]) / (std(loc)·range), at [t·V + v]. */
  readonly hintSignal: Float64Array;
  /** Pooled std of ℓ_t under the uniform policy. */
  readonly sdHint: number;
  /**
   * Closed-form credit tables (all divided by the raw range): local part
   * a_L·(L[t][v] − mean_v L[t]) at [t·V + v] (equal to the hint signal ℓ_t(v)),
   * coherence deviations from the row mean a_C·(C[p][v] − mean_u C[p][u]) and from
   * the column mean a_C·(C[v][n] − mean_u C[u][n]) at [p·V + v] and [v·V + n],
   * and the global coefficient a_G/((T−1)·range); a_X = w_X/std(X).
   */
  readonly creditCohRow: Float64Array;
  readonly creditCohCol: Float64Array;
  readonly creditGlobal: number;
  /**
   * Folded raw tables: a_L·L at [t·V + v], a_C·C at [a·V + b], and the global term
   * plus every standardization offset by distinct count d at [d]. raw(y) is their sum,
   * added in the same order as the enumeration pass, so it matches R's table bit for bit.
   */
  readonly rawLocal: Float64Array;
  readonly rawCoherence: Float64Array;
  readonly rawByDistinct: Float64Array;
  /** Binary threshold τ for a quantile q (memoized per q). */
  binaryThreshold(q: number): number;
}

/** Raw reward of a sequence from the tables (O(T); for tests and for clarity). */
export function rawReward(task: Task, y: ArrayLike<number>): number {
  const V = task.vocab;
  const T = task.length;
  let loc = 0;
  let coh = 0;
  let mask = 0;
  for (let t = 0; t < T; t++) {
    const v = y[t]!;
    loc += task.local[t * V + v]!;
    if (t > 0) coh += task.coherence[y[t - 1]! * V + v]!;
    mask |= 1 << v;
  }
  const glo = (popcount(mask) - 1) / (T - 1);
  const w = task.weights;
  return (
    w.local * z(loc, task.locMean, task.locStd) +
    w.coherence * z(coh, task.cohMean, task.cohStd) +
    w.global * z(glo, task.gloMean, task.gloStd)
  );
}

function z(x: number, mean: number, std: number): number {
  // A component with no spread under the uniform policy carries no information; it contributes 0.
  return std > 0 ? (x - mean) / std : 0;
}

/** Number of set bits of a 32-bit integer. */
export function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Index of a sequence (y_0 most significant). */
export function sequenceIndex(task: Pick<Task, 'vocab' | 'length'>, y: ArrayLike<number>, offset = 0): number {
  let idx = 0;
  for (let t = 0; t < task.length; t++) idx = idx * task.vocab + y[offset + t]!;
  return idx;
}

/**
 * Builds the task of spec §2 from the `task` stream of `seed`: L (T×V, row-major) is
 * drawn first, then C (V×V, row-major), each entry one standard normal.
 * Component moments under the uniform distribution are exact closed forms:
 * loc sums independent positions; coh's adjacent bigrams share a token, so
 * Var = (T−1)·Var(C) + 2(T−2)·(Σ_b colMean_b·rowMean_b / V − mean(C)²);
 * distinct(y) is an occupancy count with E = V(1−q1), Var = V(1−q1) + V(V−1)(1−2q1+q2) − V²(1−q1)²,
 * q1 = (1−1/V)^T, q2 = (1−2/V)^T. Min/max of raw and R come from one pass over all V^T sequences.
 */
export function buildTask(spec: TaskSpec): Task {
  const { seed, vocab: V, length: T, weights } = spec;
  const rng = createStream(seed, 'task');
  const L = new Float64Array(T * V);
  for (let i = 0; i < L.length; i++) L[i] = rng.normal();
  const C = new Float64Array(V * V);
  for (let i = 0; i < C.length; i++) C[i] = rng.normal();

  // loc moments.
  let locMean = 0;
  let locVar = 0;
  const rowMeanL = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let m = 0;
    for (let v = 0; v < V; v++) m += L[t * V + v]!;
    m /= V;
    rowMeanL[t] = m;
    let s = 0;
    for (let v = 0; v < V; v++) {
      const d = L[t * V + v]! - m;
      s += d * d;
    }
    locMean += m;
    locVar += s / V;
  }
  // coh moments.
  let cMean = 0;
  for (let i = 0; i < C.length; i++) cMean += C[i]!;
  cMean /= V * V;
  let cVar = 0;
  for (let i = 0; i < C.length; i++) {
    const d = C[i]! - cMean;
    cVar += d * d;
  }
  cVar /= V * V;
  let cross = 0;
  for (let b = 0; b < V; b++) {
    let col = 0;
    let row = 0;
    for (let a = 0; a < V; a++) {
      col += C[a * V + b]!;
      row += C[b * V + a]!;
    }
    cross += (col / V) * (row / V);
  }
  const adjCov = cross / V - cMean * cMean;
  const cohMean = (T - 1) * cMean;
  const cohVar = Math.max(0, (T - 1) * cVar + 2 * (T - 2) * adjCov);
  // glo moments.
  const q1 = (1 - 1 / V) ** T;
  const q2 = (1 - 2 / V) ** T;
  const dMean = V * (1 - q1);
  const dVar = Math.max(0, V * (1 - q1) + V * (V - 1) * (1 - 2 * q1 + q2) - V * V * (1 - q1) * (1 - q1));
  const gloMean = (dMean - 1) / (T - 1);
  const gloStd = Math.sqrt(dVar) / (T - 1);
  const locStd = Math.sqrt(locVar);
  const cohStd = Math.sqrt(cohVar);

  // Fold weights and standardization into per-token tables so the pass is additions only.
  const aL = locStd > 0 ? weights.local / locStd : 0;
  const aC = cohStd > 0 ? weights.coherence / cohStd : 0;
  const aG = gloStd > 0 ? weights.global / gloStd : 0;
  const offset = -aL * locMean - aC * cohMean - aG * gloMean;
  const wl = new Float64Array(T * V);
  for (let i = 0; i < wl.length; i++) wl[i] = aL * L[i]!;
  const wc = new Float64Array(V * V);
  for (let i = 0; i < wc.length; i++) wc[i] = aC * C[i]!;
  const gloByDistinct = new Float64Array(V + 1);
  for (let d = 0; d <= V; d++) gloByDistinct[d] = offset + (aG * (d - 1)) / (T - 1);

  let N = 1;
  for (let t = 0; t < T; t++) N *= V;
  const raw = new Float64Array(N);
  // Prefix accumulators per depth (odometer over the last position, explicit stack above it).
  const acc = new Float64Array(T + 1);
  const masks = new Int32Array(T + 1);
  const ys = new Int32Array(T);
  const last = T - 1;
  let idx = 0;
  let depth = 0;
  ys[0] = 0;
  // Iterative DFS: at each depth choose ys[depth]; at the last depth loop the V leaves directly.
  for (;;) {
    if (depth < last) {
      const v = ys[depth]!;
      const prevTok = depth > 0 ? ys[depth - 1]! : -1;
      acc[depth + 1] = acc[depth]! + wl[depth * V + v]! + (prevTok >= 0 ? wc[prevTok * V + v]! : 0);
      masks[depth + 1] = masks[depth]! | (1 << v);
      depth++;
      ys[depth] = 0;
      continue;
    }
    // depth === last: enumerate leaves.
    const base = acc[depth]!;
    const m = masks[depth]!;
    const prevTok = depth > 0 ? ys[depth - 1]! : -1;
    const lrow = depth * V;
    const crow = prevTok * V;
    for (let v = 0; v < V; v++) {
      const d = popcount(m | (1 << v));
      raw[idx++] = base + wl[lrow + v]! + (prevTok >= 0 ? wc[crow + v]! : 0) + gloByDistinct[d]!;
    }
    // Carry.
    depth--;
    while (depth >= 0) {
      ys[depth]!++;
      if (ys[depth]! < V) break;
      depth--;
    }
    if (depth < 0) break;
  }

  let rawMin = Infinity;
  let rawMax = -Infinity;
  for (let i = 0; i < N; i++) {
    const r = raw[i]!;
    if (r < rawMin) rawMin = r;
    if (r > rawMax) rawMax = r;
  }
  const rawRange = rawMax > rawMin ? rawMax - rawMin : 1;
  let sum = 0;
  for (let i = 0; i < N; i++) {
    const r = (raw[i]! - rawMin) / rawRange;
    raw[i] = r;
    sum += r;
  }
  const meanR = sum / N;
  let ss = 0;
  for (let i = 0; i < N; i++) {
    const d = raw[i]! - meanR;
    ss += d * d;
  }
  const sdR = Math.sqrt(ss / N);

  const hintSignal = new Float64Array(T * V);
  let hs = 0;
  for (let t = 0; t < T; t++) {
    for (let v = 0; v < V; v++) {
      const h = locStd > 0 ? (weights.local * (L[t * V + v]! - rowMeanL[t]!)) / (locStd * rawRange) : 0;
      hintSignal[t * V + v] = h;
      hs += h * h;
    }
  }
  // Each position's ℓ has mean 0 under the uniform policy, so the pooled variance is the mean square.
  const sdHint = Math.sqrt(hs / (T * V));

  const creditCohRow = new Float64Array(V * V);
  const creditCohCol = new Float64Array(V * V);
  for (let a = 0; a < V; a++) {
    let row = 0;
    let col = 0;
    for (let u = 0; u < V; u++) {
      row += C[a * V + u]!;
      col += C[u * V + a]!;
    }
    row /= V;
    col /= V;
    for (let u = 0; u < V; u++) {
      creditCohRow[a * V + u] = (aC * (C[a * V + u]! - row)) / rawRange;
      creditCohCol[u * V + a] = (aC * (C[u * V + a]! - col)) / rawRange;
    }
  }
  const creditGlobal = aG / ((T - 1) * rawRange);

  const placeValue = new Int32Array(T);
  let pv = 1;
  for (let t = T - 1; t >= 0; t--) {
    placeValue[t] = pv;
    pv *= V;
  }

  const thresholds = new Map<number, number>();
  const reward = raw;
  return {
    seed,
    vocab: V,
    length: T,
    weights: { local: weights.local, coherence: weights.coherence, global: weights.global },
    local: L,
    coherence: C,
    locMean,
    locStd,
    cohMean,
    cohStd,
    gloMean,
    gloStd,
    rawMin,
    rawMax,
    rawRange,
    reward,
    placeValue,
    sdR,
    meanR,
    hintSignal,
    sdHint,
    creditCohRow,
    creditCohCol,
    creditGlobal,
    rawLocal: wl,
    rawCoherence: wc,
    rawByDistinct: gloByDistinct,
    binaryThreshold(q: number): number {
      let tau = thresholds.get(q);
      if (tau === undefined) {
        tau = quantileThreshold(reward, q);
        thresholds.set(q, tau);
      }
      return tau;
    },
  };
}

/**
 * Binary τ (spec §4): the smallest R value whose share of sequences with R ≤ τ is at
 * least q, i.e. the k-th smallest R with k = ⌈q·N⌉ (k ≥ 1). Found in O(N): a histogram
 * over [min, max] (binning is monotone, so bins are ordered) locates the bin holding the
 * k-th value, and quickselect finds it among that bin's few values.
 */
export function quantileThreshold(values: Float64Array, q: number): number {
  const n = values.length;
  let k = Math.ceil(q * n);
  // q·N may land a hair off an integer in floating point; the share test decides exactly.
  while (k > 1 && (k - 1) / n >= q) k--;
  while (k < n && k / n < q) k++;
  if (k < 1) k = 1;
  if (k > n) k = n;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (!(hi > lo)) return lo;
  const B = Math.max(1, Math.min(65536, n >>> 6));
  const scale = B / (hi - lo);
  const last = B - 1;
  // bin(x) = min(B − 1, ⌊(x − lo)·scale⌋); 0 ≤ (x − lo)·scale ≤ B < 2^31, so `| 0` is the floor.
  const counts = new Int32Array(B);
  for (let i = 0; i < n; i++) {
    const j = ((values[i]! - lo) * scale) | 0;
    counts[j > last ? last : j]!++;
  }
  let before = 0;
  let b = 0;
  while (before + counts[b]! < k) before += counts[b++]!;
  const bucket = new Float64Array(counts[b]!);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    const j = ((x - lo) * scale) | 0;
    if ((j > last ? last : j) === b) bucket[m++] = x;
  }
  return select(bucket, k - before - 1);
}

function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    // Median-of-three pivot; deterministic.
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const w = a[hi]!;
    const pivot = x < y ? (y < w ? y : x < w ? w : x) : x < w ? x : y < w ? w : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const tmp = a[i]!;
        a[i] = a[j]!;
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Counterfactual credit g_t(y) = R(y) − (1/V)·Σ_v R(y with y_t ← v) for a sequence index. */
export function tokenCredit(task: Task, index: number, t: number, token: number): number {
  const V = task.vocab;
  const pv = task.placeValue[t]!;
  const base = index - token * pv;
  let s = 0;
  for (let v = 0; v < V; v++) s += task.reward[base + v * pv]!;
  return task.reward[index]! - s / V;
}

/**
 * Scores the sequence at seqs[off..off+T): writes R(y) to reward[rewardIdx] and g_t
 * for every position to credit[creditOff + t], in closed form with no lookups in the
 * V^T-entry R table (those are cache misses). R is summed from the folded tables in
 * the enumeration pass's order, so it equals `task.reward[index(y)]` bit for bit.
 * g_t: R is additive in tokens except for the bigrams and the distinct count, so
 * R(y) − mean_v R(y^{t←v}) = ℓ_t(y_t) + (C-row deviation of (y_{t−1}, y_t)) +
 * (C-column deviation of (y_t, y_{t+1})) + a_G/((T−1)·range)·(d − d₀ − (V − d₀)/V),
 * with d = distinct(y) and d₀ = distinct(y without position t); it agrees with
 * {@link tokenCredit} up to rounding. `counts` is scratch of length V.
 */
export function scoreSequence(
  task: Task, seqs: Int32Array, off: number, counts: Int32Array,
  reward: Float64Array, rewardIdx: number, credit: Float64Array, creditOff: number,
): void {
  const V = task.vocab;
  const T = task.length;
  const wl = task.rawLocal;
  const wc = task.rawCoherence;
  for (let v = 0; v < V; v++) counts[v] = 0;
  let d = 0;
  let acc = 0;
  let prev = -1;
  for (let t = 0; t < T; t++) {
    const y = seqs[off + t]!;
    if (counts[y] === 0) d++;
    counts[y]!++;
    acc = acc + wl[t * V + y]! + (prev >= 0 ? wc[prev * V + y]! : 0);
    prev = y;
  }
  reward[rewardIdx] = (acc + task.rawByDistinct[d]! - task.rawMin) / task.rawRange;
  const loc = task.hintSignal;
  const row = task.creditCohRow;
  const col = task.creditCohCol;
  const gc = task.creditGlobal;
  for (let t = 0; t < T; t++) {
    const y = seqs[off + t]!;
    let g = loc[t * V + y]!;
    if (t > 0) g += row[seqs[off + t - 1]! * V + y]!;
    if (t < T - 1) g += col[y * V + seqs[off + t + 1]!]!;
    const d0 = counts[y] === 1 ? d - 1 : d;
    g += gc * (d - d0 - (V - d0) / V);
    credit[creditOff + t] = g;
  }
}

const cache = new Map<string, Task>();
let cacheCapacity = 4;

function taskKey(spec: TaskSpec): string {
  const w = spec.weights;
  return `${spec.seed}|${spec.vocab}|${spec.length}|${w.local}|${w.coherence}|${w.global}`;
}

/**
 * The task for `spec`, from a small LRU cache (a worker running many cells of one
 * seed builds its landscape once). The binary τ is memoized inside the task per
 * quantile, so `binaryQuantile` need not be part of the key.
 */
export function getTask(spec: TaskSpec, options: { readonly cache?: boolean } = {}): Task {
  if (options.cache === false) return buildTask(spec);
  const key = taskKey(spec);
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const task = buildTask(spec);
  cache.set(key, task);
  while (cache.size > cacheCapacity) {
    const oldest = cache.keys().next().value;
    if (oldest === undefined) break;
    cache.delete(oldest);
  }
  return task;
}

/** Empties the task cache (benchmarks use it to time cold runs). */
export function clearTaskCache(): void {
  cache.clear();
}

/** Sets how many tasks the cache keeps (≥ 0; 0 disables caching). */
export function setTaskCacheCapacity(n: number): void {
  cacheCapacity = Math.max(0, Math.floor(n));
  while (cache.size > cacheCapacity) {
    const oldest = cache.keys().next().value;
    if (oldest === undefined) break;
    cache.delete(oldest);
  }
}
