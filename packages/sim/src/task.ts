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
  // One pass over all sequences for min, max, Σ raw and Σ raw² (no table: R is materialized on demand).
  const stats = new Float64Array(4);
  enumerateRaw(V, T, wl, wc, gloByDistinct, stats);
  const rawMin = stats[0]!;
  const rawMax = stats[1]!;
  const rawRange = rawMax > rawMin ? rawMax - rawMin : 1;
  // raw has mean 0 under the uniform distribution (each component is centred exactly), so
  // Σ raw² − N·mean² does not cancel.
  const rawMean = stats[2]! / N;
  const meanR = (rawMean - rawMin) / rawRange;
  const sdR = Math.sqrt(Math.max(0, stats[3]! / N - rawMean * rawMean)) / rawRange;

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

  return new LandscapeTask({
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
  });
}

type TaskFields = Omit<Task, 'reward' | 'binaryThreshold'>;

/**
 * A task whose R table is built on first use (binary τ, tests): the training loop never reads
 * it, and it is 8·V^T bytes. A class with declared fields keeps the lazy `reward` on the
 * prototype and the object in fast mode (an accessor in an object literal, or Object.assign of
 * this many fields, left tasks as dictionaries and made the per-token field loads slower).
 */
class LandscapeTask implements Task {
  readonly seed: TaskFields['seed'];
  readonly vocab: TaskFields['vocab'];
  readonly length: TaskFields['length'];
  readonly weights: TaskFields['weights'];
  readonly local: TaskFields['local'];
  readonly coherence: TaskFields['coherence'];
  readonly locMean: TaskFields['locMean'];
  readonly locStd: TaskFields['locStd'];
  readonly cohMean: TaskFields['cohMean'];
  readonly cohStd: TaskFields['cohStd'];
  readonly gloMean: TaskFields['gloMean'];
  readonly gloStd: TaskFields['gloStd'];
  readonly rawMin: TaskFields['rawMin'];
  readonly rawMax: TaskFields['rawMax'];
  readonly rawRange: TaskFields['rawRange'];
  readonly placeValue: TaskFields['placeValue'];
  readonly sdR: TaskFields['sdR'];
  readonly meanR: TaskFields['meanR'];
  readonly hintSignal: TaskFields['hintSignal'];
  readonly sdHint: TaskFields['sdHint'];
  readonly creditCohRow: TaskFields['creditCohRow'];
  readonly creditCohCol: TaskFields['creditCohCol'];
  readonly creditGlobal: TaskFields['creditGlobal'];
  readonly rawLocal: TaskFields['rawLocal'];
  readonly rawCoherence: TaskFields['rawCoherence'];
  readonly rawByDistinct: TaskFields['rawByDistinct'];
  private table: Float64Array | undefined = undefined;
  private readonly thresholds = new Map<number, number>();

  constructor(f: TaskFields) {
    this.seed = f.seed;
    this.vocab = f.vocab;
    this.length = f.length;
    this.weights = f.weights;
    this.local = f.local;
    this.coherence = f.coherence;
    this.locMean = f.locMean;
    this.locStd = f.locStd;
    this.cohMean = f.cohMean;
    this.cohStd = f.cohStd;
    this.gloMean = f.gloMean;
    this.gloStd = f.gloStd;
    this.rawMin = f.rawMin;
    this.rawMax = f.rawMax;
    this.rawRange = f.rawRange;
    this.placeValue = f.placeValue;
    this.sdR = f.sdR;
    this.meanR = f.meanR;
    this.hintSignal = f.hintSignal;
    this.sdHint = f.sdHint;
    this.creditCohRow = f.creditCohRow;
    this.creditCohCol = f.creditCohCol;
    this.creditGlobal = f.creditGlobal;
    this.rawLocal = f.rawLocal;
    this.rawCoherence = f.rawCoherence;
    this.rawByDistinct = f.rawByDistinct;
  }

  get reward(): Float64Array {
    if (this.table === undefined) {
      const V = this.vocab;
      const T = this.length;
      let N = 1;
      for (let t = 0; t < T; t++) N *= V;
      const r = new Float64Array(N);
      fillReward(
        V, T, this.rawLocal, this.rawCoherence, this.rawByDistinct, this.rawMin, this.rawRange, r,
        new Float64Array(T), new Int32Array(T), new Int32Array(T),
      );
      this.table = r;
    }
    return this.table;
  }

  binaryThreshold(q: number): number {
    let tau = this.thresholds.get(q);
    if (tau === undefined) {
      tau = quantileThreshold(this.reward, q);
      this.thresholds.set(q, tau);
    }
    return tau;
  }
}

/**
 * Enumerates raw(y) for every sequence in index order (y_0 most significant): an iterative
 * depth-first odometer adds per-token terms, so the pass is additions only, and the V leaves
 * of each prefix are done in one loop. raw = ((prefix + a_L·L[T−1][v]) + a_C·C[y_{T−2}][v]) + glo[d],
 * the order scoreSequence uses. Writes [min, max, Σ raw, Σ raw²] into `stats`.
 */
function enumerateRaw(V: number, T: number, wl: Float64Array, wc: Float64Array, glo: Float64Array, stats: Float64Array): void {
  enumerateRawInto(V, T, wl, wc, glo, stats, new Float64Array(T), new Int32Array(T), new Int32Array(T));
}

