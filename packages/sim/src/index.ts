// Public entry of @sdpo/sim. `runSimulation` and the config/result/preset types are the
// contract other packages use; the lower-level kernels are exported for tests and tools.
export * from './config.js';
export * from './result.js';
export * from './presets.js';
export { runSimulation, createRunState, sampleBatch, computeUpdate, applyUpdate, pearson } from './run.js';
export type { RunState, RunOptions } from './run.js';
export { Rng, createStream, type StreamName } from './prng.js';
export { exp } from './libm.js';
export { wasmKernelsLoaded } from './wasm.js';
export {
  buildTask, getTask, clearTaskCache, setTaskCacheCapacity, rawReward, sequenceIndex, tokenCredit, scoreSequence,
  quantileThreshold, popcount,
} from './task.js';
export type { Task, TaskSpec, RewardWeights } from './task.js';
export {
  rowOffset, policySize, computeProbs, createSoftmaxTables, ensureRow, ensureReachable, sampleSequences,
  adamStep, exactMetrics, createExactScratch,
} from './policy.js';
export type { ExactMetrics, ExactScratch, PolicyShape, SoftmaxTables } from './policy.js';
export {
  reverseKl, forwardKl, jsd, addReverseKlGrad, addForwardKlGrad, addJsdGrad, addPolicyGrad, softmaxRow,
} from './divergence.js';
export {
  sdpoGradient, shiftedSoftmax, policyGradient, sequenceAdvantages, rlooAdvantages, grpoAdvantages, reinforceAdvantages,
  mixGradients, standardize, insertSorted, sortedMedian, feedbackScale, createSdpoScratch, mean, popStd, norm,
} from './methods.js';
export type { FeedbackBatch, StudentView, TeacherSettings, SdpoScratch } from './methods.js';
