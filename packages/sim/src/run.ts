import { Arena, type ArenaPlace } from './arena.js';
import { resolveRunConfig, SIM_VERSION, type RunConfig, type RunConfigInput } from './config.js';
import {
  createSdpoScratch, insertSorted, mean, mixGradients, policyGradient, sdpoGradient, sequenceAdvantages,
  sortedMedian, standardize, type FeedbackBatch, type SdpoScratch,
} from './methods.js';
import {
  adamStep, createExactScratch, createSoftmaxTables, ensureReachable, exactMetrics, policySize,
  sampleSequences, type ExactMetrics, type ExactScratch, type SoftmaxTables,
} from './policy.js';
import { createStream, type Rng } from './prng.js';
import type { RunCurves, RunResult, RunSummary } from './result.js';
import { getTask, scoreSequence, type Task } from './task.js';

// `types: []` hides the DOM/Node globals; performance.now() exists in every runtime we target.
declare const performance: { now(): number };

/** Mutable per-run state; every array is allocated once in {@link createRunState}. */
export interface RunState {
  readonly config: RunConfig;
  /** Where the state's arrays live; {@link runSimulation} releases it when the run is over. */
  readonly arena: Arena;
  readonly task: Task;
  readonly batch: FeedbackBatch;
  /** Student logits θ and their softmax tables. */
  readonly theta: Float64Array;
  readonly student: SoftmaxTables;
  /** EMA teacher logits θ' (sdpo, hybrid) and their softmax tables. */
  readonly teacher: Float64Array;
  readonly teacherTables: SoftmaxTables;
  readonly grad: Float64Array;
  readonly gradS: Float64Array;
  readonly gradR: Float64Array;
  readonly adamM: Float64Array;
  readonly adamV: Float64Array;
  /** True R of each rollout (never shown to a method). */
  readonly trueReward: Float64Array;
  /** g_t(y_i) at i·T + t. */
  readonly trueCredit: Float64Array;
  /** The method's per-token advantage at i·T + t (what the credit metric correlates). */
  readonly adv: Float64Array;
  readonly advS: Float64Array;
  readonly advR: Float64Array;
  readonly seqAdv: Float64Array;
  readonly noiseScore: Float64Array;
  readonly noiseHint: Float64Array;
  readonly uniforms: Float64Array;
  readonly counts: Int32Array;
  readonly sdpoScratch: SdpoScratch;
  readonly exactScratch: ExactScratch;
  /** Hybrid: the D̄ of the τ_D window so far, ascending. */
  readonly dbarSorted: Float64Array;
  readonly rollout: Rng;
  readonly noise: Rng;
  /** Threshold τ (binary channel). */
  readonly tau: number;
  /** Whether the method reads critique hints (sdpo, hybrid, hint-reinforce); others leave `batch.hints` at 0. */
  readonly readsHints: boolean;
  /** Std of hint noise per unit σ: sd_ℓ / sd_R. */
  readonly hintNoiseRatio: number;
  /** REINFORCE moving-average baseline (reinforce, hybrid). */
  baseline: number;
  hasBaseline: boolean;
  /** Adam update count. */
  updates: number;
  dbarCount: number;
  /** τ_D once the warmup is complete; NaN before. */
  tauD: number;
  /** Batch metrics of the last update (NaN: none). */
  lastKl: number;
  lastAlpha: number;
}

