import test from 'ava';
import type { Feedback } from './config.js';
import { forwardKl, jsd, reverseKl, softmaxRow } from './divergence.js';
import { Rng } from './prng.js';
import {
  shiftedSoftmax,
  createSdpoScratch, grpoAdvantages, insertSorted, mixGradients, norm, policyGradient, rlooAdvantages, sdpoGradient,
  sequenceAdvantages, sortedMedian, type FeedbackBatch,
} from './methods.js';
import { computeProbs, createSoftmaxTables, policySize, rowOffset } from './policy.js';

const V = 3;
const T = 2;

function batch(feedback: Feedback, fhat: number[], seqs: number[], hints?: number[], vocab = V, length = T): FeedbackBatch {
  const G = fhat.length;
  return {
    feedback, vocab, length, group: G,
    seqs: Int32Array.from(seqs), fhat: Float64Array.from(fhat), hints: Float64Array.from(hints ?? new Array<number>(G * T).fill(0)),
  };
}

function uniformStudent(): { probs: Float64Array; logProbs: Float64Array; theta: Float64Array } {
  const theta = new Float64Array(policySize(V, T));
  const probs = new Float64Array(theta.length);
  const logProbs = new Float64Array(theta.length);
  computeProbs(theta, V, T, probs, logProbs);
  return { theta, probs, logProbs };
}

const settings = { kappa: Math.log(V - 1), divergence: 'reverse-kl', jsdBeta: 0.5 } as const;

test('rloo and grpo advantages follow their leave-one-out and standardized definitions', (t) => {
  const b = batch('continuous', [0.2, 0.5, 0.8, 0.5], new Array<number>(8).fill(0));
  const a = new Float64Array(4);
  rlooAdvantages(b, a);
  t.true(Math.abs(a[0]! - (0.2 - 0.6)) < 1e-15);
  t.true(Math.abs(a[2]! - (0.8 - 0.4)) < 1e-15);
  grpoAdvantages(b, a);
  const sd = Math.sqrt((0.09 + 0 + 0.09 + 0) / 4);
  t.true(Math.abs(a[0]! - -0.3 / (sd + 1e-6)) < 1e-12);
  // A constant group has s = 1, so advantages are exactly 0.
  grpoAdvantages(batch('continuous', [0.4, 0.4], [0, 0, 0, 0]), a);
  t.is(a[0], 0);
});

test('hint-reinforce adds centred hints to RLOO only on the critique channel', (t) => {
  const adv = new Float64Array(4);
  const seqAdv = new Float64Array(2);
  sequenceAdvantages('hint-reinforce', batch('critique', [0.2, 0.6], [0, 1, 2, 0], [0.3, 0.1, -0.2, 0.2]), 0, seqAdv, adv);
  t.true(Math.abs(adv[0]! - (-0.4 + 0.1)) < 1e-15);
  t.true(Math.abs(adv[1]! - (-0.4 - 0.1)) < 1e-15);
  t.true(Math.abs(adv[2]! - (0.4 - 0.2)) < 1e-15);
  sequenceAdvantages('hint-reinforce', batch('continuous', [0.2, 0.6], [0, 1, 2, 0], [0.3, 0.1, -0.2, 0.2]), 0, seqAdv, adv);
  [-0.4, -0.4, 0.4, 0.4].forEach((x, k) => t.true(Math.abs(adv[k]! - x) < 1e-15));
});

test('sdpo masks a rollout with no better peer and zero own evidence, and its D̄ skips it', (t) => {
  const st = uniformStudent();
  const teacher = createSoftmaxTables(new Float64Array(st.theta.length), V, T);
  const grad = new Float64Array(st.theta.length);
  const adv = new Float64Array(4);
  // Binary: both fail → no better peer, own term (f − mean)/s = 0 → both masked.
  const allMasked = sdpoGradient(batch('binary', [0, 0], [0, 1, 2, 0]), st, teacher, settings, createSdpoScratch(V, T, 2), grad, adv);
  t.true(Number.isNaN(allMasked));
  t.is(norm(grad), 0);
  t.deepEqual([...adv], [0, 0, 0, 0]);
  // Critique with equal scores but informative hints: own evidence keeps rollouts unmasked.
  const d = sdpoGradient(batch('critique', [0.5, 0.5], [0, 1, 2, 0], [0.2, -0.2, 0, 0]), st, teacher, settings, createSdpoScratch(V, T, 2), grad, adv);
  t.true(d > 0);
  t.true(adv[0]! > 0 && adv[1]! < 0);
  t.is(adv[2], 0);
});

