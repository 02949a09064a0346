import test from 'ava';
import { analyzeStudy } from '@sdpo/aggregator';
import { figureData } from './data.js';
import { syntheticRuns } from './synthetic.js';

test('with an object-valued axis (weights), the dot plots keep the per-seed points of the reference cells', (t) => {
  const base = syntheticRuns({ methods: ['reinforce', 'sdpo'], feedbacks: ['critique', 'binary'], noises: [0], seeds: 3, steps: 10 });
  // The same grid at a second weights level: weights becomes an extra axis whose reference is the default.
  const other = base.map((r) => ({ ...r, config: { ...r.config, weights: { local: 2, coherence: 1, global: 1 } } }));
  const analysis = analyzeStudy([...base, ...other], { bootstrapResamples: 10 });
  t.deepEqual(analysis.axes.extra.map((e) => e.name), ['weights']);
  const data = figureData(analysis, [...base, ...other]);
  t.is(data.finalReward.length, 2 * 2, 'one cell point per method × channel at the reference weights');
  t.is(data.finalRewardSeeds.length, base.length, 'every run at the reference weights is a dot, and no other');
  t.is(data.entropyDropSeeds.length, base.length);
  t.deepEqual(
    data.finalRewardSeeds.map((p) => p.value),
    base.map((r) => r.summary.finalReward),
  );
});
