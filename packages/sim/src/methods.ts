import { Arena } from './arena.js';
import { kernelBuffer, kernels } from './wasm.js';
import type { Divergence, Feedback } from './config.js';
import { exp } from './libm.js';
import { ensureRow, rowOffset, type SoftmaxTables } from './policy.js';

/**
 * What a learning method may see of one step (spec §5): the sampled sequences
 * and the feedback, nothing of the task. Arrays are owned by the run and reused.
 */
export interface FeedbackBatch {
  readonly feedback: Feedback;
  readonly vocab: number;
  readonly length: number;
  readonly group: number;
  /** Token y_{i,t} at i·T + t. */
  readonly seqs: Int32Array;
  /** Scalar feedback f̂_i. */
  readonly fhat: Float64Array;
  /** Critique hints h_{i,t} at i·T + t (zeros for other channels). */
  readonly hints: Float64Array;
}

/** The student's current softmax tables (θ-shaped). */
export interface StudentView {
  readonly probs: Float64Array;
  readonly logProbs: Float64Array;
}

/** Population mean of a[0..n). */
export function mean(a: Float64Array, n: number, off = 0): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[off + i]!;
  return s / n;
}

/** Population std of a[0..n) (divide by n). */
export function popStd(a: Float64Array, n: number, off = 0): number {
  const m = mean(a, n, off);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = a[off + i]! - m;
    s += d * d;
  }
  return Math.sqrt(s / n);
}

/** s of spec §5: std of f̂ over the group, 1 where it is 0. */
export function feedbackScale(batch: FeedbackBatch): number {
  const s = popStd(batch.fhat, batch.group);
  return s === 0 ? 1 : s;
}

/** Fills adv[i·T + t] = A_i for every position of rollout i. */
function broadcast(seqAdv: Float64Array, G: number, T: number, adv: Float64Array): void {
  for (let i = 0; i < G; i++) {
    const a = seqAdv[i]!;
    for (let t = 0; t < T; t++) adv[i * T + t] = a;
  }
}

/** RLOO advantages A_i = f̂_i − mean_{j≠i} f̂_j into seqAdv. */
export function rlooAdvantages(batch: FeedbackBatch, seqAdv: Float64Array): void {
  const G = batch.group;
  let sum = 0;
  for (let i = 0; i < G; i++) sum += batch.fhat[i]!;
  for (let i = 0; i < G; i++) {
    const f = batch.fhat[i]!;
    seqAdv[i] = f - (sum - f) / (G - 1);
  }
}

/** GRPO advantages A_i = (f̂_i − mean f̂)/(s + 1e−6) into seqAdv. */
export function grpoAdvantages(batch: FeedbackBatch, seqAdv: Float64Array): void {
  const G = batch.group;
  const m = mean(batch.fhat, G);
  const s = feedbackScale(batch);
  for (let i = 0; i < G; i++) seqAdv[i] = (batch.fhat[i]! - m) / (s + 1e-6);
}

/** REINFORCE advantages A_i = f̂_i − b into seqAdv. */
export function reinforceAdvantages(batch: FeedbackBatch, baseline: number, seqAdv: Float64Array): void {
  for (let i = 0; i < batch.group; i++) seqAdv[i] = batch.fhat[i]! - baseline;
}

/**
 * Per-token advantages of the sequence-level methods and hint-reinforce into
 * adv[i·T + t]; `seqAdv` is scratch of length G.
 */
export function sequenceAdvantages(
  method: 'reinforce' | 'rloo' | 'grpo' | 'hint-reinforce', batch: FeedbackBatch, baseline: number, seqAdv: Float64Array, adv: Float64Array,
): void {
  const G = batch.group;
  const T = batch.length;
  switch (method) {
    case 'reinforce':
      reinforceAdvantages(batch, baseline, seqAdv);
      break;
    case 'grpo':
      grpoAdvantages(batch, seqAdv);
      break;
    case 'rloo':
    case 'hint-reinforce':
      rlooAdvantages(batch, seqAdv);
      break;
  }
  broadcast(seqAdv, G, T, adv);
  if (method === 'hint-reinforce' && batch.feedback === 'critique') {
    for (let i = 0; i < G; i++) {
      const hm = mean(batch.hints, T, i * T);
      for (let t = 0; t < T; t++) adv[i * T + t]! += batch.hints[i * T + t]! - hm;
    }
  }
}