test('sdpo demo evidence comes from the best better peer, lowest index on ties, with ρ = 1 on binary', (t) => {
  const st = uniformStudent();
  const teacher = createSoftmaxTables(new Float64Array(st.theta.length), V, T);
  const grad = new Float64Array(st.theta.length);
  const adv = new Float64Array(6);
  // Rollout 0 fails; peers 1 and 2 pass with different first tokens; peer 1 (lowest index) is the demo.
  sdpoGradient(batch('binary', [0, 1, 1], [0, 0, 1, 1, 2, 2]), st, teacher, settings, createSdpoScratch(V, T, 3), grad, adv);
  // Teacher for rollout 0 at t=0: logits κ·1[v=1] (demo) + κ·(own = (0 − 2/3)/s)·1[v=0].
  const s = Math.sqrt(((2 / 3) ** 2 + 2 * (1 / 3) ** 2) / 3);
  const own = (0 - 2 / 3) / s;
  const k = settings.kappa;
  const logits = [k * own, k * 1, 0];
  const lse = Math.log(logits.reduce((a, x) => a + Math.exp(x), 0));
  t.true(Math.abs(adv[0]! - (logits[0]! - lse - Math.log(1 / 3))) < 1e-12);
  // The best rollout has no better peer but a positive own term: its sampled token is pushed up.
  t.true(adv[2]! > 0);
  const off = rowOffset(V, 0, V);
  t.true(grad[off + 1]! < 0, 'the demo token gains logit (negative loss gradient)');
});

test('the hybrid mix keeps the α-weighted norm and passes a lone nonzero part through unchanged', (t) => {
  const gS = Float64Array.from([3, 0, 4]);
  const gR = Float64Array.from([0, 2, 0]);
  const out = new Float64Array(3);
  mixGradients(gS, gR, 0.25, out);
  t.true(Math.abs(norm(out) - (0.25 * 5 + 0.75 * 2)) < 1e-12);
  const m = [0.25 * 0.6, 0.75, 0.25 * 0.8];
  const mn = Math.hypot(...m);
  for (let i = 0; i < 3; i++) t.true(Math.abs(out[i]! / norm(out) - m[i]! / mn) < 1e-12);
  mixGradients(new Float64Array(3), gR, 0.9, out);
  t.deepEqual(out, gR);
  mixGradients(gS, new Float64Array(3), 0.1, out);
  t.deepEqual(out, gS);
  mixGradients(new Float64Array(3), new Float64Array(3), 0.5, out);
  t.deepEqual([...out], [0, 0, 0]);
});

test('a window kept sorted by insertion gives the median of its values so far; an even count takes the mean of the two middle values', (t) => {
  const sorted = new Float64Array(4);
  [4, 1, 3].forEach((x, n) => insertSorted(sorted, n, x));
  t.is(sortedMedian(sorted, 3), 3);
  insertSorted(sorted, 3, 2);
  t.deepEqual([...sorted], [1, 2, 3, 4]);
  t.is(sortedMedian(sorted, 4), 2.5);
  // Against sorting a copy at every prefix, with ties and signed zeros.
  const rng = new Rng(5, 'median');
  const xs = Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? -0 : Math.round(rng.uniform() * 20) / 4));
  const window = new Float64Array(xs.length);
  xs.forEach((x, n) => {
    insertSorted(window, n, x);
    const a = xs.slice(0, n + 1).sort((p, q) => p - q);
    const h = a.length >> 1;
    t.is(sortedMedian(window, n + 1), a.length % 2 ? a[h]! : (a[h - 1]! + a[h]!) / 2, `after ${n + 1}`);
  });
});

test('the sparse-shift teacher softmax equals a full softmax of the shifted logits, even for huge shifts', (t) => {
  const rng = new Rng(21, 'test');
  const n = 6;
  const base = new Float64Array(n);
  const tp = new Float64Array(n);
  const tlp = new Float64Array(n);
  const full = new Float64Array(n);
  const fullP = new Float64Array(n);
  const fullLp = new Float64Array(n);
  const q = new Float64Array(n);
  const logQ = new Float64Array(n);
  for (let c = 0; c < 200; c++) {
    for (let v = 0; v < n; v++) base[v] = 3 * rng.normal();
    softmaxRow(base, 0, n, tp, tlp, 0);
    const a = c % 3 === 0 ? -1 : Math.floor(rng.uniform() * n);
    const b = c % 5 === 0 ? -1 : Math.floor(rng.uniform() * n);
    const big = c % 7 === 0 ? 800 : 3;
    const sa = big * rng.normal();
    const sb = big * rng.normal();
    full.set(base);
    if (a >= 0) full[a]! += sa;
    if (b >= 0) full[b]! += sb;
    softmaxRow(full, 0, n, fullP, fullLp, 0);
    shiftedSoftmax(tp, tlp, 0, n, a, b, Float64Array.of(sa, sb), q, logQ);
    for (let v = 0; v < n; v++) {
      t.true(Math.abs(q[v]! - fullP[v]!) < 1e-12, `q case ${c}`);
      t.true(Math.abs(logQ[v]! - fullLp[v]!) < 1e-9 * Math.max(1, Math.abs(fullLp[v]!)), `logQ case ${c}`);
    }
  }
});

