import test from 'ava';
import {
  computeProbs, createExactScratch, createSoftmaxTables, ensureReachable, exactMetrics, policySize, rowOffset, sampleSequences,
} from './policy.js';
import { Rng } from './prng.js';
import { buildTask, popcount, quantileThreshold, rawReward, scoreSequence, sequenceIndex, tokenCredit, type Task } from './task.js';

function* allSequences(V: number, T: number): Generator<Int32Array> {
  const y = new Int32Array(T);
  let n = V ** T;
  while (n-- > 0) {
    yield y;
    let t = T - 1;
    while (t >= 0) {
      y[t]!++;
      if (y[t]! < V) break;
      y[t] = 0;
      t--;
    }
  }
}

/** Brute-force raw components over every sequence, straight from the tables. */
function components(task: Task, y: Int32Array): { loc: number; coh: number; glo: number } {
  const V = task.vocab;
  let loc = 0;
  let coh = 0;
  const seen = new Set<number>();
  for (let t = 0; t < y.length; t++) {
    loc += task.local[t * V + y[t]!]!;
    if (t > 0) coh += task.coherence[y[t - 1]! * V + y[t]!]!;
    seen.add(y[t]!);
  }
  return { loc, coh, glo: (seen.size - 1) / (y.length - 1) };
}

function randomPolicy(V: number, T: number, seed: number, scale: number): { probs: Float64Array; logProbs: Float64Array } {
  const rng = new Rng(seed, 'policy-test');
  const theta = new Float64Array(policySize(V, T));
  for (let i = 0; i < theta.length; i++) theta[i] = scale * rng.normal();
  const probs = new Float64Array(theta.length);
  const logProbs = new Float64Array(theta.length);
  computeProbs(theta, V, T, probs, logProbs);
  return { probs, logProbs };
}

function seqProb(probs: Float64Array, V: number, y: Int32Array): number {
  let p = V;
  let pr = 1;
  for (let t = 0; t < y.length; t++) {
    pr *= probs[rowOffset(V, t, p) + y[t]!]!;
    p = y[t]!;
  }
  return pr;
}

const close = (a: number, b: number, tol = 1e-9): boolean => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

for (const [V, T] of [[3, 4], [8, 6], [5, 2]] as const) {
  test(`component moments, min/max and R match brute-force enumeration (V=${V}, T=${T})`, (t) => {
    const task = buildTask({ seed: 7, vocab: V, length: T, weights: { local: 1, coherence: 0.7, global: 1.3 } });
    const N = V ** T;
    let sL = 0, sC = 0, sG = 0, qL = 0, qC = 0, qG = 0;
    for (const y of allSequences(V, T)) {
      const c = components(task, y);
      sL += c.loc; sC += c.coh; sG += c.glo;
      qL += c.loc * c.loc; qC += c.coh * c.coh; qG += c.glo * c.glo;
    }
    const sd = (s: number, q: number): number => Math.sqrt(q / N - (s / N) ** 2);
    t.true(close(task.locMean, sL / N), 'loc mean');
    t.true(close(task.cohMean, sC / N), 'coh mean');
    t.true(close(task.gloMean, sG / N), 'glo mean');
    t.true(close(task.locStd, sd(sL, qL), 1e-7), 'loc std');
    t.true(close(task.cohStd, sd(sC, qC), 1e-7), 'coh std');
    t.true(close(task.gloStd, sd(sG, qG), 1e-7), 'glo std');
    let mn = Infinity;
    let mx = -Infinity;
    for (const y of allSequences(V, T)) {
      const r = rawReward(task, y);
      mn = Math.min(mn, r);
      mx = Math.max(mx, r);
    }
    t.true(close(task.rawMin, mn) && close(task.rawMax, mx));
    let rMin = Infinity;
    let rMax = -Infinity;
    for (const y of allSequences(V, T)) {
      const r = task.reward[sequenceIndex(task, y)]!;
      t.true(close(r, (rawReward(task, y) - mn) / (mx - mn)));
      rMin = Math.min(rMin, r);
      rMax = Math.max(rMax, r);
    }
    t.is(rMin, 0);
    t.is(rMax, 1);
  });

  test(`E_π[R], H(Y)/T and the top-sequence probability match enumeration for a random policy (V=${V}, T=${T})`, (t) => {
    const task = buildTask({ seed: 3, vocab: V, length: T, weights: { local: 1, coherence: 1, global: 1 } });
    for (const scale of [0, 1, 3]) {
      const { probs, logProbs } = randomPolicy(V, T, 100 + scale, scale);
      let eR = 0;
      let H = 0;
      let top = 0;
      let total = 0;
      for (const y of allSequences(V, T)) {
        const p = seqProb(probs, V, y);
        total += p;
        eR += p * task.reward[sequenceIndex(task, y)]!;
        if (p > 0) H -= p * Math.log(p);
        top = Math.max(top, p);
      }
      const m = exactMetrics(task, probs, logProbs, createExactScratch(V, T), { reward: 0, entropy: 0, topSequenceProb: 0 });
      t.true(close(total, 1, 1e-12));
      t.true(close(m.reward, eR), `reward ${m.reward} vs ${eR}`);
      t.true(close(m.entropy, H / T), `entropy ${m.entropy} vs ${H / T}`);
      t.true(close(m.topSequenceProb, top), `top ${m.topSequenceProb} vs ${top}`);
    }
  });
}

