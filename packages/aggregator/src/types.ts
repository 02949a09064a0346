/**
 * Input and output types of `@sdpo/aggregator` (spec aggregation.md).
 *
 * The aggregator imports nothing of ours, so the input is a structural type
 * that `@sdpo/sim`'s `RunResult` satisfies; extra fields are ignored.
 * Every output is plain JSON data (no `Infinity`, no `NaN`, no classes):
 * a value that cannot be computed is `null`, and the reason is in a field or
 * a warning. `report` renders these types; `summary.json` is a
 * `StudyAnalysis` serialized as is.
 *
 * Conventions used throughout:
 * - SD is the SAMPLE standard deviation (divide by n − 1): these are
 *   statistics over seeds, unlike the simulation spec's population SDs.
 * - Intervals are two-sided 95% unless `level` says otherwise.
 * - p-values are two-sided unless a field says otherwise.
 * - "Significant" means Holm-adjusted p < 0.05 (spec §2).
 */

// ---------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------

/** The config fields the aggregator reads. `RunConfig` of `@sdpo/sim` satisfies it. */
export interface StudyRunConfig {
  readonly seed: number;
  readonly method: string;
  readonly feedback: string;
  /** Feedback noise σ. */
  readonly noise: number;
  readonly kappa?: number;
  readonly lr?: number;
  readonly vocab?: number;
  readonly length?: number;
  readonly group?: number;
  readonly steps?: number;
  readonly emaRate?: number;
  readonly divergence?: string;
  readonly jsdBeta?: number;
  readonly binaryQuantile?: number;
  readonly evalEvery?: number;
  readonly weights?: { readonly local: number; readonly coherence: number; readonly global: number };
  readonly hybrid?: { readonly alphaMin: number; readonly alphaMax: number; readonly warmup: number };
}

/** The summary fields the aggregator reads (sim spec §7). */
export interface StudyRunSummary {
  readonly finalReward: number;
  readonly aucReward: number;
  readonly entropyInitial?: number;
  readonly entropyFinal: number;
  readonly entropyDrop: number;
  /** Null when no step had a Pearson r. */
  readonly creditCorr: number | null;
  /** Null when the run never converged (final ≤ initial): counted as +∞ steps. */
  readonly stepsTo90: number | null;
  readonly topSequenceProbFinal: number;
}

/** The curve series the aggregator reads; all arrays as long as `step`. */
export interface StudyRunCurves {
  readonly step: readonly number[];
  readonly reward: readonly number[];
  readonly entropy: readonly number[];
  readonly credit: readonly (number | null)[];
  readonly kl: readonly (number | null)[];
  readonly alpha: readonly (number | null)[];
}

/** One run's result, as `analyzeStudy` needs it. `RunResult` of `@sdpo/sim` is one. */
export interface StudyRun {
  readonly config: StudyRunConfig;
  readonly summary: StudyRunSummary;
  readonly curves: StudyRunCurves;
}

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/** A comparison pair: `method` is compared against `baseline` (difference = method − baseline). */
export interface MethodPair {
  readonly method: string;
  readonly baseline: string;
}

export interface AnalyzeOptions {
  /** Bootstrap resamples for the rliable aggregates (§3). Default 10,000. */
  readonly bootstrapResamples?: number;
  /** Seed of the aggregator's own PRNG; the same seed gives identical intervals. Default 0. */
  readonly bootstrapSeed?: number;
  /**
   * Pairs to compare within each cell (§2). Default: every method present vs
   * `reinforce`, and `hybrid` vs `sdpo`. Pairs whose methods are absent are skipped.
   */
  readonly pairs?: readonly MethodPair[];
  /** Paired difference (in finalReward units) the seed planner sizes for. Default 0.05. */
  readonly plannedDifference?: number;
  /** Target power of the seed planner. Default 0.8. */
  readonly plannedPower?: number;
  /**
   * Level of each extra axis (kappa, lr, …) used for the claims and the
   * default-setting views. Default: the spec default when present among the
   * values (lr 0.05, κ = ln(V − 1)), otherwise the smallest value, with a warning.
   */
  readonly reference?: Readonly<Record<string, number | string>>;
}

