import test from 'ava';
import { analyzeStudy } from './analyze.js';
import { holm } from './hypothesis.js';
import { syntheticRuns } from './synthetic.js';

const seeds = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

test('a κ sweep with one series per channel counts each crossover test once in the finalReward family', (t) => {
  // κ is the only extra axis: each channel has one series, so its per-channel "average" is that series itself.
  const runs = syntheticRuns({ seeds: seeds(8), methods: ['reinforce', 'sdpo'], feedbacks: ['critique', 'binary'], noises: [0.1], kappas: [0.5, 1, 4], seed: 7 });
  const a = analyzeStudy(runs, { bootstrapResamples: 10 });
  const rows = a.comparisons.filter((c) => c.metric === 'finalReward' && c.p !== null);
  // Every crossover test is a table row here, so the family is exactly the table's rows.
  t.deepEqual(rows.map((c) => c.pHolm), holm(rows.map((c) => c.p!)));
  const kc = a.kappaCrossover!;
  for (const ch of kc.byChannel) {
    const series = kc.series.find((s) => s.feedback === ch.feedback)!;
    t.deepEqual(ch.points, series.points, `${ch.feedback}: the pooled points are the series' points`);
    t.is(ch.crossover, series.crossover);
  }
  // The binary κ = 1 point: Holm over the 6 comparisons gives p < 0.05; counted twice (12 tests) it did not.
  const binary = kc.series.find((s) => s.feedback === 'binary')!;
  const k1 = binary.points.find((p) => p.kappa === 1)!;
  t.true(k1.pHolm! < 0.05 && k1.significantlyAbove);
  t.is(binary.crossover, 1);
});

test('with REINFORCE run at one κ only and one series per channel, the fallback tests also join the family once', (t) => {
  const kappas = [0.5, 1, 4];
  const sdpo = syntheticRuns({ seeds: seeds(8), methods: ['sdpo'], feedbacks: ['critique', 'binary'], noises: [0.1], kappas, seed: 7 });
  const rf = syntheticRuns({ seeds: seeds(8), methods: ['reinforce'], feedbacks: ['critique', 'binary'], noises: [0.1], kappas: [1], seed: 7 });
  const a = analyzeStudy([...sdpo, ...rf], { bootstrapResamples: 10 });
  const rows = a.comparisons.filter((c) => c.metric === 'finalReward' && c.p !== null);
  const kc = a.kappaCrossover!;
  // Rows at κ = 1 are the series' κ = 1 points; the other κ pair with REINFORCE at κ = 1 and are extra tests, once each.
  const extra = kc.series.flatMap((s) => s.points.filter((p) => p.kappa !== 1).map((p) => p.p!));
  t.is(extra.length, 2 * 2);
  const family = holm([...rows.map((c) => c.p!), ...extra]);
  t.deepEqual(rows.map((c) => c.pHolm), family.slice(0, rows.length));
  t.deepEqual(kc.series.flatMap((s) => s.points.filter((p) => p.kappa !== 1).map((p) => p.pHolm)), family.slice(rows.length));
  for (const ch of kc.byChannel) t.deepEqual(ch.points, kc.series.find((s) => s.feedback === ch.feedback)!.points);
});