test('g_t is R(y) minus the mean of R over every substitution at position t', (t) => {
  const V = 4;
  const T = 5;
  const task = buildTask({ seed: 5, vocab: V, length: T, weights: { local: 1, coherence: 1, global: 1 } });
  const norm = (y: Int32Array): number => (rawReward(task, y) - task.rawMin) / task.rawRange;
  for (const y of allSequences(V, T)) {
    const idx = sequenceIndex(task, y);
    for (let pos = 0; pos < T; pos++) {
      const z = Int32Array.from(y);
      let s = 0;
      for (let v = 0; v < V; v++) {
        z[pos] = v;
        s += norm(z);
      }
      t.true(close(tokenCredit(task, idx, pos, y[pos]!), norm(y) - s / V, 1e-12));
    }
  }
});

test('scoring a sequence gives R bit-identical to the table and g_t equal to its definition', (t) => {
  for (const [V, T] of [[3, 4], [6, 3], [4, 2], [8, 6]] as const) {
    const task = buildTask({ seed: 11, vocab: V, length: T, weights: { local: 0.5, coherence: 2, global: 1.5 } });
    const counts = new Int32Array(V);
    const out = new Float64Array(T);
    const r = new Float64Array(1);
    let n = 0;
    for (const y of allSequences(V, T)) {
      // The V=8, T=6 space is large: check every 37th sequence there.
      if (V === 8 && n++ % 37 !== 0) continue;
      scoreSequence(task, y, 0, counts, r, 0, out, 0);
      const idx = sequenceIndex(task, y);
      t.is(r[0], task.reward[idx]);
      for (let pos = 0; pos < T; pos++) t.true(Math.abs(out[pos]! - tokenCredit(task, idx, pos, y[pos]!)) < 1e-12);
    }
  }
});

test('sd_R and the pooled hint std are the uniform-policy population stds', (t) => {
  const V = 3;
  const T = 4;
  const task = buildTask({ seed: 9, vocab: V, length: T, weights: { local: 2, coherence: 1, global: 0.5 } });
  const N = V ** T;
  let s = 0;
  let q = 0;
  let hs = 0;
  let hq = 0;
  for (const y of allSequences(V, T)) {
    const r = task.reward[sequenceIndex(task, y)]!;
    s += r;
    q += r * r;
    for (let pos = 0; pos < T; pos++) {
      let m = 0;
      for (let v = 0; v < V; v++) m += task.local[pos * V + v]!;
      const l = (2 * (task.local[pos * V + y[pos]!]! - m / V)) / (task.locStd * task.rawRange);
      t.true(close(task.hintSignal[pos * V + y[pos]!]!, l, 1e-12));
      hs += l;
      hq += l * l;
    }
  }
  t.true(close(task.sdR, Math.sqrt(q / N - (s / N) ** 2), 1e-7));
  t.true(close(task.sdHint, Math.sqrt(hq / (N * T) - (hs / (N * T)) ** 2), 1e-7));
});

