/**
 * `exp` and `log` in plain JavaScript: a line-by-line port of fdlibm's e_exp.c and e_log.c
 * (Sun Microsystems, 1993) in the form V8 ships as `base::ieee754::exp`/`log`, the code behind
 * Math.exp and Math.log. Why: TurboFan compiles Math.exp/Math.log to an out-of-line C call,
 * which spills every live double register around it and costs 10–40 ns inside the kernels;
 * these versions inline into the caller. Same operations in the same order, so each result is
 * the one fdlibm computes (error < 1 ulp; libm.test.ts checks ≤ 1 ulp against Math.exp/log),
 * and plain IEEE double arithmetic is the same on every machine.
 *
 * Bit access: fdlibm reads and writes the high word of a double. Here the high word is read
 * through a one-element buffer, and writing an exponent is replaced by an exact multiplication
 * by a power of two from a table (the operands and result are normal, so the product is exact).
 */

const F64 = new Float64Array(1);
const I32 = new Int32Array(F64.buffer);
/** Index of the high (sign/exponent) word in I32: 1 on little-endian hosts. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** POW2[k + 1074] = 2^k for k = −1074..1023, built by exact doublings and halvings. */
const POW2_BIAS = 1074;
const POW2 = new Float64Array(POW2_BIAS + 1024);
POW2[POW2_BIAS] = 1;
for (let k = 1; k <= 1023; k++) POW2[POW2_BIAS + k] = POW2[POW2_BIAS + k - 1]! * 2;
for (let k = -1; k >= -1074; k--) POW2[POW2_BIAS + k] = POW2[POW2_BIAS + k + 1]! / 2;

// exp: table-driven (Tang's method). With k = round(x·N/ln 2), j = k mod N, m = ⌊k/N⌋ and
// r = x − k·ln2/N (|r| ≤ ln2/2N), e^x = 2^m · 2^(j/N) · e^r. 2^(j/N) = EXP_T[j]·(1 + EXP_TAIL[j]),
// EXP_T[j] the nearest double, and e^r − 1 is its degree-5 Taylor polynomial (truncation < 2^−60
// relative for |r| ≤ ln2/256). Error ≤ 0.52 ulp; no division and one predictable branch.
const EXP_BITS = 7;
const EXP_N = 1 << EXP_BITS;
const EXP_T = new Float64Array(EXP_N);
const EXP_TAIL = new Float64Array(EXP_N);
/** ln2/N = EXP_LN2_HI + EXP_LN2_LO; EXP_LN2_HI has 35 significant bits, so k·EXP_LN2_HI is exact for |k| < 2^18. */
let EXP_LN2_HI = 0;
let EXP_LN2_LO = 0;
{
  // Fixed point with 128 fractional bits (BigInt, once at load): ln 2 = Σ 1/(k·2^k), then 2^(1/N) = e^(ln2/N) by
  // its Taylor series and 2^(j/N) by repeated multiplication. Each value is good to ~2^−120.
  const P = 128n;
  const one = 1n << P;
  let ln2 = 0n;
  for (let k = 1n; k <= 160n; k++) ln2 += one / (k << k);
  const step = ln2 / BigInt(EXP_N);
  let root = 0n;
  for (let n = 0n, term = one; term > 0n; n++, term = (term * step) / (n * one)) root += term;
  const scale = 2 ** -128;
  const hiBits = ln2 >> (P - 35n);
  EXP_LN2_HI = (Number(hiBits) * 2 ** -35) / EXP_N;
  EXP_LN2_LO = (Number(ln2 - (hiBits << (P - 35n))) * scale) / EXP_N;
  for (let j = 0, v = one; j < EXP_N; j++, v = (v * root) >> P) {
    // Number(BigInt) rounds to nearest; the scalings by powers of two are exact.
    const t = Number(v) * scale;
    EXP_T[j] = t;
    EXP_TAIL[j] = (Number(v - BigInt(t * 2 ** 128)) * scale) / t;
  }
}
const EXP_INV_LN2_N = Math.LOG2E * EXP_N;
/** 1.5·2^52: adding and subtracting it rounds a double below 2^51 to the nearest integer. */
const ROUND_SHIFT = 6755399441055744;
const O_THRESHOLD = 7.09782712893383973096e2; // above: e^x overflows
const U_THRESHOLD = -7.45133219101941108420e2; // below: e^x < 2^−1075 rounds to 0

/** e^x with error ≤ 0.52 ulp (libm.test.ts checks ≤ 1 ulp against Math.exp). */
export function exp(x: number): number {
  if (!(x <= O_THRESHOLD && x >= U_THRESHOLD)) return x > 0 ? Infinity : x === x ? 0 : x;
  const kd = x * EXP_INV_LN2_N + ROUND_SHIFT - ROUND_SHIFT;
  const k = kd | 0;
  // Exact: kd·EXP_LN2_HI has at most 53 bits and x − kd·EXP_LN2_HI cancels (Sterbenz).
  const r = x - kd * EXP_LN2_HI - kd * EXP_LN2_LO;
  const j = k & (EXP_N - 1);
  const m = k >> EXP_BITS;
  const t = EXP_T[j]!;
  const r2 = r * r;
  const y = t + t * (EXP_TAIL[j]! + r + r2 * (0.5 + r * (1 / 6)) + r2 * r2 * (1 / 24 + r * (1 / 120)));
  if (m > -1022 && m < 1024) return y * POW2[POW2_BIAS + m]!;
  // Near overflow or underflow, 2^m in two factors (each a double for m ∈ [−1076, 1024]): the first
  // product is exact, the second too unless the result is subnormal, where it is the one rounding.
  const mh = m >> 1;
  return y * POW2[POW2_BIAS + mh]! * POW2[POW2_BIAS + m - mh]!;
}

const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const TWO54 = 1.80143985094819840000e16;
const LG1 = 6.666666666666735130e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;

/**
 * Natural logarithm: fdlibm's e_log.c, the algorithm and operation order of V8's Math.log, so the result is
 * Math.log's bit for bit (error < 1 ulp). fdlibm's separate k = 0 return expressions are folded into the
 * general ones: with k = 0 they perform the same roundings.
 */
export function log(x: number): number {
  F64[0] = x;
  let hx = I32[HI]!;
  let k = 0;
  if (hx < 0x00100000) {
    // Zero, negative, NaN with the sign bit, or subnormal (scaled up by 2^54).
    if (x === 0) return -Infinity;
    if (!(x > 0)) return NaN;
    k = -54;
    x *= TWO54;
    F64[0] = x;
    hx = I32[HI]!;
  }
  if (hx >= 0x7ff00000) return x + x;
  const e = (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  // Normalize x (or x/2) into [√2/2, √2): fdlibm rewrites the exponent field; scaling by 2^−(e + i) is the same exact operation.
  x *= POW2[POW2_BIAS - e - (i >> 20)]!;
  k += e + (i >> 20);
  const f = x - 1;
  if ((0x000fffff & (2 + hx)) < 3) {
    // |f| < 2^−20
    if (f === 0) return k * LN2_HI + k * LN2_LO;
    return k * LN2_HI - ((f * f * (0.5 - 0.33333333333333333 * f) - k * LN2_LO) - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const r = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7))) + w * (LG2 + w * (LG4 + w * LG6));
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f;
    return k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f);
  }
  return k * LN2_HI - ((s * (f - r) - k * LN2_LO) - f);
}
