/**
 * e^x in plain JavaScript for the kernels' hot loops. Math.exp is V8's C port of fdlibm, reached from
 * optimized code through an out-of-line C call; this table-driven version inlines into the caller, has
 * no division and one predictable branch, and measured about twice as fast (docs/method.md). It is not
 * Math.exp bit for bit (the two differ by one ulp on a few per cent of arguments; libm.test.ts bounds it),
 * and being plain IEEE double arithmetic it gives the same bits on every machine.
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
const EXP_N = 1 << EXP_BITS;
const EXP_T = new Float64Array(EXP_N);
const EXP_TAIL = new Float64Array(EXP_N);
/** ln2/N = EXP_LN2_HI + EXP_LN2_LO; EXP_LN2_HI has 35 significant bits, so k·EXP_LN2_HI is exact for |k| < 2^18. */
const [EXP_LN2_HI, EXP_LN2_LO] = buildExpTables();

/**
 * Fills EXP_T and EXP_TAIL and returns ln2/N split in two, all from fixed point with 128 fractional bits
 * (BigInt, once at load): ln 2 = Σ 1/(k·2^k), 2^(1/N) = e^(ln2/N) by its Taylor series, and 2^(j/N) by
 * repeated multiplication, each good to about 2^−120. Number(BigInt) rounds to nearest; the scalings by
 * powers of two are exact.
 */
function buildExpTables(): [number, number] {
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
  const hiBits = ln2 >> (P - 35n);
  return [(Number(hiBits) * 2 ** -35) / EXP_N, (Number(ln2 - (hiBits << (P - 35n))) * scale) / EXP_N];
}

const EXP_INV_LN2_N = Math.LOG2E * EXP_N;
/** 1.5·2^52: adding and subtracting it rounds a double below 2^51 to the nearest integer. */
const ROUND_SHIFT = 6755399441055744;
const O_THRESHOLD = 7.09782712893383973096e2; // above: e^x overflows
const U_THRESHOLD = -7.45133219101941108420e2; // below: e^x < 2^−1075 rounds to 0

/** e^x with error ≤ 0.52 ulp (libm.test.ts checks ≤ 1 ulp against Math.exp). */
export function exp(x: number): number {
  // Kept small so that TurboFan inlines it at every call site of a kernel (its inlining budget is in bytecode).
  if (!(x <= O_THRESHOLD && x >= U_THRESHOLD)) return expOutOfRange(x);
  const kd = x * EXP_INV_LN2_N + ROUND_SHIFT - ROUND_SHIFT;
  const k = kd | 0;
  // Exact: kd·EXP_LN2_HI has at most 53 bits and x − kd·EXP_LN2_HI cancels (Sterbenz).
  const r = x - kd * EXP_LN2_HI - kd * EXP_LN2_LO;
  const j = k & (EXP_N - 1);
  const t = EXP_T[j]!;
  const r2 = r * r;
  const y = t + t * (EXP_TAIL[j]! + r + r2 * (0.5 + r * (1 / 6)) + r2 * r2 * (1 / 24 + r * (1 / 120)));
  // 2^m in two factors, each a double for m = ⌊k/N⌋ ∈ [−1076, 1024]: the first product is exact, and so is
  // the second unless the result is subnormal, where it is the one rounding.
  const m = k >> EXP_BITS;
  const mh = m >> 1;
  return y * POW2[POW2_BIAS + mh]! * POW2[POW2_BIAS + m - mh]!;
}

/** e^x for NaN and for x beyond the thresholds (overflow to ∞, underflow to 0). */
function expOutOfRange(x: number): number {
  return x > 0 ? Infinity : x === x ? 0 : x;
}
