/**
 * e^x in plain JavaScript for the kernels' hot loops. Math.exp is V8's C port of fdlibm, reached from
 * optimized code through an out-of-line C call; this table-driven version inlines into the caller and
 * has no division, and costs about half as much per call inside the row softmax (docs/method.md). It is
 * not Math.exp bit for bit (the two differ by one ulp on about 6 % of arguments; libm.test.ts bounds
 * it), and being plain IEEE double arithmetic it gives the same bits on every machine.
 *
 * Method (Tang, ACM TOMS 15(2), 1989): with k = round(x·N/ln 2), j = k mod N, m = ⌊k/N⌋ and
 * r = x − k·ln2/N (|r| ≤ ln2/2N), e^x = 2^m · 2^(j/N) · e^r, where 2^(j/N) = EXP_T[j]·(1 + EXP_TAIL[j])
 * with EXP_T[j] the nearest double, and e^r − 1 is its degree-5 Taylor polynomial (truncation below
 * 2^−60 relative for |r| ≤ ln2/256). The tables are computed at load time from exact integer arithmetic.
 */

/** POW2[k + 1074] = 2^k for k = −1074..1023, built by exact doublings and halvings. */
const POW2_BIAS = 1074;
export const POW2 = new Float64Array(POW2_BIAS + 1024);
POW2[POW2_BIAS] = 1;
for (let k = 1; k <= 1023; k++) POW2[POW2_BIAS + k] = POW2[POW2_BIAS + k - 1]! * 2;
for (let k = -1; k >= -1074; k--) POW2[POW2_BIAS + k] = POW2[POW2_BIAS + k + 1]! / 2;

const EXP_BITS = 7;
const EXP_N = 128; // 2^EXP_BITS
export const EXP_T = new Float64Array(EXP_N);
export const EXP_TAIL = new Float64Array(EXP_N);
fillExpTables();

/**
 * Fills EXP_T and EXP_TAIL from fixed point with 128 fractional bits (BigInt, once at load): ln 2 = Σ 1/(k·2^k),
 * 2^(1/N) = e^(ln2/N) by its Taylor series and 2^(j/N) by repeated multiplication, each good to about 2^−120.
 * Number(BigInt) rounds to nearest; the scalings by powers of two are exact.
 */
function fillExpTables(): void {
  const P = 128n;
  const one = 1n << P;
  const scale = 2 ** -128;
  let ln2 = 0n;
  for (let k = 1n; k <= P; k++) ln2 += one / (k << k);
  const step = ln2 / BigInt(EXP_N);
  let root = 0n;
  for (let n = 0n, term = one; term > 0n; n++, term = (term * step) / (n * one)) root += term;
  for (let j = 0, v = one; j < EXP_N; j++, v = (v * root) >> P) {
    const t = Number(v) * scale;
    EXP_T[j] = t;
    EXP_TAIL[j] = (Number(v - BigInt(t * 2 ** 128)) * scale) / t;
  }
}

// Constants are literals, not computed at load: TurboFan folded the literal module constants into the
// code but not the computed ones (measured: ~4 % of a run).
/** N/ln 2 = Math.LOG2E·N (exact). */
const EXP_INV_LN2_N = 184.6649652337873;
/**
 * ln2/N = LN2_N_HI + LN2_N_LO to ~88 bits: LN2_N_HI = ⌊ln2·2^35⌋·2^−35/N (35 significant bits, so k·LN2_N_HI is
 * exact for |k| < 2^18), LN2_N_LO the rest rounded, both from the ln 2 of fillExpTables. An error in them
 * that mattered would show for large |x| in libm.test.ts's comparison with exact values.
 */
const LN2_N_HI = 0.005415212347998022;
const LN2_N_LO = 1.2655086083325438e-13;
/** 1.5·2^52: adding and subtracting it rounds a double below 2^51 to the nearest integer. */
const ROUND_SHIFT = 6755399441055744;
const O_THRESHOLD = 7.09782712893383973096e2; // above: e^x overflows
const U_THRESHOLD = -7.45133219101941108420e2; // below: e^x < 2^−1075 rounds to 0

/** e^x with error ≤ 0.52 ulp (libm.test.ts checks it against exact values and against Math.exp). */
export function exp(x: number): number {
  // Kept small so that TurboFan inlines it at every call site of a kernel (its inlining budget is in bytecode).
  if (!(x <= O_THRESHOLD && x >= U_THRESHOLD)) return expOutOfRange(x);
  const kd = x * EXP_INV_LN2_N + ROUND_SHIFT - ROUND_SHIFT;
  const k = kd | 0;
  // Exact: kd·LN2_N_HI has at most 53 bits and x − kd·LN2_N_HI cancels (Sterbenz).
  const r = x - kd * LN2_N_HI - kd * LN2_N_LO;
  const j = k & (EXP_N - 1);
  const t = EXP_T[j]!;
  const r2 = r * r;
  const y = t + t * (EXP_TAIL[j]! + r + r2 * (0.5 + r * (1 / 6)) + r2 * r2 * (1 / 24 + r * (1 / 120)));
  const m = k >> EXP_BITS;
  if (m > -1022 && m < 1024) return y * POW2[POW2_BIAS + m]!;
  // Near overflow or underflow, 2^m in two factors (each a double for m = ⌊k/N⌋ ∈ [−1076, 1024]): the first
  // product is exact, and so is the second unless the result is subnormal, where it is the one rounding.
  const mh = m >> 1;
  return y * POW2[POW2_BIAS + mh]! * POW2[POW2_BIAS + m - mh]!;
}

