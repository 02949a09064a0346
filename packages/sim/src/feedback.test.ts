import test from 'ava';
import { resolveRunConfig, type Feedback, type Method } from './config.js';
import { createRunState, sampleBatch } from './run.js';

// hint-reinforce reads every part of the feedback, critique hints included.
const state = (feedback: Feedback, noise: number, group = 8, seed = 4, method: Method = 'hint-reinforce') =>
  createRunState(resolveRunConfig({ seed, method, feedback, noise, group }));

test('continuous feedback at σ = 0 is exactly the reward', (t) => {
  const s = state('continuous', 0);
  for (let k = 0; k < 20; k++) {
    sampleBatch(s);
    for (let i = 0; i < 8; i++) t.is(s.batch.fhat[i], s.trueReward[i]);
  }
});

test('ordinal feedback takes only the values 0, .25, .5, .75 and 1, and equals rounded stars', (t) => {
  const allowed = new Set([0, 0.25, 0.5, 0.75, 1]);
  const seen = new Set<number>();
  for (const noise of [0, 0.3]) {
    const s = state('ordinal', noise, 64);
    for (let k = 0; k < 20; k++) {
      sampleBatch(s);
      for (let i = 0; i < 64; i++) {
        const f = s.batch.fhat[i]!;
        t.true(allowed.has(f), `value ${f}`);
        seen.add(f);
        if (noise === 0) {
          const stars = Math.min(5, Math.max(1, Math.floor(1 + 4 * s.trueReward[i]! + 0.5)));
          t.is(f, (stars - 1) / 4);
        }
      }
    }
  }
  t.true(seen.size >= 3);
});

test('the binary pass rate under the uniform policy matches 1 − binaryQuantile within sampling error', (t) => {
  const s = state('binary', 0, 256, 6);
  let pass = 0;
  let n = 0;
  for (let k = 0; k < 40; k++) {
    sampleBatch(s);
    for (let i = 0; i < 256; i++) {
      pass += s.batch.fhat[i]!;
      n++;
      t.is(s.batch.fhat[i], s.trueReward[i]! >= s.tau ? 1 : 0);
    }
  }
  const rate = pass / n;
  const se = Math.sqrt((0.25 * 0.75) / n);
  t.true(Math.abs(rate - 0.25) < 4 * se + 1 / s.task.reward.length, `rate ${rate}`);
});

test('critique hints at σ = 0 equal the local-quality share ℓ_t of the sampled token', (t) => {
  const s = state('critique', 0);
  const { vocab: V, length: T } = s.config;
  const task = s.task;
  for (let k = 0; k < 10; k++) {
    sampleBatch(s);
    for (let i = 0; i < 8; i++) {
      t.is(s.batch.fhat[i], s.trueReward[i]);
      for (let pos = 0; pos < T; pos++) {
        const y = s.batch.seqs[i * T + pos]!;
        let m = 0;
        for (let v = 0; v < V; v++) m += task.local[pos * V + v]!;
        const l = (task.local[pos * V + y]! - m / V) / (task.locStd * task.rawRange);
        t.true(Math.abs(s.batch.hints[i * T + pos]! - l) < 1e-14);
      }
    }
  }
});

test('every channel sees the same sequences and noise draws (common random numbers)', (t) => {
  const channels = ['continuous', 'critique', 'ordinal', 'binary'] as const;
  const states = channels.map((f) => state(f, 0.2));
  for (let k = 0; k < 5; k++) {
    for (const s of states) sampleBatch(s);
    for (const s of states.slice(1)) {
      t.deepEqual(s.batch.seqs, states[0]!.batch.seqs);
      // Critique draws its hint noise; the others skip the same draws, so later steps stay aligned.
      t.deepEqual(s.noiseScore, states[0]!.noiseScore);
    }
    t.deepEqual(states[1]!.batch.fhat, states[0]!.batch.fhat);
  }
});

test('hint noise has the score signal-to-noise ratio sd_ℓ/sd_R', (t) => {
  const s = state('critique', 0.1, 256);
  const { length: T, vocab: V } = s.config;
  let q = 0;
  let n = 0;
  for (let k = 0; k < 10; k++) {
    sampleBatch(s);
    for (let i = 0; i < 256; i++) {
      for (let pos = 0; pos < T; pos++) {
        const e = s.batch.hints[i * T + pos]! - s.task.hintSignal[pos * V + s.batch.seqs[i * T + pos]!]!;
        q += e * e;
        n++;
      }
    }
  }
  const expected = (0.1 * s.task.sdHint) / s.task.sdR;
  t.true(Math.abs(Math.sqrt(q / n) / expected - 1) < 0.05);
});

test('methods that ignore hints see the same scores and leave the noise stream aligned', (t) => {
  const reader = state('critique', 0.2, 8, 4, 'sdpo');
  const ignorer = state('critique', 0.2, 8, 4, 'rloo');
  for (let k = 0; k < 5; k++) {
    sampleBatch(reader);
    sampleBatch(ignorer);
    t.deepEqual(ignorer.batch.seqs, reader.batch.seqs);
    t.deepEqual(ignorer.batch.fhat, reader.batch.fhat);
    t.true(ignorer.batch.hints.every((h) => h === 0));
  }
});