/**
 * Policy-gradient loss gradient (spec §5): grad = (1/G)·Σ_i Σ_t −A_{i,t}·(1[w = y_t] − π_w)
 * at the visited state rows; grad is overwritten.
 */
export function policyGradient(batch: FeedbackBatch, student: StudentView, adv: Float64Array, grad: Float64Array): void {
  grad.fill(0);
  const G = batch.group;
  const T = batch.length;
  const V = batch.vocab;
  const scale = 1 / G;
  const probs = student.probs;
  for (let i = 0; i < G; i++) {
    let p = V;
    for (let t = 0; t < T; t++) {
      const y = batch.seqs[i * T + t]!;
      const off = rowOffset(V, t, p);
      // Inlined addPolicyGrad: −A·(1[w = y] − π_w), scaled by 1/G.
      const a = scale * adv[i * T + t]!;
      for (let w = 0; w < V; w++) grad[off + w]! += a * probs[off + w]!;
      grad[off + y]! -= a;
      p = y;
    }
  }
}

/**
 * Spec §5 masking: a rollout with no better peer (`peer < 0`) and an own-evidence
 * coefficient of exactly 0 at every position adds no loss and no advantage.
 */
function isMasked(peer: number, own: Float64Array, i: number, T: number): boolean {
  if (peer >= 0) return false;
  for (let t = 0; t < T; t++) if (own[i * T + t] !== 0) return false;
  return true;
}

/** Settings of the self-teacher. */
export interface TeacherSettings {
  readonly kappa: number;
  readonly divergence: Divergence;
  readonly jsdBeta: number;
}

/** Scratch rows for {@link sdpoGradient} (allocate once per run). */
export interface SdpoScratch {
  readonly q: Float64Array;
  /** The two teacher logit shifts of one (i, t). */
  readonly shifts: Float64Array;
  /** Per-token log-ratio ℓ of the divergence gradient. */
  readonly jsd: Float64Array;
  readonly logQ: Float64Array;
  /** Per-rollout best peer index (−1: none). */
  readonly peer: Int32Array;
  /** Per-rollout ρ_i. */
  readonly rho: Float64Array;
  /**
   * Reverse KL: per rollout e^{κ·ρ_i} (0 without a better peer or above a shift of 700), taken with ρ so
   * that the exp is inlined there, not left a call (boxing its double) by the per-token loop's inlining budget.
   */
  readonly eDemo: Float64Array;
  /** Per-(i,t) own-evidence coefficient. */
  readonly own: Float64Array;
  /**
   * Reverse-KL per-row accumulators, indexed by policy row (t·(V+1) + p): unmasked visits n_r
   * (0 = row not touched this call), Σ of the rows' shift means c, and D_r = Σ_u π_u(log π_u − log π'_u).
   */
  readonly rowN: Float64Array;
  readonly rowC: Float64Array;
  readonly rowD: Float64Array;
  /** Σ_u π'_u of the teacher row (1 up to rounding). */
  readonly rowMass: Float64Array;
  /** Rows touched by the current call, in first-visit order. */
  readonly touched: Int32Array;
}

/** Allocates scratch for {@link sdpoGradient}. */
export function createSdpoScratch(V: number, T: number, G: number, arena = new Arena(8 * (4 * V + 2 + 3 * G + G * T + 4 * T * (V + 1)) + 4 * (G + Math.min(G * T, T * (V + 1))) + 128)): SdpoScratch {
  return {
    q: arena.f64(V), logQ: arena.f64(V), jsd: arena.f64(V), shifts: arena.f64(2),
    peer: arena.i32(G), rho: arena.f64(G), eDemo: arena.f64(G), own: arena.f64(G * T),
    rowN: arena.f64(T * (V + 1)), rowC: arena.f64(T * (V + 1)), rowD: arena.f64(T * (V + 1)),
    rowMass: arena.f64(T * (V + 1)),
    touched: arena.i32(Math.min(G * T, T * (V + 1))),
  };
}

