import test from 'ava';
import { parseRunConfig, expandPreset } from '@sdpo/sim';

test('the smoke preset expands to 24 valid configs, seed-major', (t) => {
  const runs = expandPreset('smoke');
  t.is(runs.length, 24);
  t.deepEqual(runs.map((r) => r.seed), [...Array(8).fill(0), ...Array(8).fill(1), ...Array(8).fill(2)]);
  for (const r of runs) t.true(parseRunConfig(r).ok);
});
