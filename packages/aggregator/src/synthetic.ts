/**
 * Deterministic synthetic studies shaped like real `RunResult`s, for tests,
 * benchmarks and report previews. The numbers are a toy model with
 * controllable effects, NOT simulation output: never use them as results.
 */
import { Xoshiro128 } from './prng.js';
import type { StudyRun } from './types.js';

export interface SyntheticOptions {
  readonly seeds: readonly number[];
  readonly methods: readonly string[];
  readonly feedbacks: readonly string[];
  readonly noises: readonly number[];
  /** When given, κ becomes an axis (sensitivity-style). */
  readonly kappas?: readonly number[];
  /** When given, lr becomes an axis. */
  readonly lrs?: readonly number[];
  /** Training steps; curves have a point every `evalEvery` steps. Default 150 and 5 (31 points). */
  readonly steps?: number;
  readonly evalEvery?: number;
  /** Mean final reward of each method at σ = 0 (default: a plausible ordering, sdpo above reinforce by 0.15). */
  readonly finalReward?: Readonly<Record<string, number>>;
  /** Per-run SD of final reward around its mean, by method (default 0.03, 0.045 for sdpo/hybrid). */
  readonly runSd?: Readonly<Record<string, number>>;
  /** Final-reward loss per unit σ (default 0.05). */
  readonly noiseSlope?: number;
  /** Seed of the generator. */
  readonly seed?: number;
}

const DEFAULT_FINAL: Record<string, number> = {
  reinforce: 0.7, rloo: 0.72, grpo: 0.73, sdpo: 0.85, hybrid: 0.85, 'hint-reinforce': 0.76, oracle: 0.95,
};
const CHANNEL_SHIFT: Record<string, number> = { critique: 0.03, continuous: 0.015, ordinal: 0, binary: -0.015 };

class Gauss {
  private spare: number | null = null;
  constructor(private readonly rng: Xoshiro128) {}
  next(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    // Box-Muller on (0, 1] uniforms.
    const u1 = (this.rng.nextU32() + 1) / 4294967296;
    const u2 = this.rng.nextU32() / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }
}

/**
 * Runs for every seed × method × feedback × noise (× κ × lr when given),
 * seed-major. Seeds share a per-seed difficulty, so the design is paired as
 * in real studies. SDPO-like methods (sdpo, hybrid) gain over REINFORCE in
 * proportion to 1 − exp(−κ/1.5) when κ varies.
 */
export function syntheticRuns(o: SyntheticOptions): StudyRun[] {
  const steps = o.steps ?? 150;
  const every = o.evalEvery ?? 5;
  const grid: number[] = [];
  for (let k = 0; k < steps; k += every) grid.push(k);
  grid.push(steps);
  const rng = new Xoshiro128(o.seed ?? 1);
  const g = new Gauss(rng);
  const kappas = o.kappas ?? [Math.log(7)];
  const lrs = o.lrs ?? [0.05];
  const slope = o.noiseSlope ?? 0.05;
  const runs: StudyRun[] = [];
  for (const seed of o.seeds) {
    const difficulty = 0.04 * g.next();
    const initial = 0.45 + 0.02 * g.next();
    for (const method of o.methods) {
      const dense = method === 'sdpo' || method === 'hybrid';
      for (const feedback of o.feedbacks) {
        for (const noise of o.noises) {
          for (const kappa of kappas) {
            for (const lr of lrs) {
              const base = o.finalReward?.[method] ?? DEFAULT_FINAL[method] ?? 0.7;
              const rf = o.finalReward?.['reinforce'] ?? DEFAULT_FINAL['reinforce']!;
              const kGain = o.kappas === undefined ? 1 : 1 - Math.exp(-kappa / 1.5);
              const gain = dense ? (base - rf) * kGain : base - rf;
              const shift = (CHANNEL_SHIFT[feedback] ?? 0) * (dense ? 1 : 0.5);
              const sdRun = o.runSd?.[method] ?? (dense ? 0.045 : 0.03);
              const final = Math.min(0.999, Math.max(initial + 0.01, rf + gain + shift + difficulty - slope * noise + sdRun * g.next()));
              const tau = dense ? 15 : 35;
              const reward = grid.map((k) => initial + (final - initial) * (1 - Math.exp(-k / tau)) * (k === steps ? 1 : 1 + 0.002 * g.next()));
              reward[reward.length - 1] = final;
              const h0 = Math.log(8);
              const drop = dense ? (feedback === 'binary' ? 0.22 : feedback === 'critique' ? 0.14 : 0.18) : 0.08;
              const hybridBonus = method === 'hybrid' ? 0.035 : 0;
              const entropyFinal = h0 * (1 - drop + hybridBonus + 0.01 * g.next());
              const entropy = grid.map((k) => h0 - (h0 - entropyFinal) * (1 - Math.exp(-k / tau)));
              entropy[entropy.length - 1] = entropyFinal;
              const creditLevel = dense ? 0.74 : 0.3;
              const credit = grid.map((k) => (k === 0 ? null : Math.max(-0.99, Math.min(0.99, creditLevel + 0.05 * g.next()))));
              const kl = grid.map((k) => (k === 0 || !dense ? null : 0.5 * Math.exp(-k / 40) + 0.01 * Math.abs(g.next())));
              const alpha = grid.map((k) => (k === 0 || method !== 'hybrid' ? null : 0.2 + 0.7 * (1 - Math.exp(-k / 30)) + 0.01 * g.next()));
              const cr = credit.filter((c): c is number => c !== null);
              const target = initial + 0.9 * (final - initial);
              const hit = grid.findIndex((_, i) => reward[i]! >= target);
              runs.push({
                config: { seed, method, feedback, noise, kappa, lr, vocab: 8, length: 6, group: 8, steps, evalEvery: every },
                summary: {
                  finalReward: final,
                  aucReward: reward.reduce((a, b) => a + b, 0) / reward.length,
                  entropyInitial: h0,
                  entropyFinal,
                  entropyDrop: 1 - entropyFinal / h0,
                  creditCorr: cr.reduce((a, b) => a + b, 0) / cr.length,
                  stepsTo90: final > initial && hit >= 0 ? grid[hit]! : null,
                  topSequenceProbFinal: Math.min(1, Math.max(0, 0.05 + (final - initial) * 0.5 + 0.01 * g.next())),
                },
                curves: { step: grid, reward, entropy, credit, kl, alpha },
              });
            }
          }
        }
      }
    }
  }
  return runs;
}