/**
 * Teacher distribution q = softmax(θ'_row + shift) where the shift is nonzero on at
 * most two tokens (`a` by shifts[0], `b` by shifts[1]; −1 = absent; a = b adds up). Reuses the
 * row's cached softmax π' = softmax(θ'_row): q(v) ∝ π'(v)·e^{shift_v}, so only the
 * shifted entries need an exp. Stable for any shift size: the unshifted mass is summed
 * directly rather than by subtraction, and a shift above 700 is factored out of the
 * normalizer before exponentiation.
 */
export function shiftedSoftmax(
  tp: Float64Array, tlp: Float64Array, off: number, V: number, a: number, b: number, shifts: Float64Array,
  q: Float64Array, logQ: Float64Array, needQ = true,
): void {
  // Shifts come in an array: doubles passed as arguments to a call V8 does not inline are boxed on the heap.
  let sa = shifts[0]!;
  let sb = shifts[1]!;
  if (a >= 0 && a === b) {
    sa += sb;
    b = -1;
  }
  if (a < 0) {
    a = b;
    sa = sb;
    b = -1;
  }
  let rest = 0;
  for (let v = 0; v < V; v++) if (v !== a && v !== b) rest += tp[off + v]!;
  // z = Z·e^{−M}: unshifted mass scaled by e^{−M}, shifted entries as π'(v)·e^{s_v − M}.
  // Every term is positive, so no cancellation; M only guards e^{s} against overflow
  // and stays 0 (saving an exp) unless a shift exceeds 700.
  let M = 0;
  if (a >= 0 && sa > 700) M = sa;
  if (b >= 0 && sb > 700 && sb > M) M = sb;
  const scaleRest = M > 0 ? exp(-M) : 1;
  const ea = a >= 0 ? exp(tlp[off + a]! + sa - M) : 0;
  const eb = b >= 0 ? exp(tlp[off + b]! + sb - M) : 0;
  const z = rest * scaleRest + ea + eb;
  if (!(z > 0)) {
    // Everything underflowed (a near-one-hot π' shifted far down): take the max-shifted softmax of log π' + shift.
    generalShiftedSoftmax(tlp, off, V, a, sa, b, sb, q, logQ);
    return;
  }
  const logZ = M + Math.log(z);
  const invZ = scaleRest / z;
  for (let v = 0; v < V; v++) logQ[v] = tlp[off + v]! - logZ;
  if (a >= 0) logQ[a]! += sa;
  if (b >= 0) logQ[b]! += sb;
  // Reverse KL needs log q only.
  if (!needQ) return;
  for (let v = 0; v < V; v++) q[v] = tp[off + v]! * invZ;
  if (a >= 0) q[a] = ea / z;
  if (b >= 0) q[b] = eb / z;
}

/** log Σ_v exp(log π'(v) + shift_v), max-shifted (the rare fallback when the fast normalizer underflows). */
function generalLogZ(tlp: Float64Array, off: number, V: number, a: number, sa: number, b: number, sb: number): number {
  let mx = -Infinity;
  for (let v = 0; v < V; v++) {
    const x = tlp[off + v]! + (v === a ? sa : 0) + (v === b ? sb : 0);
    if (x > mx) mx = x;
  }
  let sum = 0;
  for (let v = 0; v < V; v++) sum += exp(tlp[off + v]! + (v === a ? sa : 0) + (v === b ? sb : 0) - mx);
  return mx + Math.log(sum);
}

function generalShiftedSoftmax(
  tlp: Float64Array, off: number, V: number, a: number, sa: number, b: number, sb: number, q: Float64Array, logQ: Float64Array,
): void {
  let mx = -Infinity;
  for (let v = 0; v < V; v++) {
    const x = tlp[off + v]! + (v === a ? sa : 0) + (v === b ? sb : 0);
    logQ[v] = x;
    if (x > mx) mx = x;
  }
  let sum = 0;
  for (let v = 0; v < V; v++) sum += exp(logQ[v]! - mx);
  const lse = mx + Math.log(sum);
  for (let v = 0; v < V; v++) {
    logQ[v]! -= lse;
    q[v] = exp(logQ[v]!);
  }
}

