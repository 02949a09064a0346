import test from 'ava';
import { gridSize, iterateGrid, parseRunConfigWithSchema, PRESETS, resolveRunConfig, SIM_VERSION } from '@sdpo/sim';
import { taskKey } from './keys.js';
import { configAt, expandSweep, parseGridData, parseGridText } from './grid.js';
import { ProtocolError } from './errors.js';

const spec = `name: noise-robustness
axes:
  seed: {from: 0, to: 3}
  method: [reinforce, sdpo, hybrid]
  feedback: [critique, binary]
  noise: [0, 0.5]
fixed:
  steps: 20
maxAttempts: 2
`;

test('a YAML grid file expands ranges, keeps fixed fields and maxAttempts', (t) => {
  const def = parseGridText(spec, 'g.yaml');
  t.is(def.name, 'noise-robustness');
  t.deepEqual(def.grid.axes['seed'], [0, 1, 2]);
  t.deepEqual(def.grid.fixed, { steps: 20 });
  t.is(def.maxAttempts, 2);
  t.is(gridSize(def.grid), 36);
});

test('a JSON grid file parses to the same definition as its YAML twin', (t) => {
  const json = JSON.stringify({
    name: 'noise-robustness', axes: { seed: { from: 0, to: 3 }, method: ['reinforce', 'sdpo', 'hybrid'], feedback: ['critique', 'binary'], noise: [0, 0.5] },
    fixed: { steps: 20 }, maxAttempts: 2,
  });
  t.deepEqual(parseGridText(json, 'g.json'), parseGridText(spec, 'g.yaml'));
});

test('a preset grid can be extended: file axes replace the preset axis of the same name', (t) => {
  const def = parseGridText('name: more-seeds\npreset: smoke\naxes:\n  seed: {from: 0, to: 5}\n', 'p.yaml');
  t.is(gridSize(def.grid), 5 * 8);
  t.deepEqual(def.grid.fixed, PRESETS.smoke.fixed);
});

test('expansion is seed-major, deterministic and matches iterateGrid', (t) => {
  const def = parseGridText(spec, 'g.yaml');
  const tasks = [...expandSweep(def, SIM_VERSION)];
  const cells = [...iterateGrid(def.grid)];
  t.is(tasks.length, cells.length);
  t.deepEqual(tasks.map((x) => x.config.seed), cells.map((c) => c['seed']));
  t.deepEqual(tasks.slice(0, 12).map((x) => x.config.seed), Array(12).fill(0));
  t.deepEqual([...expandSweep(def, SIM_VERSION)].map((x) => x.key), tasks.map((x) => x.key));
});

test('configAt gives the same config as the expansion at every index', (t) => {
  const def = parseGridText(spec, 'g.yaml');
  for (const task of expandSweep(def, SIM_VERSION)) t.deepEqual(configAt(def, task.index), task.config);
});

const problem = (text: string, source = 'g.yaml'): ProtocolError => {
  try {
    parseGridText(text, source);
  } catch (err) {
    if (err instanceof ProtocolError) return err;
    throw err;
  }
  throw new Error('expected a ProtocolError');
};

test('unknown axes, fields and top-level keys are errors naming them', (t) => {
  t.regex(problem('name: x\naxes:\n  temp: [1]\n').message, /axes\.temp: unknown run field 'temp'/);
  t.regex(problem('name: x\naxes:\n  seed: [0]\nfixed:\n  temp: 1\n').message, /fixed\.temp: unknown run field/);
  t.regex(problem('name: x\naxs:\n  seed: [0]\n').message, /unknown field 'axs'/);
});

