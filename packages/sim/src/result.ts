import type { RunConfig } from './config.js';

/**
 * Curves recorded at k = 0, every `evalEvery` steps and at S (spec §7).
 * All arrays have the same length as `step`. Batch metrics are null at k = 0
 * and where no step since the previous point had a value.
 */
export interface RunCurves {
  /** Training step of each point (0 = initial policy). */
  readonly step: number[];
  /** E_π[R], exact. */
  readonly reward: number[];
  /** H(Y)/T in nats, exact. */
  readonly entropy: number[];
  /** Probability of the most likely sequence, exact. */
  readonly topSequenceProb: number[];
  /** Mean Pearson r between per-token advantage and g_t over the steps since the previous point. */
  readonly credit: (number | null)[];
  /** Mean D̄ (teacher–student KL(π‖q)), sdpo and hybrid only. */
  readonly kl: (number | null)[];
  /** Mean α, hybrid only. */
  readonly alpha: (number | null)[];
}

/** Summary fields of spec §7. */
export interface RunSummary {
  readonly finalReward: number;
  readonly initialReward: number;
  readonly aucReward: number;
  readonly entropyInitial: number;
  readonly entropyFinal: number;
  readonly entropyDrop: number;
  /** Mean over the steps that had an r; null when none had. */
  readonly creditCorr: number | null;
  readonly creditSteps: number;
  /** First curve step with reward ≥ initial + 0.9·(final − initial); null when final ≤ initial. */
  readonly stepsTo90: number | null;
  readonly topSequenceProbFinal: number;
}

/** Everything a run produces. All but `timing` is deterministic. */
export interface RunResult {
  readonly simVersion: string;
  readonly config: RunConfig;
  readonly summary: RunSummary;
  readonly curves: RunCurves;
  readonly timing: { readonly wallMs: number };
}

/** Names of the curve series, in canonical order. */
export const CURVE_KEYS = ['step', 'reward', 'entropy', 'topSequenceProb', 'credit', 'kl', 'alpha'] as const satisfies readonly (keyof RunCurves)[];
/** Names of the summary fields, in canonical order. */
export const SUMMARY_KEYS = [
  'finalReward', 'initialReward', 'aucReward', 'entropyInitial', 'entropyFinal', 'entropyDrop',
  'creditCorr', 'creditSteps', 'stepsTo90', 'topSequenceProbFinal',
] as const satisfies readonly (keyof RunSummary)[];