/**
 * The SDPO self-teacher and its distillation gradient (spec §5). It receives the
 * batch (sequences and feedback), the student's tables and the EMA teacher's
 * logits θ' with their softmax cache — never the task. Overwrites `grad` with ∂/∂θ of
 * (1/G)·Σ_i Σ_t D(π(·|t,p) ‖ q_{i,t}) and `adv[i·T + t]` with log q(y_t) − log π(y_t)
 * (0 for masked rollouts). Returns D̄, the mean KL(π‖q) over the unmasked
 * visited (i, t), or NaN when every rollout is masked. The student's rows for the
 * visited states must be current (sampling makes them so).
 */
export function sdpoGradient(
  batch: FeedbackBatch, student: StudentView, teacher: SoftmaxTables, settings: TeacherSettings,
  scratch: SdpoScratch, grad: Float64Array, adv: Float64Array,
): number {
  grad.fill(0);
  const G = batch.group;
  const T = batch.length;
  const { fhat, hints } = batch;
  const { peer, rho, own } = scratch;
  const s = feedbackScale(batch);
  const fMean = mean(fhat, G);
  const binary = batch.feedback === 'binary';
  const critique = batch.feedback === 'critique';

  // Demo evidence: the best strictly better peer, lowest index on ties.
  for (let i = 0; i < G; i++) {
    const fi = fhat[i]!;
    let d = -1;
    let best = fi;
    for (let j = 0; j < G; j++) {
      if (j === i) continue;
      const fj = fhat[j]!;
      if (fj > best) {
        best = fj;
        d = j;
      }
    }
    peer[i] = d;
    rho[i] = d < 0 ? 0 : binary ? 1 : (best - fi) / s;
  }
  const kappa = settings.kappa;
  const divergence = settings.divergence;
  if (divergence === 'reverse-kl') {
    const eDemo = scratch.eDemo;
    for (let i = 0; i < G; i++) {
      const demoShift = kappa * rho[i]!;
      eDemo[i] = peer[i]! >= 0 && demoShift <= 700 ? exp(demoShift) : 0;
    }
  }
  // Own evidence.
  if (critique) {
    const sh0 = popStd(hints, G * T);
    const sh = sh0 === 0 ? 1 : sh0;
    for (let i = 0; i < G; i++) {
      const hm = mean(hints, T, i * T);
      for (let t = 0; t < T; t++) own[i * T + t] = (hints[i * T + t]! - hm) / sh;
    }
  } else {
    for (let i = 0; i < G; i++) {
      const o = (fhat[i]! - fMean) / s;
      for (let t = 0; t < T; t++) own[i * T + t] = o;
    }
  }

  if (divergence === 'reverse-kl') return reverseKlRows(batch, student, teacher, kappa, scratch, grad, adv);
  return shiftedRows(batch, student, teacher, settings, scratch, grad, adv);
}

/**
 * The JSD and forward-KL part of {@link sdpoGradient}: per unmasked (i, t) the shifted teacher q, the gradient,
 * D̄'s KL and the advantage. A function of its own, so that sdpoGradient stays small enough for TurboFan to
 * inline what its preamble calls.
 */