/** SDPO's loss written straight from spec §5, for finite differences. */
function specSdpoLoss(
  b: FeedbackBatch, theta: Float64Array, teacherTheta: Float64Array, kappa: number, div: 'reverse-kl' | 'forward-kl' | 'jsd', beta: number,
): { loss: number; kl: number; count: number } {
  const { group: G, length: L, vocab: W, fhat: f, seqs: y, hints: h } = b;
  const m = f.reduce((a, x) => a + x, 0) / G;
  const sd = Math.sqrt(f.reduce((a, x) => a + (x - m) ** 2, 0) / G);
  const s = sd === 0 ? 1 : sd;
  const hm = h.reduce((a, x) => a + x, 0) / (G * L);
  const hsd = Math.sqrt(h.reduce((a, x) => a + (x - hm) ** 2, 0) / (G * L));
  const sh = hsd === 0 ? 1 : hsd;
  const probs = new Float64Array(theta.length);
  const logProbs = new Float64Array(theta.length);
  computeProbs(theta, W, L, probs, logProbs);
  let loss = 0;
  let kl = 0;
  let count = 0;
  for (let i = 0; i < G; i++) {
    let d = -1;
    for (let j = 0; j < G; j++) if (j !== i && f[j]! > f[i]! && (d < 0 || f[j]! > f[d]!)) d = j;
    const rho = d < 0 ? 0 : b.feedback === 'binary' ? 1 : (f[d]! - f[i]!) / s;
    let rowMean = 0;
    for (let t = 0; t < L; t++) rowMean += h[i * L + t]! / L;
    const own = (t: number): number => (b.feedback === 'critique' ? (h[i * L + t]! - rowMean) / sh : (f[i]! - m) / s);
    let masked = d < 0;
    for (let t = 0; t < L; t++) if (own(t) !== 0) masked = false;
    if (masked) continue;
    let p = W;
    for (let t = 0; t < L; t++) {
      const off = rowOffset(W, t, p);
      const logits = new Float64Array(W);
      for (let v = 0; v < W; v++) {
        logits[v] = teacherTheta[off + v]! + kappa * ((d >= 0 && v === y[d * L + t] ? rho : 0) + (v === y[i * L + t] ? own(t) : 0));
      }
      const q = new Float64Array(W);
      const lq = new Float64Array(W);
      softmaxRow(logits, 0, W, q, lq, 0);
      const dv = div === 'reverse-kl' ? reverseKl(probs, logProbs, off, q, lq, 0, W)
        : div === 'forward-kl' ? forwardKl(probs, logProbs, off, q, lq, 0, W) : jsd(probs, logProbs, off, q, lq, 0, W, beta);
      loss += dv / G;
      kl += reverseKl(probs, logProbs, off, q, lq, 0, W);
      count++;
      p = y[i * L + t]!;
    }
  }
  return { loss, kl, count };
}

