import test from 'ava';
import {
  addForwardKlGrad, addJsdGrad, addPolicyGrad, addReverseKlGrad, forwardKl, jsd, reverseKl, softmaxRow,
} from './divergence.js';
import { Rng } from './prng.js';

type Loss = (logits: Float64Array) => number;

function softmax(logits: Float64Array): { p: Float64Array; lp: Float64Array } {
  const p = new Float64Array(logits.length);
  const lp = new Float64Array(logits.length);
  softmaxRow(logits, 0, logits.length, p, lp, 0);
  return { p, lp };
}

/** Largest |analytic − central difference| relative to the gradient's largest entry. */
function fdError(loss: Loss, logits: Float64Array, grad: Float64Array): number {
  const h = 1e-5;
  let maxErr = 0;
  let maxG = 0;
  for (let u = 0; u < logits.length; u++) {
    const x = Float64Array.from(logits);
    x[u] = logits[u]! + h;
    const up = loss(x);
    x[u] = logits[u]! - h;
    const down = loss(x);
    const fd = (up - down) / (2 * h);
    maxErr = Math.max(maxErr, Math.abs(fd - grad[u]!));
    maxG = Math.max(maxG, Math.abs(grad[u]!));
  }
  return maxErr / maxG;
}

function randomCase(rng: Rng, V: number): { logits: Float64Array; q: Float64Array; logQ: Float64Array } {
  const logits = new Float64Array(V);
  const tl = new Float64Array(V);
  for (let u = 0; u < V; u++) {
    logits[u] = 1.5 * rng.normal();
    tl[u] = 1.5 * rng.normal();
  }
  const { p: q, lp: logQ } = softmax(tl);
  return { logits, q, logQ };
}

const CASES = 40;

test('the reverse-KL logit gradient equals central finite differences of KL(π‖q)', (t) => {
  const rng = new Rng(11, 'test');
  for (let c = 0; c < CASES; c++) {
    const V = 3 + (c % 10);
    const { logits, q, logQ } = randomCase(rng, V);
    const { p, lp } = softmax(logits);
    const g = new Float64Array(V);
    addReverseKlGrad(p, lp, 0, q, logQ, 0, V, 1, g, 0);
    const loss: Loss = (x) => {
      const s = softmax(x);
      return reverseKl(s.p, s.lp, 0, q, logQ, 0, V);
    };
    t.true(fdError(loss, logits, g) <= 1e-6, `case ${c}`);
  }
});

test('the forward-KL logit gradient equals central finite differences of KL(q‖π)', (t) => {
  const rng = new Rng(12, 'test');
  for (let c = 0; c < CASES; c++) {
    const V = 3 + (c % 10);
    const { logits, q, logQ } = randomCase(rng, V);
    const { p } = softmax(logits);
    const g = new Float64Array(V);
    addForwardKlGrad(p, 0, q, 0, V, 1, g, 0);
    const loss: Loss = (x) => {
      const s = softmax(x);
      return forwardKl(s.p, s.lp, 0, q, logQ, 0, V);
    };
    t.true(fdError(loss, logits, g) <= 1e-6, `case ${c}`);
  }
});

test('the JSD logit gradient equals central finite differences of JSD_β for several β', (t) => {
  const rng = new Rng(13, 'test');
  for (let c = 0; c < CASES; c++) {
    const V = 3 + (c % 10);
    const beta = [0.1, 0.5, 0.9, 0.3][c % 4]!;
    const { logits, q, logQ } = randomCase(rng, V);
    const { p, lp } = softmax(logits);
    const g = new Float64Array(V);
    addJsdGrad(p, lp, 0, q, 0, V, beta, 1, g, 0);
    const loss: Loss = (x) => {
      const s = softmax(x);
      return jsd(s.p, s.lp, 0, q, logQ, 0, V, beta);
    };
    t.true(fdError(loss, logits, g) <= 1e-6, `case ${c} β=${beta}`);
  }
});

test('the policy-gradient logit gradient equals central finite differences of −A·log π(y)', (t) => {
  const rng = new Rng(14, 'test');
  for (let c = 0; c < CASES; c++) {
    const V = 3 + (c % 10);
    const { logits } = randomCase(rng, V);
    const y = c % V;
    const A = rng.normal();
    const { p } = softmax(logits);
    const g = new Float64Array(V);
    addPolicyGrad(p, 0, y, A, V, 1, g, 0);
    const loss: Loss = (x) => -A * softmax(x).lp[y]!;
    t.true(fdError(loss, logits, g) <= 1e-6, `case ${c}`);
  }
});

test('gradients accumulate with their scale into the given row offset', (t) => {
  const rng = new Rng(15, 'test');
  const V = 5;
  const { logits, q, logQ } = randomCase(rng, V);
  const { p, lp } = softmax(logits);
  const single = new Float64Array(V);
  addReverseKlGrad(p, lp, 0, q, logQ, 0, V, 1, single, 0);
  const big = new Float64Array(3 * V);
  addReverseKlGrad(p, lp, 0, q, logQ, 0, V, 0.25, big, V);
  addReverseKlGrad(p, lp, 0, q, logQ, 0, V, 0.25, big, V);
  for (let u = 0; u < V; u++) {
    t.is(big[u], 0);
    t.true(Math.abs(big[V + u]! - 0.5 * single[u]!) < 1e-15);
    t.is(big[2 * V + u], 0);
  }
});