function shiftedRows(
  batch: FeedbackBatch, student: StudentView, teacher: SoftmaxTables, settings: TeacherSettings,
  scratch: SdpoScratch, grad: Float64Array, adv: Float64Array,
): number {
  const G = batch.group;
  const T = batch.length;
  const V = batch.vocab;
  const seqs = batch.seqs;
  const { q, logQ, peer, rho, own, shifts } = scratch;
  const ell = scratch.jsd;
  const kappa = settings.kappa;
  const divergence = settings.divergence;
  const beta = settings.jsdBeta;
  const pi = student.probs;
  const lp = student.logProbs;
  const tp = teacher.probs;
  const tlp = teacher.logProbs;
  const scale = 1 / G;
  const buf = kernelBuffer;
  if (buf !== null && teacher.kLogits >= 0 && teacher.stamp.buffer === buf && seqs.buffer === buf && peer.buffer === buf
    && rho.buffer === buf && own.buffer === buf && pi.buffer === buf && lp.buffer === buf && q.buffer === buf
    && logQ.buffer === buf && ell.buffer === buf && shifts.buffer === buf && grad.buffer === buf && adv.buffer === buf) {
    // The loop below in WebAssembly (kernels.wat, `divergenceRows`), bit for bit.
    return kernels!.divergenceRows(
      seqs.byteOffset, peer.byteOffset, rho.byteOffset, own.byteOffset, pi.byteOffset, lp.byteOffset, teacher.kLogits,
      teacher.kProbs, teacher.kLogProbs, teacher.stamp.byteOffset, teacher.version, q.byteOffset, logQ.byteOffset,
      ell.byteOffset, shifts.byteOffset, grad.byteOffset, adv.byteOffset, G, T, V, kappa, beta, divergence === 'jsd' ? 1 : 0,
    );
  }
  let klSum = 0;
  let klCount = 0;
  for (let i = 0; i < G; i++) {
    const d = peer[i]!;
    if (isMasked(d, own, i, T)) {
      adv.fill(0, i * T, i * T + T);
      continue;
    }
    const demoShift = kappa * rho[i]!;
    let p = V;
    for (let t = 0; t < T; t++) {
      const y = seqs[i * T + t]!;
      const r = t * (V + 1) + p;
      const off = r * V;
      ensureRow(teacher, V, r);
      shifts[0] = demoShift;
      shifts[1] = kappa * own[i * T + t]!;
      shiftedSoftmax(tp, tlp, off, V, d >= 0 ? seqs[d * T + t]! : -1, y, shifts, q, logQ, true);
      // D̄ is always KL(π‖q) = Σ π (log π − log q), whatever the loss.
      let kl = 0;
      if (divergence === 'jsd') {
        // Inlined addJsdGrad (same arithmetic): ℓ = log π − log M, gradient (1−β)·π_u(ℓ_u − Σπℓ).
        let jm = 0;
        for (let u = 0; u < V; u++) {
          const pu = pi[off + u]!;
          const lpu = lp[off + u]!;
          kl += pu * (lpu - logQ[u]!);
          const l = pu > 0 ? lpu - Math.log((1 - beta) * pu + beta * q[u]!) : 0;
          ell[u] = l;
          jm += pu * l;
        }
        const cj = scale * (1 - beta);
        for (let u = 0; u < V; u++) grad[off + u]! += cj * pi[off + u]! * (ell[u]! - jm);
      } else {
        for (let u = 0; u < V; u++) {
          const pu = pi[off + u]!;
          kl += pu * (lp[off + u]! - logQ[u]!);
          grad[off + u]! += scale * (pu - q[u]!);
        }
      }
      klSum += kl;
      klCount++;
      adv[i * T + t] = logQ[y]! - lp[off + y]!;
      p = y;
    }
  }
  return klCount > 0 ? klSum / klCount : NaN;
}

/**
 * The reverse-KL part of {@link sdpoGradient}, grouped by policy row. With d_u = log π_u − log π'_u,
 * D_r = Σ_u π_u·d_u and the teacher's log-normalizer log Z of one (i, t), log q_u = log π'_u + s_u − log Z
 * (s_u: the evidence shift of token u), so
 *   KL(π‖q) = D_r − Σ_u π_u·s_u + log Z, and ∂KL/∂θ_u = π_u(d_u − D_r) − π_u·s_u + π_u·Σ_w π_w·s_w.
 * The first term is the same for every visit of a row, so it is added once per row times the visit
 * count; the shifts touch at most two tokens. Per (i, t) this costs the normalizer (V additions, ≤ 2 exp,
 * 1 log) instead of four passes over the row; the result is the same function, rounded differently.
 * Returns D̄ (NaN when every rollout is masked).
 */