for (const feedback of ['critique', 'continuous', 'binary', 'ordinal'] as const) {
  for (const div of ['reverse-kl', 'forward-kl', 'jsd'] as const) {
    test(`sdpo's gradient equals finite differences of the spec's distillation loss (${feedback}, ${div})`, (t) => {
      const rng = new Rng(31, `${feedback}-${div}`);
      const W = 4;
      const L = 3;
      const G = 5;
      const P = policySize(W, L);
      for (let c = 0; c < 4; c++) {
        const theta = new Float64Array(P);
        const tTheta = new Float64Array(P);
        for (let k = 0; k < P; k++) {
          theta[k] = rng.normal();
          tTheta[k] = rng.normal();
        }
        const seqs = Array.from({ length: G * L }, () => Math.floor(rng.uniform() * W));
        const fh = Array.from({ length: G }, () => (feedback === 'binary' ? (rng.uniform() < 0.5 ? 1 : 0) : Math.round(rng.uniform() * 4) / 4));
        const hints = Array.from({ length: G * L }, () => (feedback === 'critique' ? rng.normal() : 0));
        const b = batch(feedback, fh, seqs, hints, W, L);
        const student = createSoftmaxTables(theta, W, L);
        computeProbs(theta, W, L, student.probs, student.logProbs);
        const teacher = createSoftmaxTables(tTheta, W, L);
        const grad = new Float64Array(P);
        const adv = new Float64Array(G * L);
        const s = { kappa: 1.3, divergence: div, jsdBeta: 0.3 } as const;
        const dbar = sdpoGradient(b, student, teacher, s, createSdpoScratch(W, L, G), grad, adv);
        const ref = specSdpoLoss(b, theta, tTheta, s.kappa, div, s.jsdBeta);
        if (ref.count === 0) t.true(Number.isNaN(dbar));
        else t.true(Math.abs(dbar - ref.kl / ref.count) < 1e-12);
        let maxErr = 0;
        let maxG = 1e-300;
        for (let k = 0; k < P; k++) {
          const x = Float64Array.from(theta);
          x[k] = theta[k]! + 1e-5;
          const up = specSdpoLoss(b, x, tTheta, s.kappa, div, s.jsdBeta).loss;
          x[k] = theta[k]! - 1e-5;
          const down = specSdpoLoss(b, x, tTheta, s.kappa, div, s.jsdBeta).loss;
          maxErr = Math.max(maxErr, Math.abs((up - down) / 2e-5 - grad[k]!));
          maxG = Math.max(maxG, Math.abs(grad[k]!));
        }
        t.true(ref.count === 0 || maxErr / maxG <= 1e-6, `case ${c}: relative error ${maxErr / maxG}`);
      }
    });
  }
}

test('the batch policy gradient equals finite differences of −(1/G)·Σ A_{i,t}·log π(y_t)', (t) => {
  const rng = new Rng(41, 'pg');
  const W = 4;
  const L = 3;
  const G = 5;
  const P = policySize(W, L);
  const theta = new Float64Array(P);
  for (let k = 0; k < P; k++) theta[k] = rng.normal();
  const seqs = Array.from({ length: G * L }, () => Math.floor(rng.uniform() * W));
  const advArr = Float64Array.from({ length: G * L }, () => rng.normal());
  const b = batch('continuous', new Array<number>(G).fill(0), seqs, undefined, W, L);
  const loss = (x: Float64Array): number => {
    const pr = new Float64Array(P);
    const lpr = new Float64Array(P);
    computeProbs(x, W, L, pr, lpr);
    let s = 0;
    for (let i = 0; i < G; i++) {
      let p = W;
      for (let pos = 0; pos < L; pos++) {
        const y = seqs[i * L + pos]!;
        s -= (advArr[i * L + pos]! * lpr[rowOffset(W, pos, p) + y]!) / G;
        p = y;
      }
    }
    return s;
  };
  const st = createSoftmaxTables(theta, W, L);
  computeProbs(theta, W, L, st.probs, st.logProbs);
  const grad = new Float64Array(P);
  policyGradient(b, st, advArr, grad);
  let maxErr = 0;
  let maxG = 0;
  for (let k = 0; k < P; k++) {
    const x = Float64Array.from(theta);
    x[k] = theta[k]! + 1e-5;
    const up = loss(x);
    x[k] = theta[k]! - 1e-5;
    maxErr = Math.max(maxErr, Math.abs((up - loss(x)) / 2e-5 - grad[k]!));
    maxG = Math.max(maxG, Math.abs(grad[k]!));
  }
  t.true(maxErr / maxG <= 1e-6, `relative error ${maxErr / maxG}`);
});

test('the teacher softmax survives a one-hot teacher row shifted far down', (t) => {
  const n = 4;
  const tp = Float64Array.of(1, 0, 0, 0);
  const tlp = Float64Array.of(0, -900, -950, -1000);
  const q = new Float64Array(n);
  const logQ = new Float64Array(n);
  shiftedSoftmax(tp, tlp, 0, n, 0, -1, Float64Array.of(-2000, 0), q, logQ);
  // log-weights −2000, −900, −950, −1000: token 1 takes (almost) all the mass.
  t.true(Math.abs(q[1]! - 1) < 1e-15);
  t.true(Math.abs(logQ[0]! - -1100) < 1e-9);
  t.true(logQ.every((x) => Number.isFinite(x)));
});