/** Options after defaults, echoed in the output so a reader can rerun. */
export interface ResolvedOptions {
  readonly bootstrapResamples: number;
  readonly bootstrapSeed: number;
  readonly pairs: readonly MethodPair[];
  readonly plannedDifference: number;
  readonly plannedPower: number;
  /** Significance level used everywhere: 0.05. */
  readonly alpha: number;
}

// ---------------------------------------------------------------------------
// Basic values
// ---------------------------------------------------------------------------

/** A two-sided interval [lo, hi] at `level` (0.95). */
export interface Interval {
  readonly lo: number;
  readonly hi: number;
  readonly level: number;
}

export const METRIC_NAMES = [
  'finalReward', 'aucReward', 'creditCorr', 'entropyFinal', 'entropyDrop', 'stepsTo90', 'topSequenceProbFinal',
] as const;
/** The per-run summary metrics analysed per cell (spec §1). */
export type MetricName = (typeof METRIC_NAMES)[number];

export const CURVE_NAMES = ['reward', 'entropy', 'credit', 'kl', 'alpha'] as const;
/** The curve series summarised pointwise per cell. */
export type CurveName = (typeof CURVE_NAMES)[number];

/** A value of an extra config axis (kappa, lr, divergence, …). */
export type AxisLevel = number | string;

// ---------------------------------------------------------------------------
// §1 Cells
// ---------------------------------------------------------------------------

/** What identifies a cell: method × feedback × noise × every other config field that varies in the study. */
export interface CellKey {
  readonly method: string;
  readonly feedback: string;
  readonly noise: number;
  /**
   * Levels of the other varying config fields (e.g. `{ kappa: 1, lr: 0.03 }`
   * in the sensitivity preset; `{}` in the default preset). Object-valued
   * fields (weights, hybrid) appear as their canonical JSON string.
   */
  readonly axes: Readonly<Record<string, AxisLevel>>;
}

/**
 * Statistics of one metric over the seeds of a cell.
 *
 * - Linear metrics: everything over the n runs.
 * - `creditCorr` (`scale: 'fisher-z'`): runs with a null r are left out (`missing`);
 *   `mean` and `ci` are computed on atanh(r) (|r| clipped to 1 − 1e-12) and
 *   back-transformed with tanh; `sd` is the SD of atanh(r) (z units);
 *   median, IQM, min, max are of r itself.
 * - `stepsTo90` (`scale: 'steps-infinite'`): non-converged runs count as +∞.
 *   `median`, `iqm`, `max` are null when they would be +∞; `mean`, `sd`, `ci`
 *   are over the converged runs only (descriptive; compare with rank tests).
 */
export interface MetricStats {
  readonly metric: MetricName;
  readonly scale: 'linear' | 'fisher-z' | 'steps-infinite';
  /** Runs that entered the statistics (for stepsTo90, all runs including the non-converged). */
  readonly n: number;
  /** Runs of the cell without a value (creditCorr null). */
  readonly missing: number;
  readonly mean: number | null;
  /** Sample SD (n − 1); null when fewer than 2 values. */
  readonly sd: number | null;
  /** 95% t-interval of the mean; null when fewer than 2 values. */
  readonly ci: Interval | null;
  readonly median: number | null;
  /** Mean after dropping floor(n/4) values from each end. */
  readonly iqm: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** stepsTo90 only: how many runs reached 90% of their improvement. Null for other metrics. */
  readonly converged: { readonly count: number; readonly fraction: number } | null;
}

/**
 * Pointwise mean and 95% t-interval of one curve at each recorded step.
 * Runs are aligned by step value; at a step, null values are left out
 * (`n` says how many runs contributed). Entries are null where n = 0
 * (mean) or n < 2 (lo, hi).
 */