function reverseKlRows(
  batch: FeedbackBatch, student: StudentView, teacher: SoftmaxTables, kappa: number,
  scratch: SdpoScratch, grad: Float64Array, adv: Float64Array,
): number {
  const G = batch.group;
  const T = batch.length;
  const V = batch.vocab;
  const seqs = batch.seqs;
  const { peer, rho, own, rowN, rowC, rowD, rowMass, touched } = scratch;
  const eDemos = scratch.eDemo;
  const pi = student.probs;
  const lp = student.logProbs;
  const tp = teacher.probs;
  const tlp = teacher.logProbs;
  const buf = kernelBuffer;
  if (buf !== null && teacher.kLogits >= 0 && teacher.stamp.buffer === buf && seqs.buffer === buf && peer.buffer === buf
    && rho.buffer === buf && own.buffer === buf && rowN.buffer === buf && rowC.buffer === buf && rowD.buffer === buf
    && rowMass.buffer === buf && touched.buffer === buf && eDemos.buffer === buf && pi.buffer === buf && lp.buffer === buf
    && grad.buffer === buf && adv.buffer === buf) {
    // The same operations in WebAssembly (kernels.wat, `reverseKl`), bit for bit.
    return kernels!.reverseKl(
      seqs.byteOffset, peer.byteOffset, rho.byteOffset, own.byteOffset, rowN.byteOffset, rowC.byteOffset, rowD.byteOffset,
      rowMass.byteOffset, touched.byteOffset, eDemos.byteOffset, pi.byteOffset, lp.byteOffset, teacher.kLogits, teacher.kProbs,
      teacher.kLogProbs, teacher.stamp.byteOffset, teacher.version, grad.byteOffset, adv.byteOffset, G, T, V, kappa,
    );
  }
  const scale = 1 / G;
  let nTouched = 0;
  let klSum = 0;
  let klCount = 0;
  for (let i = 0; i < G; i++) {
    const d = peer[i]!;
    if (isMasked(d, own, i, T)) {
      adv.fill(0, i * T, i * T + T);
      continue;
    }
    const demoShift = kappa * rho[i]!;
    // e^{demo shift} is the same at every position: π'(a)·e^{s} replaces e^{log π'(a) + s} there.
    const eDemo = eDemos[i]!;
    let p = V;
    for (let t = 0; t < T; t++) {
      const y = seqs[i * T + t]!;
      const r = t * (V + 1) + p;
      const off = r * V;
      ensureRow(teacher, V, r);
      if (rowN[r] === 0) {
        let dr = 0;
        let mass = 0;
        for (let u = 0; u < V; u++) {
          dr += pi[off + u]! * (lp[off + u]! - tlp[off + u]!);
          mass += tp[off + u]!;
        }
        rowD[r] = dr;
        rowC[r] = 0;
        rowMass[r] = mass;
        touched[nTouched++] = r;
      }
      rowN[r]! += 1;
      // Shifted tokens: a (demo, by sa) and b (own, by sb); the same token adds up.
      let a = d >= 0 ? seqs[d * T + t]! : -1;
      let sa = demoShift;
      let b = y;
      let sb = kappa * own[i * T + t]!;
      let demoOnly = a >= 0;
      if (a === b) {
        sa += sb;
        b = -1;
        sb = 0;
        demoOnly = false;
      } else if (a < 0) {
        a = b;
        sa = sb;
        b = -1;
        sb = 0;
      }
      // Z·e^{−M} = unshifted mass + shifted entries π'(v)·e^{s_v − M}: all terms positive, no
      // cancellation; M guards e^{s} against overflow and stays 0 unless a shift exceeds 700.
      // When the shifted tokens hold at most half the mass, the rest is at least half and the
      // row total minus them loses no more than a few ulps; otherwise it is summed directly.
      const ta = tp[off + a]!;
      const tb = b >= 0 ? tp[off + b]! : 0;
      let rest = 0;
      if (ta + tb <= 0.5) rest = rowMass[r]! - ta - tb;
      else for (let v = 0; v < V; v++) if (v !== a && v !== b) rest += tp[off + v]!;
      let M = 0;
      if (sa > 700) M = sa;
      if (b >= 0 && sb > 700 && sb > M) M = sb;
      // The product form needs π'(a) in the normal range (a subnormal has lost relative precision).
      const ea = demoOnly && M === 0 && eDemo > 0 && ta > 1e-300 ? ta * eDemo : exp(tlp[off + a]! + sa - M);
      const eb = b >= 0 ? exp(tlp[off + b]! + sb - M) : 0;
      const z = (M > 0 ? rest * exp(-M) : rest) + ea + eb;
      // Everything underflowed (a near-one-hot π' shifted far down): max-shifted log-sum-exp instead.
      const logZ = z > 0 ? M + Math.log(z) : generalLogZ(tlp, off, V, a, sa, b, sb);
      const pa = pi[off + a]!;
      const pb = b >= 0 ? pi[off + b]! : 0;
      const c = pa * sa + pb * sb;
      klSum += rowD[r]! - c + logZ;
      klCount++;
      rowC[r]! += c;
      grad[off + a]! -= scale * pa * sa;
      if (b >= 0) grad[off + b]! -= scale * pb * sb;
      adv[i * T + t] = tlp[off + y]! + (y === a ? sa : sb) - logZ - lp[off + y]!;
      p = y;
    }
  }
  for (let k = 0; k < nTouched; k++) {
    const r = touched[k]!;
    const off = r * V;
    const n = rowN[r]!;
    const dr = rowD[r]!;
    const cr = rowC[r]!;
    for (let u = 0; u < V; u++) grad[off + u]! += scale * pi[off + u]! * (n * (lp[off + u]! - tlp[off + u]! - dr) + cr);
    rowN[r] = 0;
  }
  return klCount > 0 ? klSum / klCount : NaN;
}

