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
const POW2 = new Float64Array(POW2_BIAS + 1024);
POW2[POW2_BIAS] = 1;
for (let k = 1; k <= 1023; k++) POW2[POW2_BIAS + k] = POW2[POW2_BIAS + k - 1]! * 2;
for (let k = -1; k >= -1074; k--) POW2[POW2_BIAS + k] = POW2[POW2_BIAS + k + 1]! / 2;

const EXP_BITS = 7;
const EXP_N = 128; // 2^EXP_BITS
const EXP_T = new Float64Array(EXP_N);
const EXP_TAIL = new Float64Array(EXP_N);
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
