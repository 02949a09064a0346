/**
 * `@sdpo/aggregator`: pure statistics across seeds — cell summaries, paired
 * comparisons, rliable aggregates, seed planning and claim verdicts.
 * Main entry: {@link analyzeStudy}. The building blocks are exported too,
 * for reports and scripts that need a single statistic.
 */
export * from './types.js';
export { analyzeStudy, AggregatorError } from './analyze.js';
export { combineVerdicts, decide } from './claims.js';
export { bcaInterval, percentileInterval, stratifiedBootstrap } from './bootstrap.js';
export { iqmSorted, mean, medianSorted, percentileSorted, quantileSorted, sd, sorted, tInterval, variance, fisherZ } from './describe.js';
export { fCdf, nctCdf, normalCdf, normalQuantile, tCdf, tQuantile } from './dist.js';
export { pairedTPower, planSeeds, MAX_PLANNED_SEEDS } from './power.js';
export { Xoshiro128 } from './prng.js';
export {
  a12, benjaminiHochberg, cohenDz, hedgesG, holm, mannWhitney, oneSampleT, pageTrend, pairedT, pitmanMorgan, welchT, wilcoxon,
} from './hypothesis.js';
export { syntheticRuns, type SyntheticOptions } from './synthetic.js';
export { cellIdOf, contextId, FEEDBACK_ORDER, levelOf, METHOD_ORDER } from './study.js';
