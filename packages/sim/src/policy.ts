import { Arena } from './arena.js';
import { kernelBuffer, kernels } from './wasm.js';
import { softmaxRow } from './divergence.js';
import type { Rng } from './prng.js';
import type { Task } from './task.js';

/**
 * The tabular autoregressive policy of spec §3. Logits θ[t][p][v] live in one
 * Float64Array at `((t·(V+1)) + p)·V + v`, p ∈ 0..V−1 or BOS = V.
 */
export interface PolicyShape {
  readonly vocab: number;
  readonly length: number;
}

/** Offset of row (t, p) in a θ-shaped array. */
export function rowOffset(V: number, t: number, p: number): number {
  return (t * (V + 1) + p) * V;
}

/** Number of entries of a θ-shaped array: T·(V+1)·V. */
export function policySize(V: number, T: number): number {
  return T * (V + 1) * V;
}

/** Softmax of every row of θ into probs/logProbs (all θ-shaped). */
export function computeProbs(theta: Float64Array, V: number, T: number, probs: Float64Array, logProbs: Float64Array): void {
  const rows = T * (V + 1);
  for (let r = 0; r < rows; r++) softmaxRow(theta, r * V, V, probs, logProbs, r * V);
}

/**
 * Logits with lazily refreshed softmax tables: a row's softmax is recomputed only
 * when the row is used after the logits changed (`version` bumped), so a step
 * pays for the states it visits, not for all T·(V+1) rows.
 */
export interface SoftmaxTables {
  readonly logits: Float64Array;
  readonly probs: Float64Array;
  readonly logProbs: Float64Array;
  /** Version at which each row's softmax was computed (−1: never). */
  readonly stamp: Int32Array;
  version: number;
  /**
   * Byte offsets of logits, probs and logProbs in the WebAssembly kernels' memory when all three lie there (the
   * kernels then compute the softmaxes, bit for bit the same), else −1.
   */
  readonly kLogits: number;
  readonly kProbs: number;
  readonly kLogProbs: number;
}

/** Tables for θ-shaped `logits` (all rows stale). */
export function createSoftmaxTables(logits: Float64Array, V: number, T: number, arena = new Arena(8 * 3 * logits.length + 4 * T * (V + 1) + 64)): SoftmaxTables {
  const probs = arena.f64(logits.length);
  const logProbs = arena.f64(logits.length);
  const inKernels = kernelBuffer !== null && logits.buffer === kernelBuffer && probs.buffer === kernelBuffer
    && logProbs.buffer === kernelBuffer;
  return {
    logits, probs, logProbs, stamp: arena.i32(T * (V + 1)).fill(-1), version: 0,
    kLogits: inKernels ? logits.byteOffset : -1, kProbs: inKernels ? probs.byteOffset : -1,
    kLogProbs: inKernels ? logProbs.byteOffset : -1,
  };
}

/** Makes the softmax of row r = t·(V+1) + p (entries from r·V) current. */
export function ensureRow(tab: SoftmaxTables, V: number, r: number): void {
  if (tab.stamp[r] !== tab.version) {
    const off = r * V;
    if (tab.kLogits >= 0) kernels!.softmax(tab.kLogits + 8 * off, tab.kProbs + 8 * off, tab.kLogProbs + 8 * off, V);
    else softmaxRow(tab.logits, off, V, tab.probs, tab.logProbs, off);
    tab.stamp[r] = tab.version;
  }
}

/** Makes every reachable row current (before exact metrics). */
export function ensureReachable(tab: SoftmaxTables, V: number, T: number): void {
  ensureRow(tab, V, V); // t = 0, p = BOS
  for (let t = 1; t < T; t++) for (let p = 0; p < V; p++) ensureRow(tab, V, t * (V + 1) + p);
}

/**
 * Samples G sequences into seqs[i·T + t]: one uniform per token from `rng`,
 * rollout-major then position, inverse CDF over v = 0..V−1 (the last token
 * takes any rounding remainder). `uniforms` is scratch of length ≥ G·T.
 * Given `also` (the EMA teacher's tables, same shape), every row the sampling visits is
 * made current in `also` as well.
 */
