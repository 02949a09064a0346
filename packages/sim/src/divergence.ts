/**
 * Closed-form logit gradients of the distillation losses of spec §5, and the
 * losses themselves (for the finite-difference tests and for D̄).
 *
 * Every function works on one row of V entries inside caller-owned
 * Float64Arrays (`*Off` is the row's first index) and allocates nothing.
 * `pi`/`logPi` are the student's softmax and log-softmax; `q`/`logQ` the teacher's.
 * Gradients are ADDED, times `scale`, into `grad` (so callers can sum over a batch).
 */

import { exp } from './libm.js';

/** KL(π‖q) in nats. */
export function reverseKl(pi: Float64Array, logPi: Float64Array, piOff: number, q: Float64Array, logQ: Float64Array, qOff: number, V: number): number {
  let s = 0;
  for (let u = 0; u < V; u++) {
    const p = pi[piOff + u]!;
    if (p > 0) s += p * (logPi[piOff + u]! - logQ[qOff + u]!);
  }
  return s;
}

/** KL(q‖π) in nats. */
export function forwardKl(pi: Float64Array, logPi: Float64Array, piOff: number, q: Float64Array, logQ: Float64Array, qOff: number, V: number): number {
  let s = 0;
  for (let u = 0; u < V; u++) {
    const r = q[qOff + u]!;
    if (r > 0) s += r * (logQ[qOff + u]! - logPi[piOff + u]!);
  }
  return s;
}

/** JSD_β = (1−β)·KL(π‖M) + β·KL(q‖M), M = (1−β)π + βq, in nats. */
export function jsd(pi: Float64Array, logPi: Float64Array, piOff: number, q: Float64Array, logQ: Float64Array, qOff: number, V: number, beta: number): number {
  let s = 0;
  for (let u = 0; u < V; u++) {
    const p = pi[piOff + u]!;
    const r = q[qOff + u]!;
    const m = (1 - beta) * p + beta * r;
    if (m <= 0) continue;
    const logM = Math.log(m);
    if (p > 0) s += (1 - beta) * p * (logPi[piOff + u]! - logM);
    if (r > 0) s += beta * r * (logQ[qOff + u]! - logM);
  }
  return s;
}

/** Adds scale·∂KL(π‖q)/∂θ_u = scale·π_u(ℓ_u − Σ_w π_w ℓ_w), ℓ = log π − log q, to grad[gOff + u]. */
export function addReverseKlGrad(
  pi: Float64Array, logPi: Float64Array, piOff: number, q: Float64Array, logQ: Float64Array, qOff: number,
  V: number, scale: number, grad: Float64Array, gOff: number,
): void {
  let mean = 0;
  for (let u = 0; u < V; u++) mean += pi[piOff + u]! * (logPi[piOff + u]! - logQ[qOff + u]!);
  for (let u = 0; u < V; u++) {
    const p = pi[piOff + u]!;
    grad[gOff + u]! += scale * p * (logPi[piOff + u]! - logQ[qOff + u]! - mean);
  }
}

/** Adds scale·∂KL(q‖π)/∂θ_u = scale·(π_u − q_u) to grad[gOff + u]. */
export function addForwardKlGrad(pi: Float64Array, piOff: number, q: Float64Array, qOff: number, V: number, scale: number, grad: Float64Array, gOff: number): void {
  for (let u = 0; u < V; u++) grad[gOff + u]! += scale * (pi[piOff + u]! - q[qOff + u]!);
}

/**
 * Adds scale·∂JSD_β/∂θ_u = scale·(1−β)·π_u(ℓ_u − Σ_w π_w ℓ_w), ℓ = log π − log M, to grad[gOff + u].
 * `scratch` (length ≥ V) holds ℓ so each log M is taken once.
 */
export function addJsdGrad(
  pi: Float64Array, logPi: Float64Array, piOff: number, q: Float64Array, qOff: number,
  V: number, beta: number, scale: number, grad: Float64Array, gOff: number, scratch: Float64Array = new Float64Array(V),
): void {
  let mean = 0;
  for (let u = 0; u < V; u++) {
    const p = pi[piOff + u]!;
    // An underflowed π_u contributes nothing (and would make log M = −∞ when q_u is 0 too).
    const l = p > 0 ? logPi[piOff + u]! - Math.log((1 - beta) * p + beta * q[qOff + u]!) : 0;
    scratch[u] = l;
    mean += p * l;
  }
  const c = scale * (1 - beta);
  for (let u = 0; u < V; u++) grad[gOff + u]! += c * pi[piOff + u]! * (scratch[u]! - mean);
}

/** Adds the policy-gradient term scale·∂(−A·log π(y))/∂θ_w = −scale·A·(1[w = y] − π_w) to grad[gOff + w]. */
export function addPolicyGrad(pi: Float64Array, piOff: number, y: number, advantage: number, V: number, scale: number, grad: Float64Array, gOff: number): void {
  const a = scale * advantage;
  for (let w = 0; w < V; w++) grad[gOff + w]! += a * pi[piOff + w]!;
  grad[gOff + y]! -= a;
}

/** Softmax and log-softmax of logits[off..off+V) into probs/logProbs at outOff (max-shifted). */
export function softmaxRow(logits: Float64Array, off: number, V: number, probs: Float64Array, logProbs: Float64Array, outOff: number): void {
  let mx = -Infinity;
  for (let u = 0; u < V; u++) {
    const x = logits[off + u]!;
    if (x > mx) mx = x;
  }
  let s = 0;
  for (let u = 0; u < V; u++) {
    const e = exp(logits[off + u]! - mx);
    probs[outOff + u] = e;
    s += e;
  }
  const lse = Math.log(s);
  const inv = 1 / s;
  for (let u = 0; u < V; u++) {
    probs[outOff + u]! *= inv;
    logProbs[outOff + u] = logits[off + u]! - mx - lse;
  }
}