export interface CurveBand {
  readonly curve: CurveName;
  readonly step: readonly number[];
  readonly n: readonly number[];
  readonly mean: readonly (number | null)[];
  readonly lo: readonly (number | null)[];
  readonly hi: readonly (number | null)[];
}

export interface Cell {
  /** Stable id, e.g. `sdpo|binary|0.1` or `sdpo|binary|0.1|kappa=1|lr=0.03`. */
  readonly id: string;
  readonly key: CellKey;
  /** Number of runs (seeds). */
  readonly n: number;
  /** Seeds, ascending. */
  readonly seeds: readonly number[];
  readonly metrics: Readonly<Record<MetricName, MetricStats>>;
  readonly curves: Readonly<Record<CurveName, CurveBand>>;
}

// ---------------------------------------------------------------------------
// §2 Comparisons
// ---------------------------------------------------------------------------

/** How a rank test's p was obtained, following scipy's `method='auto'` rules. */
export type RankPMethod = 'exact' | 'exact-permutation' | 'normal-approximation';

export interface ParametricTest {
  /** `paired-t` (shared seeds) or `welch-t` (independent samples). */
  readonly test: 'paired-t' | 'welch-t';
  /** t; null when the SD of the differences is 0 (t = ±∞ or undefined; p is then 0 or 1). */
  readonly statistic: number | null;
  readonly df: number;
  readonly p: number;
}

export interface RankTest {
  /** `wilcoxon` (signed-rank, zeros dropped) or `mann-whitney` (U, two-sided). */
  readonly test: 'wilcoxon' | 'mann-whitney';
  /** Wilcoxon: min(R+, R−) as scipy reports it; Mann-Whitney: U of `method`. */
  readonly statistic: number;
  readonly p: number;
  readonly pMethod: RankPMethod;
}

export interface EffectSizes {
  /** Mean paired difference / SD of the differences (paired design only). */
  readonly dz: number | null;
  /** Hedges' g: Cohen's d with pooled SD, small-sample corrected by J = 1 − 3/(4(nA + nB) − 9). */
  readonly hedgesG: number | null;
  /** A12 = P(X > Y) + ½P(X = Y) over all (method run, baseline run) pairs. */
  readonly a12: number;
}

/** One method vs one baseline on one metric in one context (a cell without its method). */
export interface Comparison {
  /** `metric|method-vs-baseline|context`. */
  readonly id: string;
  readonly metric: MetricName;
  readonly method: string;
  readonly baseline: string;
  /** Cell ids of the two sides. */
  readonly cellId: string;
  readonly baselineCellId: string;
  readonly feedback: string;
  readonly noise: number;
  readonly axes: Readonly<Record<string, AxisLevel>>;
  /**
   * `paired` when every seed is present on both sides (seeds shared); otherwise
   * `independent` (Welch + Mann-Whitney) and `designNote` says why.
   */
  readonly design: 'paired' | 'independent';
  readonly designNote: string;
  /** Scale of `diff`: r-comparisons run on atanh(r) (`fisher-z`); stepsTo90 in steps with +∞ (`rank-only`). */
  readonly scale: 'linear' | 'fisher-z' | 'rank-only';
  /** Paired: number of pairs. Independent: nA + nB. */
  readonly n: number;
  readonly nMethod: number;
  readonly nBaseline: number;
  /** Mean difference method − baseline (on `scale`); null for rank-only. */
  readonly diff: number | null;
  /** Paired t-interval (or Welch interval) of `diff`. */
  readonly ci: Interval | null;
  /** Null for rank-only metrics (stepsTo90). */
  readonly parametric: ParametricTest | null;
  /** Null when the rank test is undefined (e.g. every paired difference is 0). */
  readonly rank: RankTest | null;
  readonly effect: EffectSizes;
  /** The p the family correction uses: `parametric.p`, or `rank.p` for rank-only metrics. */
  readonly p: number | null;
  /** Holm-adjusted p over every comparison of this metric. */
  readonly pHolm: number | null;
  /** Benjamini-Hochberg q-value over every comparison of this metric. */
  readonly qBH: number | null;
  /** pHolm < 0.05. */
  readonly significant: boolean;
}