export function sampleSequences(
  rng: Rng, tab: SoftmaxTables, V: number, T: number, G: number, seqs: Int32Array, uniforms: Float64Array, also?: SoftmaxTables,
): void {
  const probs = tab.probs;
  rng.fillUniform(uniforms, 0, G * T);
  for (let i = 0; i < G; i++) {
    let p = V;
    for (let t = 0; t < T; t++) {
      const r = t * (V + 1) + p;
      const off = r * V;
      ensureRow(tab, V, r);
      if (also !== undefined) ensureRow(also, V, r);
      const u = uniforms[i * T + t]!;
      let c = 0;
      let v = 0;
      for (; v < V - 1; v++) {
        c += probs[off + v]!;
        if (u < c) break;
      }
      seqs[i * T + t] = v;
      p = v;
    }
  }
}

/**
 * Adam (β1 0.9, β2 0.999, ε 1e-8, bias-corrected) on the reachable rows only;
 * `step` is the 1-based update count. Unreachable rows never get a gradient, so
 * skipping them is exact: they stay 0. Given `teacher`, the same sweep then moves the
 * EMA teacher, θ' ← (1 − emaRate)·θ' + emaRate·θ, with the updated θ (one pass over
 * the entries instead of two; the unreachable rows are 0 in both).
 */
export function adamStep(
  theta: Float64Array, grad: Float64Array, m: Float64Array, v: Float64Array, step: number, lr: number, V: number, T: number,
  teacher?: Float64Array, emaRate = 0,
): void {
  const b1 = 0.9;
  const b2 = 0.999;
  const c1 = 1 - b1 ** step;
  const c2 = 1 - b2 ** step;
  const a = lr / c1;
  const ic2 = 1 / c2;
  const buf = kernelBuffer;
  if (buf !== null && theta.buffer === buf && grad.buffer === buf && m.buffer === buf && v.buffer === buf
    && (teacher === undefined || teacher.buffer === buf)) {
    // The same operations two entries at a time (kernels.wat, `adam`): bit-identical, about twice as fast.
    kernels!.adam(
      theta.byteOffset, grad.byteOffset, m.byteOffset, v.byteOffset, teacher === undefined ? 0 : teacher.byteOffset,
      V, T, a, ic2, emaRate, teacher === undefined ? 0 : 1,
    );
    return;
  }
  for (let t = 0; t < T; t++) {
    // Row block of position t: the BOS row at t = 0, the V token rows after.
    const from = t === 0 ? rowOffset(V, 0, V) : rowOffset(V, t, 0);
    const to = t === 0 ? from + V : from + V * V;
    for (let i = from; i < to; i++) {
      const g = grad[i]!;
      const mi = b1 * m[i]! + (1 - b1) * g;
      const vi = b2 * v[i]! + (1 - b2) * g * g;
      m[i] = mi;
      v[i] = vi;
      const th = theta[i]! - (a * mi) / (Math.sqrt(vi * ic2) + 1e-8);
      theta[i] = th;
      if (teacher !== undefined) teacher[i] = (1 - emaRate) * teacher[i]! + emaRate * th;
    }
  }
}

/** Scratch space for the exact metrics (allocate once per run). */
export interface ExactScratch {
  /** State marginals μ_t(p), t = 1..T, at (t−1)·V + p. */
  readonly marg: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
}

/** Allocates scratch for {@link exactMetrics}. */
export function createExactScratch(V: number, T: number, arena = new Arena(8 * (T * V + 2 * V) + 64)): ExactScratch {
  return { marg: arena.f64(T * V), a: arena.f64(V), b: arena.f64(V) };
}

/** Exact policy metrics (spec §7). */
export interface ExactMetrics {
  /** E_π[R]. */
  reward: number;
  /** H(Y)/T in nats per token. */
  entropy: number;
  /** max_y π(y). */
  topSequenceProb: number;
}

/**
 * Exact E_π[R], H(Y)/T and the top-sequence probability by forward recursions
 * over the Markov policy (no enumeration):
 * - token marginals μ_{t+1}(v) = Σ_p μ_t(p)·π(v|t,p), μ_0 = δ_BOS;
 * - E[loc] = Σ_t Σ_v μ_{t+1}(v)·L[t][v]; E[coh] = Σ_{t≥1} Σ_{p,v} μ_t(p)·π(v|t,p)·C[p][v];
 * - E[distinct] = Σ_v (1 − P(v never appears)), each P by the forward recursion restricted to states ≠ v;
 * - R is affine in (loc, coh, glo), so E[R] follows from the three expectations;
 * - H(Y) = Σ_t Σ_p μ_t(p)·H(π(·|t,p)) (chain rule); top probability by Viterbi (max-product).
 * Writes into `out` and returns it.
 */