/** Builds the state of a run for `config` (task from the cache unless `cache: false`). */
export function createRunState(
  config: RunConfig, task?: Task, options: { readonly cache?: boolean; readonly place?: ArenaPlace } = {},
): RunState {
  const { vocab: V, length: T, group: G } = config;
  const t = task ?? getTask({ seed: config.seed, vocab: V, length: T, weights: config.weights }, options);
  const P = policySize(V, T);
  // Doubles by array family (policy-sized, per token, per rollout, per row, scratch), with room for alignment.
  const R = T * (V + 1);
  // Hybrid's τ_D window: at most one D̄ per step, so min(warmup, steps) values, however large warmup is.
  const window = config.method === 'hybrid' ? Math.min(config.hybrid.warmup, config.steps) : 0;
  const arena = new Arena(8 * (12 * P + 10 * G * T + 10 * G + 8 * R + T * V + 8 * V + window) + 512, options.place);
  const f64 = arena.f64.bind(arena);
  const batch: FeedbackBatch = {
    feedback: config.feedback, vocab: V, length: T, group: G,
    seqs: arena.i32(G * T), fhat: f64(G), hints: f64(G * T),
  };
  const theta = f64(P);
  const teacher = f64(P);
  return {
    config, arena, task: t, batch, theta, student: createSoftmaxTables(theta, V, T, arena),
    teacher, teacherTables: createSoftmaxTables(teacher, V, T, arena), grad: f64(P), gradS: f64(P), gradR: f64(P),
    adamM: f64(P), adamV: f64(P),
    trueReward: f64(G), trueCredit: f64(G * T),
    adv: f64(G * T), advS: f64(G * T), advR: f64(G * T), seqAdv: f64(G),
    noiseScore: f64(G), noiseHint: f64(G * T),
    uniforms: f64(G * T), counts: arena.i32(V),
    sdpoScratch: createSdpoScratch(V, T, G, arena), exactScratch: createExactScratch(V, T, arena),
    dbarSorted: f64(window),
    rollout: createStream(config.seed, 'rollout'), noise: createStream(config.seed, 'noise'),
    tau: config.feedback === 'binary' ? t.binaryThreshold(config.binaryQuantile) : NaN,
    readsHints: config.method === 'sdpo' || config.method === 'hybrid' || config.method === 'hint-reinforce',
    hintNoiseRatio: t.sdR > 0 ? t.sdHint / t.sdR : 0,
    baseline: 0, hasBaseline: false, updates: 0, dbarCount: 0, tauD: NaN, lastKl: NaN, lastAlpha: NaN,
  };
}

/**
 * Samples a batch and its feedback (spec §3–§4). Noise: G score normals, then
 * G·T hint normals (rollout-major), drawn every step whatever the channel, so the
 * same draws serve every channel (common random numbers). Also fills the true
 * credit g_t of every sampled token.
 */
export function sampleBatch(s: RunState): void {
  const { vocab: V, length: T, group: G, noise: sigma, feedback } = s.config;
  const { seqs, fhat, hints } = s.batch;
  const task = s.task;
  // SDPO's teacher reads the rows the sampling visits: they are refreshed with the student's.
  const selfTeacher = s.config.method === 'sdpo' || s.config.method === 'hybrid';
  sampleSequences(s.rollout, s.student, V, T, G, seqs, s.uniforms, selfTeacher ? s.teacherTables : undefined);
  // Draws that would be multiplied by 0 are skipped, not drawn: the stream stays aligned.
  if (sigma > 0) s.noise.fillNormal(s.noiseScore, 0, G);
  else s.noise.skipNormals(G);
  // Hints are formed only for methods that read them; the others skip their draws too.
  const hinted = feedback === 'critique' && s.readsHints;
  if (sigma > 0 && hinted) s.noise.fillNormal(s.noiseHint, 0, G * T);
  else s.noise.skipNormals(G * T);
  const hintSigma = sigma * s.hintNoiseRatio;
  for (let i = 0; i < G; i++) {
    scoreSequence(task, seqs, i * T, s.counts, s.trueReward, i, s.trueCredit, i * T);
    const r = s.trueReward[i]!;
    const x = sigma > 0 ? r + sigma * s.noiseScore[i]! : r;
    switch (feedback) {
      case 'continuous':
      case 'critique':
        fhat[i] = x;
        break;
      case 'ordinal': {
        // Math.round rounds halves up (toward +∞), as the spec asks.
        const stars = Math.min(5, Math.max(1, Math.round(1 + 4 * x)));
        fhat[i] = (stars - 1) / 4;
        break;
      }
      case 'binary':
        fhat[i] = x >= s.tau ? 1 : 0;
        break;
    }
    if (hinted) {
      for (let t = 0; t < T; t++) {
        const l = task.hintSignal[t * V + seqs[i * T + t]!]!;
        hints[i * T + t] = sigma > 0 ? l + hintSigma * s.noiseHint[i * T + t]! : l;
      }
    }
  }
}

/**
 * Computes the method's update direction from the batch into `s.grad` and its
 * per-token advantage into `s.adv` (spec §5–§6), and records kl/alpha. Only
 * `oracle` reads `s.trueCredit`; SDPO's teacher gets the batch alone.
 */