test('a bad axis value is reported with its index and value', (t) => {
  const e = problem('name: x\naxes:\n  seed: [0]\n  method: [sdpo, ppo]\n  feedback: [binary]\n  noise: [0, -1]\n');
  t.is(e.code, 'INVALID_GRID');
  t.regex(e.message, /axes\.method\[1\]: .*"ppo"/);
  t.regex(e.message, /axes\.noise\[1\]: .*-1/);
  t.regex(problem('name: x\naxes:\n  seed: [0]\n  method: [sdpo]\n  feedback: [binary]\n  noise: ["a"]\n').message, /axes\.noise\[0\]: .*expected number/);
  // Seeds past the first are checked without a probe config each; the bad ones still get the schema's words.
  const seeds = problem('name: x\naxes:\n  seed: [0, 1, -2, 3.5, "4", 9007199254740992, 5]\n  method: [sdpo]\n  feedback: [binary]\n  noise: [0]\n');
  t.deepEqual([...new Set(seeds.issues.map((i) => i.path.join('.')))], ['axes.seed.2', 'axes.seed.3', 'axes.seed.4', 'axes.seed.5']);
  t.regex(seeds.message, /axes\.seed\[2\]: .*>=0.* \(value -2\)/);
  t.regex(seeds.message, /axes\.seed\[3\]: .*expected int.* \(value 3\.5\)/);
});

test('empty axes, empty ranges and missing required fields are errors', (t) => {
  t.regex(problem('name: x\naxes:\n  seed: []\n').message, /axes\.seed: an axis needs at least one value/);
  t.regex(problem('name: x\naxes:\n  seed: {from: 3, to: 3}\n').message, /axes\.seed: empty range/);
  t.regex(problem('name: x\naxes:\n  seed: [0]\n  method: [sdpo]\n  noise: [0]\n').message, /feedback: required run field/);
});

test('a grid too large is refused from its axes\' lengths, before a range is expanded', (t) => {
  // A range of 10^12 seeds used to be expanded into an array first and exhausted the heap.
  const huge = t.throws(() => parseGridData({ name: 'x', axes: { seed: { from: 0, to: 1e12 }, method: ['sdpo'], feedback: ['binary'], noise: [0] } }), { instanceOf: ProtocolError });
  t.is((huge as ProtocolError).code, 'GRID_TOO_LARGE');
  t.regex(huge!.message, /the grid has 1000000000000 runs; at most 10000000 per sweep/);
  // Two ranges each within the limit whose product is not.
  const product = t.throws(() => parseGridData({ name: 'x', axes: { seed: { from: 0, to: 5_000_000 }, group: { from: 2, to: 6 }, method: ['sdpo'], feedback: ['binary'], noise: [0] } }), { instanceOf: ProtocolError });
  t.is((product as ProtocolError).code, 'GRID_TOO_LARGE');
  t.regex(product!.message, /20000000 runs/);
});

test('YAML and JSON syntax errors name the line', (t) => {
  const y = problem('name: x\naxes:\n  seed: [0, 1\n  method: [sdpo]\n');
  t.is(y.code, 'GRID_SYNTAX');
  t.regex(y.message, /^g\.yaml:\d+:\d+: YAML syntax error/);
  const j = problem('{\n  "name": "x",\n  "axes": {,}\n}', 'g.json');
  t.is(j.code, 'GRID_SYNTAX');
  t.regex(j.message, /^g\.json(:3)?: JSON syntax error/);
});

test('a cell that fails only as a whole (vocab^length too large) is reported during expansion', (t) => {
  const def = parseGridData({ name: 'x', axes: { seed: [0], method: ['sdpo'], feedback: ['binary'], noise: [0], vocab: [8, 32], length: [2, 6] } });
  const err = t.throws(() => [...expandSweep(def, SIM_VERSION)], { instanceOf: ProtocolError });
  t.regex(err.message, /cell\[3\]\.length: .*vocab=32.*length=6/);
});

test('the fast resolver gives exactly the configs and keys of a full zod parse and hash per cell', (t) => {
  const def = parseGridText('name: x\naxes:\n  seed: {from: 0, to: 4}\n  method: [sdpo, hybrid]\n  feedback: [critique, binary]\n  vocab: [4, 8]\nfixed:\n  steps: 3\n  noise: 0.1\n', 'x.yaml');
  let n = 0;
  for (const task of expandSweep(def, SIM_VERSION)) {
    const r = parseRunConfigWithSchema([...iterateGrid(def.grid)][task.index]);
    if (!r.ok) return t.fail(`cell ${task.index} refused by the schema`);
    const full = r.value;
    t.deepEqual(task.config, full);
    t.is(task.key, taskKey(full, SIM_VERSION));
    n++;
  }
  t.is(n, 32);
});
