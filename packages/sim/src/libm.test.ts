import test from 'ava';
import { boxMuller, exp } from './libm.js';
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

/** The pairs (u, u') in buf[0..n) transformed as prng.ts's `normal` does, with Math.cos and Math.sin. */
function boxMullerByMath(buf: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - buf[k]!));
    const a = 2 * Math.PI * buf[k + 1]!;
    out[k] = r * Math.cos(a);
    out[k + 1] = r * Math.sin(a);
  }
  return out;
}

/** Index of the first entry whose bits differ (Object.is: −0 and NaN count), or −1. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) return k;
  return -1;
}

test('boxMuller gives the bits of Math.cos and Math.sin on 1.2 million deterministic pairs of uniforms', (t) => {
  const n = 2 * 1_200_000;
  const buf = new Float64Array(n);
  new Rng(3, 'libm-test').fillUniform(buf, 0, n);
  const want = boxMullerByMath(buf, n);
  boxMuller(buf, 0, n);
  const k = firstDifference(buf, want);
  t.is(k, -1, `pair ${k >> 1}`);
});

test('boxMuller gives the bits of Math.cos and Math.sin near multiples of π/2, its thresholds and the ends of [0, 2π)', (t) => {
  // Angles a = 2π·u' for u' near the fractions of a turn where fdlibm changes paths, every uniform of the
  // generator's 2^−53 grid for the first and last 20,000, and the values outside [0, 1) that reach Math directly.
  const us: number[] = [];
  const fractions = [0.125, 0.25, 0.375, 0.5, 0.75, 1, 0.3 / (2 * Math.PI), 0.78125 / (2 * Math.PI), 2 ** -27 / (2 * Math.PI)];
  for (const f of fractions) {
    for (const d of [0, 2e-7, 4e-7, 6e-7, 6.4e-7, 1e-6]) {
      for (let j = -300; j <= 300; j++) us.push(f + d + j * 2 ** -53, f - d + j * 2 ** -53);
    }
  }
  for (let j = 0; j < 20_000; j++) us.push(j * 2 ** -53, 1 - (j + 1) * 2 ** -53);
  us.push(-0, -1e-300, 5e-324, -0.25, 1, 1.5, 1e6, NaN, Infinity, -Infinity);
  const buf = new Float64Array(2 * us.length);
  const rng = new Rng(4, 'libm-test');
  for (let k = 0; k < us.length; k++) {
    buf[2 * k] = rng.uniform();
    buf[2 * k + 1] = us[k]!;
  }
  const want = boxMullerByMath(buf, buf.length);
  boxMuller(buf, 0, buf.length);
  const k = firstDifference(buf, want);
  t.is(k, -1, `u' = ${us[k >> 1]}`);
});
