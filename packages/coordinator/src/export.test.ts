import test from 'ava';
import { runSimulation } from '@sdpo/sim';
import { exportHeader, exportLine } from './export.js';

test('a CSV export has a column for every config field, nested weights and hybrid settings included', (t) => {
  const result = runSimulation({ seed: 1, method: 'hybrid', feedback: 'binary', noise: 0.1, steps: 2, vocab: 3, length: 2, weights: { local: 2, coherence: 0, global: 1 }, hybrid: { alphaMin: 0.1, alphaMax: 0.7, warmup: 3 } });
  const header = exportHeader('csv').trimEnd().split(',');
  const row = exportLine('csv', { index: 7, key: 'ab'.repeat(32), result }).trimEnd().split(',');
  t.is(row.length, header.length);
  t.is(new Set(header).size, header.length, 'no column twice');
  const cell = (name: string) => row[header.indexOf(name)];
  t.deepEqual(
    ['weights.local', 'weights.coherence', 'weights.global', 'hybrid.alphaMin', 'hybrid.alphaMax', 'hybrid.warmup'].map(cell),
    ['2', '0', '1', '0.1', '0.7', '3'],
  );
  t.is(cell('seed'), '1');
  t.is(cell('finalReward'), String(result.summary.finalReward));
});