/*
 * The pass runs once per task, so V8 optimizes it on-stack while its first call is still looping.
 * Code that has not run by then (an allocation before the loop, stores after it) has no type
 * feedback and made the optimized code bail out at every call, leaving most of each pass to the
 * interpreter (about 30 ns per sequence instead of a few). Hence scratch comes from the caller and
 * the statistics are stored inside the loop.
 */
function enumerateRawInto(
  V: number, T: number, wl: Float64Array, wc: Float64Array, glo: Float64Array, stats: Float64Array,
  acc: Float64Array, masks: Int32Array, ys: Int32Array,
): void {
  acc[0] = 0;
  masks[0] = 0;
  ys[0] = 0;
  const last = T - 1;
  const lrow = last * V;
  let depth = 0;
  let mn = Infinity;
  let mx = -Infinity;
  let sum = 0;
  let sq = 0;
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
    // Leaves: T ≥ 2, so the last position always has a previous token.
    const base = acc[last]!;
    const m = masks[last]!;
    const crow = ys[last - 1]! * V;
    const pc = popcount(m);
    for (let v = 0; v < V; v++) {
      const r = base + wl[lrow + v]! + wc[crow + v]! + glo[pc + (((m >>> v) & 1) ^ 1)]!;
      if (r < mn) mn = r;
      if (r > mx) mx = r;
      sum += r;
      sq += r * r;
    }
    stats[0] = mn;
    stats[1] = mx;
    stats[2] = sum;
    stats[3] = sq;
    depth--;
    while (depth >= 0) {
      ys[depth]!++;
      if (ys[depth]! < V) break;
      depth--;
    }
    if (depth < 0) return;
  }
}

/**
 * R of every sequence in index order, `(raw − rawMin)/rawRange` with raw summed exactly as in
 * {@link enumerateRawInto} (and scoreSequence), so table entries match scoreSequence bit for bit.
 *
 * The odometer walk is written out again here rather than shared through a per-leaf
 * callback: a callback in this 262,144-leaf loop kept V8 from optimizing it (measured
 * with --trace-deopt; see docs/method.md, "Cost of one run").
 */
function fillReward(
  V: number, T: number, wl: Float64Array, wc: Float64Array, glo: Float64Array, rawMin: number, rawRange: number,
  out: Float64Array, acc: Float64Array, masks: Int32Array, ys: Int32Array,
): void {
  acc[0] = 0;
  masks[0] = 0;
  ys[0] = 0;
  const last = T - 1;
  const lrow = last * V;
  let idx = 0;
  let depth = 0;
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
    const base = acc[last]!;
    const m = masks[last]!;
    const crow = ys[last - 1]! * V;
    const pc = popcount(m);
    for (let v = 0; v < V; v++) {
      out[idx++] = (base + wl[lrow + v]! + wc[crow + v]! + glo[pc + (((m >>> v) & 1) ^ 1)]! - rawMin) / rawRange;
    }
    depth--;
    while (depth >= 0) {
      ys[depth]!++;
      if (ys[depth]! < V) break;
      depth--;
    }
    if (depth < 0) return;
  }
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
  // Each pass is its own small function: see enumerateRawInto on on-stack optimization.
  const lo = minOf(values);
  const hi = maxOf(values);
  if (!(hi > lo)) return lo;
  const B = Math.max(1, Math.min(65536, n >>> 6));
  const scale = B / (hi - lo);
  const last = B - 1;
  const counts = new Int32Array(B);
  histogram(values, lo, scale, last, counts);
  let before = 0;
  let b = 0;
  while (before + counts[b]! < k) before += counts[b++]!;
  const bucket = new Float64Array(counts[b]!);
  collectBin(values, lo, scale, last, b, bucket);
  return select(bucket, k - before - 1);
}

function minOf(values: Float64Array): number {
  let lo = Infinity;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x < lo) lo = x;
  }
  return lo;
}

function maxOf(values: Float64Array): number {
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x > hi) hi = x;
  }
  return hi;
}

// bin(x) = min(B − 1, ⌊(x − lo)·scale⌋); 0 ≤ (x − lo)·scale ≤ B < 2^31, so `| 0` is the floor.
function histogram(values: Float64Array, lo: number, scale: number, last: number, counts: Int32Array): void {
  for (let i = 0; i < values.length; i++) {
    const j = ((values[i]! - lo) * scale) | 0;
    counts[j > last ? last : j]!++;
  }
}

function collectBin(values: Float64Array, lo: number, scale: number, last: number, b: number, bucket: Float64Array): void {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    const j = ((x - lo) * scale) | 0;
    if ((j > last ? last : j) === b) bucket[m++] = x;
  }
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
  // The global term gc·(d − d₀ − (V − d₀)/V) has two values per sequence, d₀ = d − 1 (a token seen once) and
  // d₀ = d: computed once each, with the same operations, instead of a division per token.
  const gOnce = gc * (1 - (V - (d - 1)) / V);
  const gMore = gc * (0 - (V - d) / V);
  for (let t = 0; t < T; t++) {
    const y = seqs[off + t]!;
    let g = loc[t * V + y]!;
    if (t > 0) g += row[seqs[off + t - 1]! * V + y]!;
    if (t < T - 1) g += col[y * V + seqs[off + t + 1]!]!;
    g += counts[y] === 1 ? gOnce : gMore;
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