export function exactMetrics(task: Task, probs: Float64Array, logProbs: Float64Array, scratch: ExactScratch, out: ExactMetrics): ExactMetrics {
  const V = task.vocab;
  const T = task.length;
  const { marg, a, b } = scratch;
  const L = task.local;
  const C = task.coherence;
  // Position 0 from BOS.
  const off0 = rowOffset(V, 0, V);
  let eLoc = 0;
  let eCoh = 0;
  let ent = 0;
  {
    let h = 0;
    for (let v = 0; v < V; v++) {
      const pv = probs[off0 + v]!;
      marg[v] = pv;
      eLoc += pv * L[v]!;
      h -= pv * logProbs[off0 + v]!;
    }
    ent += h;
  }
  for (let t = 1; t < T; t++) {
    const prev = (t - 1) * V;
    const cur = t * V;
    for (let v = 0; v < V; v++) marg[cur + v] = 0;
    for (let p = 0; p < V; p++) {
      const mp = marg[prev + p]!;
      const off = rowOffset(V, t, p);
      let h = 0;
      let c = 0;
      for (let v = 0; v < V; v++) {
        const pv = probs[off + v]!;
        marg[cur + v]! += mp * pv;
        h -= pv * logProbs[off + v]!;
        c += pv * C[p * V + v]!;
      }
      ent += mp * h;
      eCoh += mp * c;
    }
    for (let v = 0; v < V; v++) eLoc += marg[cur + v]! * L[t * V + v]!;
  }
  // E[distinct] via P(v never appears).
  let eDistinct = 0;
  for (let x = 0; x < V; x++) {
    for (let v = 0; v < V; v++) a[v] = v === x ? 0 : probs[off0 + v]!;
    for (let t = 1; t < T; t++) {
      // Column sums in a register: b_v = Σ_{p≠x} a_p·π(v|t,p) (a_x is 0), skipping v = x.
      // Four columns at a time share the a_p loads; each column still sums p = 0..V−1 in order. Column x is
      // computed with the others and then set to 0.
      const base = rowOffset(V, t, 0);
      let v = 0;
      for (; v + 3 < V; v += 4) {
        let acc0 = 0;
        let acc1 = 0;
        let acc2 = 0;
        let acc3 = 0;
        for (let p = 0; p < V; p++) {
          const ap = a[p]!;
          const q = base + p * V + v;
          acc0 += ap * probs[q]!;
          acc1 += ap * probs[q + 1]!;
          acc2 += ap * probs[q + 2]!;
          acc3 += ap * probs[q + 3]!;
        }
        b[v] = acc0;
        b[v + 1] = acc1;
        b[v + 2] = acc2;
        b[v + 3] = acc3;
      }
      for (; v < V; v++) {
        let acc = 0;
        for (let p = 0; p < V; p++) acc += a[p]! * probs[base + p * V + v]!;
        b[v] = acc;
      }
      b[x] = 0;
      for (let v = 0; v < V; v++) a[v] = b[v]!;
    }
    let never = 0;
    for (let v = 0; v < V; v++) never += a[v]!;
    eDistinct += 1 - never;
  }
  const eGlo = (eDistinct - 1) / (T - 1);
  const w = task.weights;
  const zl = task.locStd > 0 ? (eLoc - task.locMean) / task.locStd : 0;
  const zc = task.cohStd > 0 ? (eCoh - task.cohMean) / task.cohStd : 0;
  const zg = task.gloStd > 0 ? (eGlo - task.gloMean) / task.gloStd : 0;
  const eRaw = w.local * zl + w.coherence * zc + w.global * zg;
  out.reward = (eRaw - task.rawMin) / task.rawRange;
  out.entropy = ent / T;
  // Viterbi.
  for (let v = 0; v < V; v++) a[v] = probs[off0 + v]!;
  for (let t = 1; t < T; t++) {
    for (let v = 0; v < V; v++) b[v] = 0;
    for (let p = 0; p < V; p++) {
      const ap = a[p]!;
      const off = rowOffset(V, t, p);
      for (let v = 0; v < V; v++) {
        const x = ap * probs[off + v]!;
        if (x > b[v]!) b[v] = x;
      }
    }
    for (let v = 0; v < V; v++) a[v] = b[v]!;
  }
  let top = 0;
  for (let v = 0; v < V; v++) if (a[v]! > top) top = a[v]!;
  out.topSequenceProb = top;
  return out;
}