// ---------------------------------------------------------------------------
// §3 rliable aggregates
// ---------------------------------------------------------------------------

/** A point estimate with a 95% stratified-bootstrap percentile interval. */
export interface BootstrapEstimate {
  readonly point: number;
  readonly ci: Interval;
}

/** Aggregates of finalReward for one method over all its cells × seeds. */
export interface MethodAggregate {
  readonly method: string;
  readonly cells: number;
  readonly runs: number;
  readonly iqm: BootstrapEstimate;
  readonly mean: BootstrapEstimate;
  readonly median: BootstrapEstimate;
  /** mean(max(0, γ − x)) with γ = 1 (reward's optimum); lower is better. */
  readonly optimalityGap: BootstrapEstimate;
}

/** P(X > Y) (+ ½ ties) between two methods' runs, averaged over their shared contexts. */
export interface ProbabilityOfImprovement {
  readonly method: string;
  readonly versus: string;
  /** Contexts (cells without method) where both methods have runs. */
  readonly contexts: number;
  readonly estimate: BootstrapEstimate;
}

export interface RliableAggregates {
  readonly metric: 'finalReward';
  readonly resamples: number;
  readonly seed: number;
  readonly gamma: number;
  /** Describes the resampling: seeds resampled with replacement within each cell. */
  readonly scheme: string;
  readonly methods: readonly MethodAggregate[];
  readonly probabilityOfImprovement: readonly ProbabilityOfImprovement[];
}

// ---------------------------------------------------------------------------
// §4 Warnings and planning
// ---------------------------------------------------------------------------

export type WarningCode =
  | 'small-cell'
  | 'unpaired-design'
  | 'unmatched-seeds'
  | 'missing-baseline'
  | 'reference-level'
  | 'missing-values'
  | 'mixed-curve-steps'
  | 'claim-data-missing'
  | 'duplicate-seed';

export interface AnalysisWarning {
  readonly code: WarningCode;
  readonly message: string;
  /** Cells the warning is about (may be empty). */
  readonly cellIds: readonly string[];
}

/** Seeds needed for a paired t-test (two-sided, α = 0.05) to reach the target power. */
export interface SeedPlanRow {
  readonly comparisonId: string;
  readonly metric: MetricName;
  readonly method: string;
  readonly baseline: string;
  readonly feedback: string;
  readonly noise: number;
  readonly axes: Readonly<Record<string, AxisLevel>>;
  /** Pilot SD of the paired differences. */
  readonly sdDiff: number;
  /** Difference to detect (the option `plannedDifference`). */
  readonly difference: number;
  readonly power: number;
  /** Seeds needed; null when more than the planner's limit (100,000) or sdDiff = 0 with difference 0. */
  readonly seeds: number | null;
  /** Power with the pilot's own number of seeds. */
  readonly powerNow: number;
  readonly pilotSeeds: number;
}

// ---------------------------------------------------------------------------
// §5 Claims
// ---------------------------------------------------------------------------

export type Verdict = 'supported' | 'direction only' | 'not supported' | 'inconclusive';

/** One measured piece of evidence for a claim (e.g. one channel, or the pooled measure). */
export interface ClaimPart {
  readonly label: string;
  /** Primary parts decide the verdict; secondary ones are shown for context. */
  readonly role: 'primary' | 'secondary';
  /** What was measured, e.g. `paired t on finalReward, sdpo − reinforce`. */
  readonly measure: string;
  readonly estimate: number | null;
  readonly ci: Interval | null;
  /** p of the direction test (adjusted as `pAdjustment` says); null when not testable. */
  readonly p: number | null;
  readonly pAdjustment: string;
  readonly n: number;
  /** Claimed magnitude range for `estimate`; null when the claim states no magnitude. */
  readonly claimed: { readonly lo: number; readonly hi: number } | null;
  readonly verdict: Verdict;
  readonly cellIds: readonly string[];
  readonly note: string;
}