test('the binary τ is the smallest R whose cumulative share reaches the quantile', (t) => {
  const task = buildTask({ seed: 2, vocab: 4, length: 4, weights: { local: 1, coherence: 1, global: 1 } });
  const sorted = Float64Array.from(task.reward).sort();
  for (const q of [0.1, 0.25, 0.5, 0.75, 0.9, 0.999]) {
    const tau = task.binaryThreshold(q);
    const atMost = sorted.filter((r) => r <= tau).length / sorted.length;
    const below = sorted.filter((r) => r < tau).length / sorted.length;
    t.true(atMost >= q, `share ≤ τ at q=${q}`);
    t.true(below < q, `share < τ at q=${q}`);
  }
  // Ties: the k-th smallest value with k = ⌈qN⌉.
  t.is(quantileThreshold(Float64Array.from([3, 1, 2, 2]), 0.5), 2);
  t.is(quantileThreshold(Float64Array.from([3, 1, 2, 2]), 0.75), 2);
  t.is(quantileThreshold(Float64Array.from([3, 1, 2, 2]), 0.76), 3);
  t.is(quantileThreshold(Float64Array.from([5]), 0.5), 5);
});

test('popcount counts set bits of 32-bit masks', (t) => {
  t.is(popcount(0), 0);
  t.is(popcount(0xffffffff | 0), 32);
  t.is(popcount(0b1011), 3);
});

test('the histogram quantile agrees with sorting on random, tied and constant data', (t) => {
  const rng = new Rng(17, 'quantile');
  for (const n of [1, 2, 7, 100, 5000]) {
    for (const kind of ['normal', 'ties', 'const'] as const) {
      const a = Float64Array.from({ length: n }, () => (kind === 'const' ? 0.3 : kind === 'ties' ? Math.floor(rng.uniform() * 5) / 4 : rng.normal()));
      const sorted = Float64Array.from(a).sort();
      for (const q of [0.01, 0.25, 0.5, 0.75, 0.99]) {
        let k = Math.ceil(q * n);
        while (k > 1 && (k - 1) / n >= q) k--;
        t.is(quantileThreshold(a, q), sorted[Math.max(1, k) - 1]!, `${kind} n=${n} q=${q}`);
      }
    }
  }
});

test('sampled sequences follow the policy: empirical frequencies match exact probabilities', (t) => {
  const V = 3;
  const T = 3;
  const rng = new Rng(5, 'sampling-test');
  const theta = new Float64Array(policySize(V, T));
  for (let i = 0; i < theta.length; i++) theta[i] = 1.2 * rng.normal();
  const tab = createSoftmaxTables(theta, V, T);
  const G = 256;
  const reps = 80;
  const seqs = new Int32Array(G * T);
  const uniforms = new Float64Array(G * T);
  const freq = new Float64Array(V ** T);
  const rollout = new Rng(6, 'rollout');
  for (let r = 0; r < reps; r++) {
    sampleSequences(rollout, tab, V, T, G, seqs, uniforms);
    for (let i = 0; i < G; i++) freq[sequenceIndex({ vocab: V, length: T }, seqs, i * T)]! += 1;
  }
  const n = G * reps;
  ensureReachable(tab, V, T);
  for (const y of allSequences(V, T)) {
    const p = seqProb(tab.probs, V, y);
    const f = freq[sequenceIndex({ vocab: V, length: T }, y)]! / n;
    t.true(Math.abs(f - p) <= 4.5 * Math.sqrt((p * (1 - p)) / n) + 1e-4, `p=${p} f=${f}`);
  }
});