/** e^x for NaN and for x beyond the thresholds (overflow to ∞, underflow to 0). */
function expOutOfRange(x: number): number {
  return x > 0 ? Infinity : x === x ? 0 : x;
}

/**
 * The Box–Muller transform in place: each pair (u, u') of uniforms in buf[from..end) (end − from even) becomes
 * (ρ·cos 2πu', ρ·sin 2πu') with ρ = √(−2 ln(1 − u)), bit for bit what `r * Math.cos(a)` and `r * Math.sin(a)` give
 * (prng.ts's normals, which computed them so before). The whole loop is one function, so that no double crosses a call (V8 would box it).
 *
 * V8's Math.sin and Math.cos are fdlibm (s_sin.c, s_cos.c), reached from optimized code through two out-of-line C
 * calls that each reduce the angle modulo π/2. Here the same code runs inline, line by line, for angles
 * 0 ≤ a < 2π, with one reduction for both: __ieee754_rem_pio2's medium-range path (for a < 2π it is also what its
 * special case for |a| < 3π/4 computes), then __kernel_sin and __kernel_cos on the same y0 + y1. Where fdlibm tests
 * bits of a high word, the tests here compare with the doubles at those high-word boundaries (low word 0), the same
 * test. Outside [2^−27, 2π), and within 4·10^−6 of a multiple of π/2 (where fdlibm reduces a second time; its cases
 * there lie within 2.6·10^−6), Math.cos and Math.sin are called. libm.test.ts compares the results bit for bit.
 */
export function boxMuller(buf: Float64Array, from: number, end: number): void {
  for (let k = from; k < end; k += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - buf[k]!));
    const a = 2 * Math.PI * buf[k + 1]!;
    // The data decide the quadrant and the kernels' cases at random, so they are selected by arithmetic (exact
    // multiplications by 0 and 1), not by branches the processor would mispredict. a − n·π/2 with
    // π/2 = pio2_1 + pio2_1t (33 + 53 bits); n = 0 (no reduction: y0 = a, y1 = 0 exactly) up to the high word 0x3FE921FB.
    const n = ((a * 0.6366197723675814 + 0.5) | 0) & -(+(a >= 0.7853984832763672));
    const rr = a - n * 1.5707963267341256;
    const w = n * 6.077100506506192e-11;
    const y0 = rr - w;
    const y1 = rr - y0 - w;
    // Below 2^−27 fdlibm returns sin a = a and cos a = 1; Math gives those bits itself (and those of any a ∉ [0, 2π),
    // for which the reduction above means nothing), as it does near multiples of π/2.
    if (!(a >= 7.450580596923828e-9 && a < 6.283185307179586) || (y0 < 4e-6 && y0 > -4e-6)) {
      buf[k] = r * Math.cos(a);
      buf[k + 1] = r * Math.sin(a);
      continue;
    }
    const z = y0 * y0;
    const v = z * y0;
    // __kernel_sin, with iy = 0 (no tail) when a was not reduced.
    const ps = 8.33333333332248946124e-3 + z * (-1.98412698298579493134e-4 + z * (2.75573137070700676789e-6
      + z * (-2.50507602534068634195e-8 + z * 1.58969099521155010221e-10)));
    const iy = +(n !== 0);
    const s = (y0 + v * (-1.66666666666666324348e-1 + z * ps)) * (1 - iy)
      + (y0 - ((z * (0.5 * y1 - v * ps) - y1) - v * -1.66666666666666324348e-1)) * iy;
    // __kernel_cos: qx = 0 below 0.3 (then its two formulas agree bit for bit), |y0|/4 with the low word cleared
    // up to 0.78125, 0.28125 above.
    const pc = z * (4.16666666666666019037e-2 + z * (-1.38888888888741095749e-3 + z * (2.48015872894767294178e-5
      + z * (-2.75573143513906633035e-7 + z * (2.08757232129817482790e-9 + z * -1.13596475577881948265e-11)))));
    const ay = Math.abs(y0);
    const e = +(ay >= 0.5);
    let qx = Math.floor(ay * (4194304 - 2097152 * e)) * (5.9604644775390625e-8 * (1 + e)) * +(ay >= 0.2999999523162842);
    if (ay >= 0.7812504768371582) qx = 0.28125;
    const c = 1 - qx - (0.5 * z - qx - (z * pc - y0 * y1));
    // Quadrant n mod 4: sin a = s, c, −s, −c and cos a = c, −s, −c, s (s and c are not 0 here).
    const b = n & 1;
    const sn = (s * (1 - b) + c * b) * (1 - (n & 2));
    const cs = (c * (1 - b) + s * b) * (1 - ((n + 1) & 2));
    buf[k] = r * cs;
    buf[k + 1] = r * sn;
  }
}
