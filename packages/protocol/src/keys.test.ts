import test from 'ava';
import { resolveRunConfig, SIM_VERSION } from '@sdpo/sim';
import { createHash } from 'node:crypto';
import { canonicalJson, sha256Hex, taskKey } from './keys.js';

test('canonical JSON sorts keys at every depth, so key order never changes the text', (t) => {
  t.is(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: 'x' }], c: null } }), '{"a":{"c":null,"d":[1,{"y":"x","z":0}]},"b":1}');
  t.is(canonicalJson({ x: 1, y: 2 }), canonicalJson({ y: 2, x: 1 }));
});

test('canonical JSON refuses non-finite numbers', (t) => {
  t.throws(() => canonicalJson({ x: Number.NaN }), { instanceOf: TypeError });
});

test('a task key is 64 hex digits and the same for equal resolved configs however they were written', (t) => {
  const a = resolveRunConfig({ seed: 3, method: 'sdpo', feedback: 'binary', noise: 0.1 });
  const b = resolveRunConfig({ noise: 0.1, feedback: 'binary', method: 'sdpo', seed: 3, steps: 150, divergence: 'jsd', kappa: Math.log(7) });
  t.regex(taskKey(a, SIM_VERSION), /^[0-9a-f]{64}$/);
  t.is(taskKey(a, SIM_VERSION), taskKey(b, SIM_VERSION));
});

test('a task key changes with any config field and with simVersion', (t) => {
  const a = resolveRunConfig({ seed: 3, method: 'sdpo', feedback: 'binary', noise: 0.1 });
  const k = taskKey(a, SIM_VERSION);
  t.not(taskKey({ ...a, seed: 4 }, SIM_VERSION), k);
  t.not(taskKey({ ...a, weights: { ...a.weights, global: 2 } }, SIM_VERSION), k);
  t.not(taskKey(a, `${SIM_VERSION}-next`), k);
});

test('task keys are pinned: a change to the canonical text or the hash would orphan every stored result', (t) => {
  // Computed before canonical JSON and the hash call were rewritten for speed (2026-11-27).
  const a = resolveRunConfig({ seed: 3, method: 'sdpo', feedback: 'binary', noise: 0.1 });
  t.is(taskKey(a, '1.0.2'), 'e6d7345f50cea788a2185c611f640c4aab6ce7d7e29dba7ca31c08728c4cfafe');
  for (const text of ['', 'x', '{"a":1}', 'ü€😀'.repeat(100)]) t.is(sha256Hex(text), createHash('sha256').update(text).digest('hex'));
  t.is(canonicalJson([1, 'a', [], {}, { b: undefined, a: [null] }]), '[1,"a",[],{},{"a":[null]}]');
});