export function computeUpdate(s: RunState): void {
  const c = s.config;
  const G = c.group;
  const T = c.length;
  const batch = s.batch;
  const student = s.student;
  s.lastKl = NaN;
  s.lastAlpha = NaN;
  switch (c.method) {
    case 'reinforce': {
      if (!s.hasBaseline) {
        s.baseline = mean(batch.fhat, G);
        s.hasBaseline = true;
      }
      sequenceAdvantages('reinforce', batch, s.baseline, s.seqAdv, s.adv);
      policyGradient(batch, student, s.adv, s.grad);
      s.baseline = 0.9 * s.baseline + 0.1 * mean(batch.fhat, G);
      break;
    }
    case 'rloo':
    case 'grpo':
    case 'hint-reinforce':
      sequenceAdvantages(c.method, batch, 0, s.seqAdv, s.adv);
      policyGradient(batch, student, s.adv, s.grad);
      break;
    case 'oracle':
      s.adv.set(s.trueCredit);
      policyGradient(batch, student, s.adv, s.grad);
      break;
    case 'sdpo':
      s.lastKl = sdpoGradient(batch, student, s.teacherTables, c, s.sdpoScratch, s.grad, s.adv);
      break;
    case 'hybrid': {
      const dbar = sdpoGradient(batch, student, s.teacherTables, c, s.sdpoScratch, s.gradS, s.advS);
      if (!s.hasBaseline) {
        s.baseline = mean(batch.fhat, G);
        s.hasBaseline = true;
      }
      sequenceAdvantages('reinforce', batch, s.baseline, s.seqAdv, s.advR);
      policyGradient(batch, student, s.advR, s.gradR);
      s.baseline = 0.9 * s.baseline + 0.1 * mean(batch.fhat, G);
      if (Number.isNaN(dbar)) {
        // Every rollout masked: no D̄, no α; the update and the credit signal are REINFORCE's.
        s.grad.set(s.gradR);
        s.adv.set(s.advR);
        break;
      }
      let tauD: number;
      if (s.dbarCount < c.hybrid.warmup) {
        insertSorted(s.dbarSorted, s.dbarCount++, dbar);
        tauD = Math.max(1e-8, sortedMedian(s.dbarSorted, s.dbarCount));
        if (s.dbarCount === c.hybrid.warmup) s.tauD = tauD;
      } else {
        tauD = s.tauD;
      }
      const { alphaMin, alphaMax } = c.hybrid;
      const alpha = alphaMin + (alphaMax - alphaMin) * Math.exp(-dbar / tauD);
      mixGradients(s.gradS, s.gradR, alpha, s.grad);
      const n = G * T;
      standardize(s.advS, n);
      standardize(s.advR, n);
      for (let k = 0; k < n; k++) s.adv[k] = alpha * s.advS[k]! + (1 - alpha) * s.advR[k]!;
      s.lastKl = dbar;
      s.lastAlpha = alpha;
      break;
    }
  }
}

/** Applies `s.grad` with Adam, moves the EMA teacher (sdpo, hybrid) and marks the softmax tables stale. */
export function applyUpdate(s: RunState): void {
  const c = s.config;
  const selfTeacher = c.method === 'sdpo' || c.method === 'hybrid';
  s.updates++;
  adamStep(s.theta, s.grad, s.adamM, s.adamV, s.updates, c.lr, c.vocab, c.length, selfTeacher ? s.teacher : undefined, c.emaRate);
  s.student.version++;
  if (selfTeacher) s.teacherTables.version++;
}

/**
 * Pearson r over n pairs; NaN when either side is constant (all values exactly equal).
 */
