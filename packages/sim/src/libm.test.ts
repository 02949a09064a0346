import test from 'ava';
import { exp } from './libm.js';
import { Rng } from './prng.js';

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

function bits(x: number): bigint {
  f64[0] = x;
  return u64[0]!;
}

/** Distance in units in the last place between two finite doubles of the same sign. */
function ulpDistance(a: number, b: number): number {
  const d = bits(a) - bits(b);
  return Number(d < 0n ? -d : d);
}

const U_FULL_RANGE = 745.1 + 709.78;

/** Arguments across the ranges the kernels use (softmax differences ≤ 0, teacher shifts) and the whole domain. */
function* sample(n: number): Generator<number> {
  const rng = new Rng(1, 'libm-test');
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    yield -50 * u;
    yield 40 * (u - 0.5);
    yield 2 * (u - 0.5);
    yield 1e-9 * (u - 0.5);
    yield U_FULL_RANGE * u - 745.1;
    // Any finite double in range, from random bits.
    f64[0] = 0;
    u64[0] = (BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32());
    if (Math.abs(f64[0]) < 709) yield f64[0];
  }
}
test('exp is within 1 ulp of Math.exp over a deterministic sample of 1.2 million arguments', (t) => {
  let worst = 0;
  let differ = 0;
  let n = 0;
  for (const x of sample(200_000)) {
    const d = ulpDistance(exp(x), Math.exp(x));
    if (d > worst) worst = d;
    if (d > 0) differ++;
    n++;
  }
  t.true(worst <= 1, `max ${worst} ulp`);
  // Both are faithful; they disagree by one ulp on a few per cent of arguments.
  t.true(differ / n < 0.1, `${differ} of ${n} differ`);
});

test('exp is within 0.52 ulp of e^x computed exactly (200-bit integer arithmetic)', (t) => {
  const P = 200n;
  const one = 1n << P;
  let ln2 = 0n;
  for (let k = 1n; k <= P + 8n; k++) ln2 += one / (k << k);
  let worst = 0;
  let n = 0;
  for (const x of sample(400)) {
    const y = exp(x);
    if (!(y >= 2 ** -1022)) continue; // normal results only (a subnormal's ulp is fixed)
    // x·2^P exactly: x = mantissa·2^e with a 53-bit mantissa.
    f64[0] = x;
    const b = u64[0]!;
    const e = Number((b >> 52n) & 0x7ffn);
    const mant = (b & ((1n << 52n) - 1n)) | (e > 0 ? 1n << 52n : 0n);
    const shift = BigInt(Math.max(e, 1) - 1075) + P;
    let X = shift >= 0n ? mant << shift : mant >> -shift;
    if (x < 0) X = -X;
    // e^x = 2^k·e^r with r = x − k·ln 2 ∈ [0, ln 2); e^r by its Taylor series.
    let k = X / ln2;
    let r = X - k * ln2;
    if (r < 0n) {
      k -= 1n;
      r += ln2;
    }
    let er = 0n;
    for (let i = 0n, term = one; term > 0n; i++, term = (term * r) / (i * one)) er += term;
    // Compare with y in units of its ulp, scaled by 2^64.
    f64[0] = y;
    const yb = u64[0]!;
    const ye = BigInt(Number((yb >> 52n) & 0x7ffn) - 1075);
    const ym = (yb & ((1n << 52n) - 1n)) | (1n << 52n);
    const s = k - P - ye + 64n;
    const exact = s >= 0n ? er << s : er >> -s;
    const diff = (ym << 64n) - exact;
    const err = Number(diff < 0n ? -diff : diff) / 2 ** 64;
    if (err > worst) worst = err;
    n++;
  }
  t.true(n > 2000);
  t.true(worst < 0.52, `max ${worst} ulp`);
});

test('exp handles the edges: 0, the overflow and underflow thresholds, subnormal results, ±∞ and NaN', (t) => {
  t.is(exp(0), 1);
  t.is(exp(-0), 1);
  t.is(exp(Infinity), Infinity);
  t.is(exp(-Infinity), 0);
  t.true(Number.isNaN(exp(NaN)));
  t.is(exp(710), Infinity);
  t.is(exp(-746), 0);
  for (const x of [709.782712893384, 709.7, -708.4, -720, -740, -745, -745.1332191019411]) {
    t.true(ulpDistance(exp(x), Math.exp(x)) <= 1, `x = ${x}`);
  }
});
