import test from 'ava';
import { DIVERGENCES, FEEDBACKS, METHODS, parseRunConfig, parseRunConfigWithSchema, resolveConfigByHand, resolveRunConfig, RUN_FIELDS } from './config.js';
import { createStream } from './prng.js';

// The hand path must accept nothing the schema refuses, and build exactly the schema's object.
const rng = createStream(2026, 'task');
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length)]!;

function randomComplete(): Record<string, unknown> {
  return {
    ...resolveRunConfig({
      seed: Math.floor(rng.uniform() * 1e6), method: pick(METHODS), feedback: pick(FEEDBACKS), noise: pick([0, 0.1, 0.5, 3]),
      vocab: pick([3, 8, 32]), length: pick([2, 4]), group: pick([2, 8, 256]), steps: pick([1, 150]), divergence: pick([...DIVERGENCES, 'auto'] as const),
      hybrid: { alphaMin: 0.1, alphaMax: pick([0.1, 0.9]), warmup: 3 }, weights: { local: pick([0, 1]), coherence: 0.5, global: 2 },
    }),
  };
}

/** A valid config with random fields (and nested fields) left out or set to undefined: zod fills their defaults. */
function randomPartial(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(randomComplete())) {
    const r = rng.uniform();
    if (['seed', 'method', 'feedback', 'noise'].includes(k) || r < 0.4) out[k] = v;
    else if (r < 0.5) out[k] = undefined;
    else if (r < 0.7 && (k === 'weights' || k === 'hybrid')) {
      const inner: Record<string, unknown> = {};
      for (const [ik, iv] of Object.entries(v as object)) if (rng.uniform() < 0.5) inner[ik] = iv;
      out[k] = inner;
    }
  }
  return out;
}

const BAD: readonly unknown[] = [undefined, null, -1, -0, 0, 0.5, 1, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, '1', 'auto', 'sdpo', true, [], {}];

test('a complete valid config resolves by hand to exactly what the schema builds', (t) => {
  for (let i = 0; i < 500; i++) {
    const c = randomComplete();
    const fast = resolveConfigByHand(c);
    t.truthy(fast, JSON.stringify(c));
    const slow = parseRunConfigWithSchema(c);
    t.true(slow.ok);
    t.deepEqual(fast, slow.ok ? slow.value : undefined);
    t.deepEqual(Object.keys(fast!), Object.keys(slow.ok ? slow.value : {}), 'same key order');
  }
});

test('a partial valid config resolves by hand to exactly what the schema builds, defaults included', (t) => {
  let left = 0;
  let valid = 0;
  for (let i = 0; i < 500; i++) {
    const c = randomPartial();
    left += RUN_FIELDS.length - Object.values(c).filter((v) => v !== undefined).length;
    const fast = resolveConfigByHand(c);
    const slow = parseRunConfigWithSchema(c);
    // A default can make a config invalid (vocab 32 with the default length 6): then neither accepts it.
    if (!slow.ok) {
      t.is(fast, undefined, JSON.stringify(c));
      continue;
    }
    valid++;
    t.truthy(fast, JSON.stringify(c));
    t.deepEqual(fast, slow.value);
    t.deepEqual(Object.keys(fast!), Object.keys(slow.value), 'same key order');
  }
  t.true(valid > 300 && left > 1000, `${valid} valid, ${left} fields left to their defaults`);
});

test('no mutation of a complete or partial config is accepted by hand that the schema refuses, and each accepted one resolves alike', (t) => {
  let byHand = 0;
  let refused = 0;
  const check = (x: unknown, what: string) => {
    const fast = resolveConfigByHand(x);
    const slow = parseRunConfigWithSchema(x);
    if (fast) {
      byHand++;
      t.true(slow.ok, `hand path accepted what the schema refuses: ${what}`);
      if (slow.ok) t.deepEqual(fast, slow.value, what);
    } else if (!slow.ok) refused++;
    // parseRunConfig always agrees with the schema.
    t.deepEqual(parseRunConfig(x), slow, what);
  };
  for (let i = 0; i < 60; i++) {
    // Every other base config has random fields left out, so defaults are filled in by hand too.
    const base = i % 2 ? randomComplete() : randomPartial();
    for (const field of RUN_FIELDS) {
      for (const v of BAD) check({ ...base, [field]: v }, `${field} = ${String(v)}`);
      const { [field]: _, ...without } = base;
      check(without, `without ${field}`);
    }
    for (const nested of ['weights', 'hybrid'] as const) {
      const inner = (base[nested] ?? {}) as Record<string, unknown>;
      for (const k of Object.keys(inner)) for (const v of BAD) check({ ...base, [nested]: { ...inner, [k]: v } }, `${nested}.${k} = ${String(v)}`);
      check({ ...base, [nested]: { ...inner, extra: 1 } }, `${nested} with an extra key`);
    }
    check({ ...base, extra: 1 }, 'an extra key');
    check({ ...base, weights: { local: 0, coherence: 0, global: 0 } }, 'weights all 0');
    check({ ...base, hybrid: { alphaMin: 0.9, alphaMax: 0.2, warmup: 5 } }, 'alphaMin > alphaMax');
    check({ ...base, vocab: 32, length: 5 }, 'vocab^length over 2^22');
    check({ ...base, vocab: 32, kappa: undefined }, 'kappa from a given vocab');
    check({ ...base, kappa: 1e6 }, 'kappa at its bound');
    check({ ...base, kappa: 1e6 + 1 }, 'kappa past its bound');
    check({ ...base, kappa: 1e160 }, 'kappa where floating point overflows');
    check({ ...base, vocab: 'x', kappa: undefined }, 'kappa from a bad vocab');
    check({ ...base, weights: null }, 'weights null');
    check({ ...base, hybrid: [] }, 'hybrid an array');
    check([], 'an array');
    check(null, 'null');
    check(Object.assign(Object.create({ inherited: 1 }) as object, base), 'not a plain object');
  }
  t.true(byHand > 0 && refused > 0, `${byHand} accepted by hand, ${refused} refused by both`);
});

test('kappa past 1e6 is refused with its path (past ~1e155 sdpo silently stopped learning and hybrid gave NaN)', (t) => {
  const r = parseRunConfig({ seed: 0, method: 'hybrid', feedback: 'critique', noise: 0, kappa: 1e160 });
  t.false(r.ok);
  t.like(r.ok ? undefined : r.issues[0], { path: ['kappa'] });
  t.true(parseRunConfig({ seed: 0, method: 'hybrid', feedback: 'critique', noise: 0, kappa: 1e6 }).ok);
});