export function pearson(a: Float64Array, b: Float64Array, n: number): number {
  let constA = true;
  let constB = true;
  const a0 = a[0]!;
  const b0 = b[0]!;
  for (let k = 1; k < n; k++) {
    if (a[k] !== a0) constA = false;
    if (b[k] !== b0) constB = false;
  }
  if (constA || constB) return NaN;
  let ma = 0;
  let mb = 0;
  for (let k = 0; k < n; k++) {
    ma += a[k]!;
    mb += b[k]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let k = 0; k < n; k++) {
    const da = a[k]! - ma;
    const db = b[k]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  const den = Math.sqrt(saa * sbb);
  return den > 0 ? sab / den : NaN;
}

/** Options for {@link runSimulation}. */
export interface RunOptions {
  /** Use the task cache (default true); false builds the task afresh (cold benchmarks). */
  readonly cache?: boolean;
  /**
   * Run the hot loops as WebAssembly where it is available (default true). false runs the JavaScript code
   * only; the result is the same bit for bit (src/wasm.ts; tests compare the two).
   */
  readonly kernels?: boolean;
}

/**
 * Runs one simulation cell (spec §1–§7): pure and synchronous; the same config
 * gives the same result bit for bit, apart from `timing.wallMs` (ms).
 * Throws a `ConfigError` (code `INVALID_CONFIG`) on an invalid config.
 */
export function runSimulation(config: RunConfigInput | RunConfig, options: RunOptions = {}): RunResult {
  const start = performance.now();
  const c = resolveRunConfig(config);
  // In the kernels' memory, so that the WebAssembly kernels work on the arrays in place (src/wasm.ts).
  const s = createRunState(c, undefined, { ...options, place: options.kernels === false ? 'heap' : 'kernels' });
  const S = c.steps;
  const E = c.evalEvery;
  const nPoints = 1 + Math.floor(S / E) + (S % E === 0 ? 0 : 1);
  const step: number[] = new Array<number>(nPoints);
  const reward: number[] = new Array<number>(nPoints);
  const entropy: number[] = new Array<number>(nPoints);
  const topSequenceProb: number[] = new Array<number>(nPoints);
  const credit: (number | null)[] = new Array<number | null>(nPoints);
  const kl: (number | null)[] = new Array<number | null>(nPoints);
  const alpha: (number | null)[] = new Array<number | null>(nPoints);
  const curves: RunCurves & { point: number } = { step, reward, entropy, topSequenceProb, credit, kl, alpha, point: 0 };
  const m: ExactMetrics = { reward: 0, entropy: 0, topSequenceProb: 0 };
  const n = c.group * c.length;
  let creditSum = 0;
  let creditSteps = 0;
  let crSum = 0;
  let crN = 0;
  let klSum = 0;
  let klN = 0;
  let alSum = 0;
  let alN = 0;
  try {
    recordPoint(s, m, curves, 0, null, null, null);
    for (let k = 1; k <= S; k++) {
      sampleBatch(s);
      computeUpdate(s);
      const r = pearson(s.adv, s.trueCredit, n);
      applyUpdate(s);
      if (!Number.isNaN(r)) {
        creditSum += r;
        creditSteps++;
        crSum += r;
        crN++;
      }
      if (!Number.isNaN(s.lastKl)) {
        klSum += s.lastKl;
        klN++;
      }
      if (!Number.isNaN(s.lastAlpha)) {
        alSum += s.lastAlpha;
        alN++;
      }
      if (k % E === 0 || k === S) {
        recordPoint(s, m, curves, k, crN > 0 ? crSum / crN : null, klN > 0 ? klSum / klN : null, alN > 0 ? alSum / alN : null);
        crSum = 0;
        crN = 0;
        klSum = 0;
        klN = 0;
        alSum = 0;
        alN = 0;
      }
    }
  } finally {
    // The state is dead from here (the curves are plain arrays): its buffer serves the next run.
    s.arena.release();
  }
  const initialReward = reward[0]!;
  const finalReward = reward[nPoints - 1]!;
  let auc = 0;
  for (let i = 0; i < nPoints; i++) auc += reward[i]!;
  let stepsTo90: number | null = null;
  if (finalReward > initialReward) {
    const target = initialReward + 0.9 * (finalReward - initialReward);
    for (let i = 0; i < nPoints; i++) {
      if (reward[i]! >= target) {
        stepsTo90 = step[i]!;
        break;
      }
    }
    // Rounding could in principle put the target a hair above the final value.
    stepsTo90 ??= S;
  }
  const entropyInitial = entropy[0]!;
  const entropyFinal = entropy[nPoints - 1]!;
  const summary: RunSummary = {
    finalReward,
    initialReward,
    aucReward: auc / nPoints,
    entropyInitial,
    entropyFinal,
    entropyDrop: 1 - entropyFinal / entropyInitial,
    creditCorr: creditSteps > 0 ? creditSum / creditSteps : null,
    creditSteps,
    stepsTo90,
    topSequenceProbFinal: topSequenceProb[nPoints - 1]!,
  };
  return { simVersion: SIM_VERSION, config: c, summary, curves: { step, reward, entropy, topSequenceProb, credit, kl, alpha }, timing: { wallMs: performance.now() - start } };
}

/** Evaluates the exact metrics and writes curve point `cv.point` (step k) with its window's means. */
function recordPoint(s: RunState, m: ExactMetrics, cv: RunCurves & { point: number }, k: number, cr: number | null, klv: number | null, al: number | null): void {
  ensureReachable(s.student, s.config.vocab, s.config.length);
  exactMetrics(s.task, s.student.probs, s.student.logProbs, s.exactScratch, m);
  const i = cv.point++;
  cv.step[i] = k;
  cv.reward[i] = m.reward;
  cv.entropy[i] = m.entropy;
  cv.topSequenceProb[i] = m.topSequenceProb;
  cv.credit[i] = cr;
  cv.kl[i] = klv;
  cv.alpha[i] = al;
}