export interface ClaimResult {
  /** 1..9 in the spec's order. */
  readonly id: number;
  /** The claim as the deck states it. */
  readonly statement: string;
  /** How it is measured here (pre-registered; see docs/claims.md). */
  readonly measurement: string;
  /** The verdict rule applied. */
  readonly rule: string;
  readonly verdict: Verdict;
  /** The headline numbers (from the first primary part, or the pooled measure). */
  readonly estimate: number | null;
  /** Which part the headline numbers come from: they need not decide the verdict (a secondary part's p is unadjusted). */
  readonly headline: { readonly label: string; readonly role: ClaimPart['role']; readonly pAdjustment: string } | null;
  readonly ci: Interval | null;
  readonly p: number | null;
  readonly n: number;
  readonly cellIds: readonly string[];
  readonly parts: readonly ClaimPart[];
  readonly notes: readonly string[];
}

/** SDPO − REINFORCE final reward at one κ (paired at seed and every other axis). */
export interface KappaPoint {
  readonly kappa: number;
  readonly n: number;
  readonly diff: number | null;
  readonly ci: Interval | null;
  /** Paired t p (two-sided). */
  readonly p: number | null;
  /** Holm-adjusted over every finalReward comparison of the analysis (the comparisons table's rows and the crossover's own tests). */
  readonly pHolm: number | null;
  /** pHolm < 0.05 and diff > 0. */
  readonly significantlyAbove: boolean;
}

/** One curve of the difference-vs-κ figure: a channel at fixed other axes. */
export interface KappaSeries {
  readonly feedback: string;
  readonly noise: number;
  /** Other fixed axes (e.g. `{ lr: 0.03 }`); `{}` when none vary. */
  readonly axes: Readonly<Record<string, AxisLevel>>;
  readonly points: readonly KappaPoint[];
  /** Smallest κ with SDPO significantly above REINFORCE; null when none. */
  readonly crossover: number | null;
  /** Smallest κ from which every larger κ is significantly above too; null when none. */
  readonly stableCrossover: number | null;
}

export interface KappaCrossover {
  readonly kappas: readonly number[];
  readonly series: readonly KappaSeries[];
  /**
   * Per channel: the smallest κ at which the per-seed difference averaged over
   * the other axes' levels (e.g. lr) is significantly above 0.
   */
  readonly byChannel: readonly { readonly feedback: string; readonly crossover: number | null; readonly points: readonly KappaPoint[] }[];
  readonly note: string;
}

// ---------------------------------------------------------------------------
// The whole analysis
// ---------------------------------------------------------------------------

export interface StudyAxes {
  readonly methods: readonly string[];
  readonly feedbacks: readonly string[];
  readonly noises: readonly number[];
  readonly seeds: readonly number[];
  /** Other config fields that vary across runs, with their sorted levels. */
  readonly extra: readonly { readonly name: string; readonly levels: readonly AxisLevel[] }[];
}

export interface StudyAnalysis {
  readonly schemaVersion: 1;
  readonly runs: number;
  readonly axes: StudyAxes;
  /** Levels of the extra axes used for the claims and seed plan. */
  readonly reference: Readonly<Record<string, AxisLevel>>;
  readonly options: ResolvedOptions;
  readonly cells: readonly Cell[];
  readonly comparisons: readonly Comparison[];
  readonly aggregates: RliableAggregates;
  readonly seedPlan: readonly SeedPlanRow[];
  readonly claims: readonly ClaimResult[];
  /** Null when the study has no κ axis with at least two levels. */
  readonly kappaCrossover: KappaCrossover | null;
  readonly warnings: readonly AnalysisWarning[];
}