/** Euclidean norm of a vector. */
export function norm(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

/**
 * Hybrid mix (spec §6): out = (α‖gS‖ + (1−α)‖gR‖)·m/‖m‖ with
 * m = α·gS/‖gS‖ + (1−α)·gR/‖gR‖. One zero part: out is the other part unchanged;
 * both zero, or m = 0 (exactly opposite directions at α = ½): out = 0.
 */
export function mixGradients(gS: Float64Array, gR: Float64Array, alpha: number, out: Float64Array): void {
  const nS = norm(gS);
  const nR = norm(gR);
  if (nS === 0) {
    out.set(gR);
    return;
  }
  if (nR === 0) {
    out.set(gS);
    return;
  }
  const a = alpha / nS;
  const b = (1 - alpha) / nR;
  let mm = 0;
  for (let i = 0; i < out.length; i++) {
    const x = a * gS[i]! + b * gR[i]!;
    out[i] = x;
    mm += x * x;
  }
  const nm = Math.sqrt(mm);
  if (nm === 0) {
    out.fill(0);
    return;
  }
  const k = (alpha * nS + (1 - alpha) * nR) / nm;
  for (let i = 0; i < out.length; i++) out[i]! *= k;
}

/** z-standardizes a[0..n) in place (population std); a constant vector becomes all zeros. */
export function standardize(a: Float64Array, n: number): void {
  const m = mean(a, n);
  const sd = popStd(a, n);
  for (let i = 0; i < n; i++) a[i] = sd > 0 ? (a[i]! - m) / sd : 0;
}

/**
 * Inserts x into the ascending sorted[0..n) (after any equal values), so that sorted[0..n+1)
 * is ascending; sorted must have room for n + 1 values. One insertion-sort step: a window
 * kept this way costs O(n) per value, where sorting a copy for each median cost O(n²).
 */
export function insertSorted(sorted: Float64Array, n: number, x: number): void {
  let j = n - 1;
  while (j >= 0 && sorted[j]! > x) {
    sorted[j + 1] = sorted[j]!;
    j--;
  }
  sorted[j + 1] = x;
}

/** Median of the ascending sorted[0..n), n ≥ 1 (mean of the two middle values for even n). */
export function sortedMedian(sorted: Float64Array, n: number): number {
  const h = n >>> 1;
  return n % 2 === 1 ? sorted[h]! : (sorted[h - 1]! + sorted[h]!) / 2;
}
