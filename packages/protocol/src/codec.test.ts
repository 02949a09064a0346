import test from 'ava';
import { gridFromWire, gridToWire } from './codec.js';
import { ProtocolError } from './errors.js';
import { parseGridData } from './grid.js';
import { canonicalJson } from './keys.js';
import { packageDefinition } from './loader.js';

type Submit = { requestSerialize: (x: object) => Buffer; requestDeserialize: (b: Buffer) => { grid: Parameters<typeof gridFromWire>[0] } };
/** A SubmitRequest grid as the coordinator receives it: encoded and decoded by the loader's own serializers. */
const overTheWire = (grid: object) => {
  const submit = (packageDefinition()['sdpo.v1.SweepService'] as unknown as Record<string, Submit>)['Submit']!;
  const bytes = submit.requestSerialize({ grid });
  return { bytes: bytes.length, grid: submit.requestDeserialize(bytes).grid };
};

test('consecutive integers go over the wire as a range and come back as the same definition; other axes as values', (t) => {
  const def = parseGridData({
    name: 'g',
    axes: { seed: { from: 0, to: 10_000 }, method: ['reinforce', 'sdpo'], noise: [0, 0.1], steps: [1, 3], group: [5, 4] },
    fixed: { feedback: 'binary', vocab: 3, length: 2 },
  });
  const { bytes, grid } = overTheWire(gridToWire(def));
  const axes = Object.fromEntries(grid.axes.map((a) => [a.name, a]));
  t.deepEqual(axes['seed']!.range, { from: 0, to: 10_000 });
  t.deepEqual(axes['seed']!.valuesJson, []);
  // Not runs of consecutive integers: values.
  for (const name of ['method', 'noise', 'steps', 'group']) t.is(axes[name]!.range, null, name);
  t.deepEqual(axes['steps']!.valuesJson, ['1', '3']);
  t.true(bytes < 300, `${bytes} bytes`);
  const back = gridFromWire(grid);
  t.deepEqual(back, def);
  t.is(canonicalJson(back), canonicalJson(def));
  // A single integer, and a run that starts past zero.
  const small = parseGridData({ name: 's', axes: { seed: [7], vocab: { from: 3, to: 5 } }, fixed: { method: 'sdpo', feedback: 'binary', noise: 0, length: 2 } });
  const smallWire = overTheWire(gridToWire(small)).grid;
  t.deepEqual(smallWire.axes.map((a) => [a.name, a.range, a.valuesJson]), [['seed', null, ['7']], ['vocab', { from: 3, to: 5 }, []]]);
  t.deepEqual(gridFromWire(smallWire), small);
});

test('a wire range is checked as in a grid file, and an axis with both values and a range is refused', (t) => {
  const grid = (seed: object) => ({ name: 'g', axes: [{ name: 'seed', ...seed }], fixed: [{ name: 'method', valueJson: '"sdpo"' }, { name: 'feedback', valueJson: '"binary"' }, { name: 'noise', valueJson: '0' }], maxAttempts: 0 });
  const refused = (seed: object) => {
    const err = t.throws(() => gridFromWire(overTheWire(grid(seed)).grid));
    t.true(err instanceof ProtocolError);
    t.is((err as ProtocolError).code, 'INVALID_GRID');
    return err!.message;
  };
  t.regex(refused({ range: { from: 0, to: 3 }, valuesJson: ['5'] }), /axes\.seed: give values or a range, not both/);
  t.regex(refused({ range: { from: 5, to: 5 } }), /axes\.seed.*empty range/);
  t.regex(refused({ range: { from: 0.5, to: 3 } }), /axes\.seed/);
  t.regex(refused({ range: { from: -2, to: 2 } }), /axes\.seed\[0\]: .*\(value -2\)/);
  t.deepEqual(gridFromWire(overTheWire(grid({ range: { from: 2, to: 5 } })).grid).grid.axes['seed'], [2, 3, 4]);
  // A huge range is refused by its length: expanding it first killed the coordinator (V8 heap).
  const huge = t.throws(() => gridFromWire(overTheWire(grid({ range: { from: 0, to: 1e12 } })).grid), { instanceOf: ProtocolError });
  t.is((huge as ProtocolError).code, 'GRID_TOO_LARGE');
});

test('an axis or fixed field given twice in a SubmitRequest is refused, as a grid file refuses duplicate keys', (t) => {
  const fixed = [{ name: 'method', valueJson: '"sdpo"' }, { name: 'feedback', valueJson: '"binary"' }, { name: 'noise', valueJson: '0' }];
  const twiceAxis = { name: 'g', axes: [{ name: 'seed', valuesJson: ['1'] }, { name: 'seed', valuesJson: ['2'] }], fixed, maxAttempts: 0 };
  t.throws(() => gridFromWire(overTheWire(twiceAxis).grid), { instanceOf: ProtocolError, message: /axes\.seed: the axis is given twice/ });
  const twiceFixed = { name: 'g', axes: [{ name: 'seed', valuesJson: ['1'] }], fixed: [...fixed, { name: 'noise', valueJson: '0.1' }], maxAttempts: 0 };
  t.throws(() => gridFromWire(overTheWire(twiceFixed).grid), { instanceOf: ProtocolError, message: /fixed\.noise: the field is given twice/ });
});
