import test from 'ava';
import { Rng, createStream } from './prng.js';

test('xoshiro128** matches the reference output for a known state', (t) => {
  // Reference: the C implementation from prng.di.unimi.it with s = {1, 2, 3, 4}.
  const r = new Rng(0, 'task') as unknown as { s0: number; s1: number; s2: number; s3: number; nextU32(): number };
  r.s0 = 1;
  r.s1 = 2;
  r.s2 = 3;
  r.s3 = 4;
  t.deepEqual([r.nextU32(), r.nextU32(), r.nextU32(), r.nextU32()], [11520, 0, 5927040, 70819200]);
});

test('a stream depends only on (seed, name): equal pairs agree, different names or seeds differ', (t) => {
  const draw = (r: Rng): number[] => Array.from({ length: 8 }, () => r.nextU32());
  t.deepEqual(draw(createStream(42, 'rollout')), draw(createStream(42, 'rollout')));
  t.notDeepEqual(draw(createStream(42, 'rollout')), draw(createStream(42, 'noise')));
  t.notDeepEqual(draw(createStream(42, 'task')), draw(createStream(43, 'task')));
  t.notDeepEqual(draw(createStream(Number.MAX_SAFE_INTEGER, 'task')), draw(createStream(0, 'task')));
});

test('seeding follows spec §8 (FNV-1a name hash, splitmix64 from seed·φ64 XOR hash), also after the start-state cache starts over', (t) => {
  // An independent BigInt implementation of the seeding, to compare the cached start states with.
  const M = (1n << 64n) - 1n;
  const reference = (seed: number, name: string): number[] => {
    let h = 0xcbf29ce484222325n;
    for (const ch of name) h = ((h ^ BigInt(ch.charCodeAt(0))) * 0x100000001b3n) & M;
    let x = ((BigInt(seed) * 0x9e3779b97f4a7c15n) & M) ^ h;
    const next = (): bigint => {
      x = (x + 0x9e3779b97f4a7c15n) & M;
      let z = x;
      z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
      z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
      return z ^ (z >> 31n);
    };
    const a = next();
    const b = next();
    return [Number(a >> 32n) | 0, Number(a & 0xffffffffn) | 0, Number(b >> 32n) | 0, Number(b & 0xffffffffn) | 0];
  };
  const state = (r: Rng): number[] => {
    const x = r as unknown as { s0: number; s1: number; s2: number; s3: number };
    return [x.s0, x.s1, x.s2, x.s3];
  };
  const seeds = [0, 1, 7, 123_456, Number.MAX_SAFE_INTEGER];
  for (const name of ['task', 'rollout', 'noise'] as const) {
    for (const seed of seeds) t.deepEqual(state(createStream(seed, name)), reference(seed, name), `${name} ${seed}`);
    // Twice: the second comes from the cache, and draws from the first must not have moved it.
    const first = createStream(7, name);
    for (let i = 0; i < 10; i++) first.nextU32();
    t.deepEqual(state(createStream(7, name)), reference(7, name));
  }
  // More seeds than the cache keeps: it starts over, and every state is still right.
  for (let seed = 10_000; seed < 15_000; seed++) {
    const s = createStream(seed, 'rollout');
    if (seed % 499 === 0) t.deepEqual(state(s), reference(seed, 'rollout'), `rollout ${seed}`);
  }
  for (const seed of seeds) t.deepEqual(state(createStream(seed, 'rollout')), reference(seed, 'rollout'), `rollout ${seed} again`);
});

test('uniforms lie in [0, 1) and Box–Muller normals have mean 0 and variance 1', (t) => {
  const r = createStream(7, 'noise');
  let s = 0;
  let q = 0;
  let lo = Infinity;
  let hi = -Infinity;
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    lo = Math.min(lo, u);
    hi = Math.max(hi, u);
    const z = r.normal();
    s += z;
    q += z * z;
  }
  t.true(lo >= 0 && hi < 1 && lo < 1e-4 && hi > 1 - 1e-4);
  t.true(Math.abs(s / n) < 0.02);
  t.true(Math.abs(q / n - 1) < 0.02);
});

test('skipping n normals leaves the stream where n draws would have', (t) => {
  for (const [pre, n] of [[0, 0], [0, 1], [0, 6], [1, 5], [1, 48], [3, 7]] as const) {
    const a = createStream(9, 'noise');
    const b = createStream(9, 'noise');
    for (let i = 0; i < pre; i++) {
      a.normal();
      b.normal();
    }
    for (let i = 0; i < n; i++) a.normal();
    b.skipNormals(n);
    t.deepEqual([a.normal(), a.normal(), a.normal()], [b.normal(), b.normal(), b.normal()], `pre ${pre} n ${n}`);
  }
});

test('bulk uniform and normal fills give the same values as single draws, pairs split across calls included', (t) => {
  const a = createStream(3, 'rollout');
  const b = createStream(3, 'rollout');
  const out = new Float64Array(16);
  b.fillUniform(out, 0, 5);
  t.deepEqual([...out.subarray(0, 5)], Array.from({ length: 5 }, () => a.uniform()));
  for (const n of [3, 1, 4, 0, 7]) {
    b.fillNormal(out, 2, n);
    t.deepEqual([...out.subarray(2, 2 + n)], Array.from({ length: n }, () => a.normal()), `n ${n}`);
  }
  t.is(a.nextU32(), b.nextU32());
});
