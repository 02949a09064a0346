import test from 'ava';
import { stratifiedBootstrap } from './bootstrap.js';
import { wilcoxon } from './hypothesis.js';
import { Xoshiro128 } from './prng.js';

test('the stratified bootstrap draws seeds within each stratum with the documented generator', (t) => {
  const strata = [Float64Array.from([0.1, 0.5, 0.9]), Float64Array.from([0.2, 0.4, 0.6, 0.8, 1.0])];
  const out = stratifiedBootstrap({ methods: [strata], poi: [], resamples: 1, seed: 5, gamma: 1, level: 0.95 });
  // One resample: the interval collapses onto that resample's statistic.
  const rng = new Xoshiro128(5);
  let sum = 0;
  for (const s of strata) for (let i = 0; i < s.length; i++) sum += s[rng.nextInt(s.length)]!;
  const expected = sum / 8;
  t.true(Math.abs(out.methods[0]!.mean.ci.lo - expected) < 1e-15);
  t.is(out.methods[0]!.mean.point, (0.1 + 0.5 + 0.9 + 0.2 + 0.4 + 0.6 + 0.8 + 1.0) / 8);
});

test('probability of improvement is P(X > Y) + ½P(X = Y), averaged over contexts', (t) => {
  const x = [Float64Array.from([1, 2, 3]), Float64Array.from([5, 5])];
  const y = [Float64Array.from([2, 2]), Float64Array.from([5, 6])];
  const out = stratifiedBootstrap({ methods: [x, y], poi: [{ x: 0, y: 1, strata: [{ sx: 0, sy: 0 }, { sx: 1, sy: 1 }] }], resamples: 10, seed: 1, gamma: 1, level: 0.95 });
  // context 1: pairs (1,2)(1,2)(2,2)(2,2)(3,2)(3,2) → (0+0+½+½+1+1)/6 = ½; context 2: (5,5)(5,6)(5,5)(5,6) → (½+0+½+0)/4 = ¼
  t.is(out.poi[0]!.point, (0.5 + 0.25) / 2);
});

test('Wilcoxon treats never-converged differences (±∞) as tied largest ranks', (t) => {
  const inf = Number.POSITIVE_INFINITY;
  const withInf = wilcoxon([inf, inf, -inf, 3, -1, 2, 5, 4, 6, 7, 8, 9, 10, 11, 12])!;
  const withBig = wilcoxon([1e9, 1e9, -1e9, 3, -1, 2, 5, 4, 6, 7, 8, 9, 10, 11, 12])!;
  t.deepEqual(withInf, withBig);
  t.is(withInf.pMethod, 'normal-approximation', 'ties and n > 13');
});

test('the same bootstrap seed gives the same distribution and a different seed another', (t) => {
  const strata = [Float64Array.from({ length: 30 }, (_, i) => Math.sin(i) ** 2)];
  const run = (seed: number) => stratifiedBootstrap({ methods: [strata], poi: [], resamples: 300, seed, gamma: 1, level: 0.95 }).methods[0]!;
  t.deepEqual(run(3), run(3));
  t.notDeepEqual(run(3).iqm.ci, run(4).iqm.ci);
});
