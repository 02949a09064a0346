// The WebAssembly kernels against the JavaScript code they stand for: the promise is the same bits, so every
// comparison is Object.is (−0 ≠ +0, NaN = NaN), and every test also checks that each side really ran where it
// should (arrays in the kernels' memory, or not), since a silent fallback would make a comparison vacuous.
import test, { type ExecutionContext } from 'ava';
import { Arena } from './arena.js';
import { FEEDBACKS, METHODS, resolveRunConfig, type RunConfigInput } from './config.js';
import { softmaxRow } from './divergence.js';
import { exp } from './libm.js';
import {
  adamStep, createSoftmaxTables, ensureReachable, ensureRow, policySize, sampleSequences, type SoftmaxTables,
} from './policy.js';
import { Rng } from './prng.js';
import type { RunResult } from './result.js';
import { applyUpdate, computeUpdate, createRunState, runSimulation, sampleBatch, type RunState } from './run.js';
import { allocRegion, freeRegion, kernelBuffer, kernels, wasmKernelsLoaded, type Kernels } from './wasm.js';

const F = new Float64Array(1);
const W = new Uint32Array(F.buffer);
const B = new BigUint64Array(F.buffer);

function bitsOf(x: number): bigint {
  F[0] = x;
  return B[0]!;
}

function fromBits(b: bigint): number {
  B[0] = BigInt.asUintN(64, b);
  return F[0]!;
}

/** x with its bit pattern, for messages. */
function show(x: number): string {
  return `${Object.is(x, -0) ? '-0' : String(x)} (0x${bitsOf(x).toString(16).padStart(16, '0')})`;
}

/** x and the doubles up to n bit patterns either side of it (same sign: further from or closer to 0). */
function around(x: number, n: number): number[] {
  const b = bitsOf(x);
  const out: number[] = [];
  for (let d = -n; d <= n; d++) out.push(fromBits(b + BigInt(d)));
  return out;
}

/**
 * Deterministic arguments: a 32-bit linear congruential generator (Numerical Recipes' constants) with an
 * output mix (murmur3's fmix32), because the LCG's own low bits cycle with short periods.
 */
class Lcg {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  u32(): number {
    this.s = (Math.imul(this.s, 1664525) + 1013904223) >>> 0;
    let h = this.s;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }
  /** Uniform in [0, 1) with 53 bits. */
  uniform(): number {
    return ((this.u32() >>> 5) * 67108864 + (this.u32() >>> 6)) / 9007199254740992;
  }
  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }
  /** Integer in 0..n−1. */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
  /** Any double (NaN and ±∞ included), from 64 random bits. */
  anyDouble(): number {
    W[0] = this.u32();
    W[1] = this.u32();
    return F[0]!;
  }
}

/** Index of the first entry where a and b are not Object.is-equal (or the shorter length), else −1. */
function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) return i;
  return a.length === b.length ? -1 : n;
}

/** Collects up to 10 mismatches (what, where, both values) for one deepEqual at the end of a test. */
class Mismatches {
  readonly list: string[] = [];
  compared = 0;
  arrays(what: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
    this.compared++;
    const i = firstDiff(a, b);
    if (i >= 0 && this.list.length < 10) this.list.push(`${what}[${i}]: ${show(a[i]!)} ≠ ${show(b[i]!)}`);
  }
  values(what: string, a: number, b: number): void {
    this.compared++;
    if (!Object.is(a, b) && this.list.length < 10) this.list.push(`${what}: ${show(a)} ≠ ${show(b)}`);
  }
}

function inKernels(a: ArrayBufferView): boolean {
  return kernelBuffer !== null && a.buffer === kernelBuffer;
}

/** The kernels; the first test fails where they do not load, the others then throw here. */
function k(): Kernels {
  if (kernels === null) throw new Error('the WebAssembly kernels did not load');
  return kernels;
}

test('the WebAssembly kernels load here, so the other tests exercise the fast path', (t) => {
  t.not(kernels, null);
  t.true(wasmKernelsLoaded);
  t.true(kernelBuffer instanceof ArrayBuffer);
  t.true(kernels !== null && kernels.memory.buffer === kernelBuffer, 'the memory the kernels work in');
});

// ─── exp and log ────────────────────────────────────────────────────────────────────────────────────────────

const O_THRESHOLD = 7.09782712893383973096e2;
const U_THRESHOLD = -7.45133219101941108420e2;
const LN2 = Math.LN2;

function expEdges(): number[] {
  const xs = [0, -0, Infinity, -Infinity, NaN, 1, -1, 0.5, -0.5, 5e-324, -5e-324, 2.2250738585072014e-308, Number.MAX_VALUE,
    -Number.MAX_VALUE, Number.EPSILON, 1e-300, -1e-300, 700, -700, 708, -708, 709, -709, 710, -710, 744, -744, 745, -745, 746, -746];
  xs.push(...around(O_THRESHOLD, 4), ...around(U_THRESHOLD, 4));
  // m = k >> 7 at the edges of the one-factor scaling (−1022, 1024), the first subnormal results, the last nonzero one.
  for (const m of [-1076, -1075, -1074, -1073, -1023, -1022, -1021, -1020, 1022, 1023, 1024]) xs.push(...around(m * LN2, 3));
  for (let j = -4; j <= 4; j++) xs.push(...around(-1022 * LN2 + (j * LN2) / 128, 1), ...around(1023 * LN2 + (j * LN2) / 128, 1));
  for (let e = -1074; e <= 1023; e++) xs.push(2 ** e, -(2 ** e));
  for (let kk = -1080 * 128; kk <= 1030 * 128; kk += 37) xs.push((kk * LN2) / 128);
  return xs;
}

function logEdges(): number[] {
  const xs = [0, -0, Infinity, -Infinity, NaN, 1, -1, 2, 0.5, Math.E, Math.SQRT2, Math.SQRT1_2, 5e-324, -5e-324,
    2.2250738585072014e-308, 2.225073858507201e-308, Number.MAX_VALUE, -Number.MAX_VALUE, Number.EPSILON, 1e-300, 1e300];
  xs.push(...around(1, 64), ...around(Math.SQRT2, 8), ...around(Math.SQRT1_2, 8), ...around(2.2250738585072014e-308, 4));
  for (let e = -1074; e <= 1023; e++) {
    xs.push(...around(2 ** e, 2), -(2 ** e));
    // Within 2^−20 of a power of two (fdlibm's short path) and near the √2 split of the mantissa range.
    if (e > -1022) xs.push(2 ** e * (1 + 2 ** -21), 2 ** e * (1 - 2 ** -22), 2 ** e * Math.SQRT2);
  }
  return xs;
}

function compareScalar(t: ExecutionContext, name: string, kernel: (x: number) => number, js: (x: number) => number, xs: Iterable<number>): number {
  const bad: string[] = [];
  let n = 0;
  for (const x of xs) {
    n++;
    const a = kernel(x);
    const b = js(x);
    if (!Object.is(a, b) && bad.length < 10) bad.push(`${name}(${show(x)}): kernel ${show(a)}, JavaScript ${show(b)}`);
  }
  t.deepEqual(bad, []);
  return n;
}

test('kernel exp equals libm.ts exp bit for bit at the edges (±0, ±∞, NaN, overflow and underflow thresholds, subnormals, 2^k)', (t) => {
  const n = compareScalar(t, 'exp', k().exp, exp, expEdges());
  t.true(n > 10_000, `${n} arguments`);
});

test('kernel exp equals libm.ts exp bit for bit on a million deterministic arguments across its whole domain', (t) => {
  const rng = new Lcg(20240601);
  function* args(): Generator<number> {
    for (let i = 0; i < 200_000; i++) {
      yield rng.range(-746, 710); // the whole finite range and a little past it
      yield rng.range(-40, 0); // softmax differences
      yield rng.range(-1, 1);
      yield rng.range(-745.2, -707.5); // subnormal results and the underflow threshold
      yield i % 2 === 0 ? rng.anyDouble() : O_THRESHOLD + rng.range(-1e-9, 1e-9);
    }
  }
  t.is(compareScalar(t, 'exp', k().exp, exp, args()), 1_000_000);
});

test('kernel log equals Math.log bit for bit at the edges (±0, ±∞, NaN, subnormals, 1, 2^k and their neighbours)', (t) => {
  const n = compareScalar(t, 'log', k().log, Math.log, logEdges());
  t.true(n > 10_000, `${n} arguments`);
});

test('kernel log equals Math.log bit for bit on a million deterministic arguments across its whole domain', (t) => {
  const rng = new Lcg(77);
  function* args(): Generator<number> {
    for (let i = 0; i < 200_000; i++) {
      yield Math.abs(rng.anyDouble()); // every exponent, subnormals, ∞ and NaN included
      yield rng.range(0, 4);
      yield 1 + (rng.uniform() - 0.5) * 2 ** -rng.int(53); // near 1, where the result is near 0
      yield 2 ** (rng.int(2046) - 1022) * (1 + (rng.uniform() - 0.5) * 2 ** -(18 + rng.int(35))); // near 2^e
      yield i % 2 === 0 ? rng.anyDouble() : rng.range(1, 64) * 2 ** (rng.int(200) - 100); // negative ones too
    }
  }
  t.is(compareScalar(t, 'log', k().log, Math.log, args()), 1_000_000);
});

// ─── softmax ────────────────────────────────────────────────────────────────────────────────────────────────

const ROW_KINDS = 11;

/** Writes logits of one of ROW_KINDS shapes to out[off..off+V). */
function fillRow(rng: Lcg, out: Float64Array, off: number, V: number, kind: number): void {
  const top = rng.range(-20, 20);
  for (let u = 0; u < V; u++) {
    let x: number;
    switch (kind) {
      case 0: x = rng.range(-10, 10); break;
      case 1: x = rng.uniform() < 0.3 ? top : top - 1000 - rng.range(0, 1e3); break; // exps underflow to 0
      case 2: x = (rng.uniform() < 0.5 ? -1 : 1) * rng.range(1e300, 1.7e308); break; // differences overflow to −∞
      case 3: x = top; break; // all equal
      case 4: x = rng.uniform() < 0.5 ? -0 : 0; break;
      case 5: x = rng.uniform() < 0.25 ? top : top - rng.range(700, 750); break; // subnormal exps, the underflow threshold
      case 6: x = rng.range(-1e-3, 1e-3); break; // nearly equal
      case 7: x = rng.uniform() < 0.3 ? -Infinity : rng.range(-5, 5); break; // masked tokens
      case 8: x = rng.int(7) - 3; break; // ties
      case 9: {
        const y = rng.anyDouble();
        x = Number.isFinite(y) ? y : 0; // any finite double
        break;
      }
      default: x = rng.uniform() < 0.1 ? Infinity : rng.range(-1e6, 1e6); // +∞ and huge spreads
    }
    out[off + u] = x;
  }
  // Rows of kinds 1 and 5 hold their maximum at least once; rows of kind 4 hold a −0 (with +0s or alone).
  if (kind === 1 || kind === 5) out[off + rng.int(V)] = top;
  if (kind === 4 && V > 1) out[off + rng.int(V)] = -0;
}

/** A θ-shaped logits array with tables over it, in an arena of the given place. */
function tablesIn(arena: Arena, V: number, T: number): SoftmaxTables {
  const logits = arena.f64(policySize(V, T));
  return createSoftmaxTables(logits, V, T, arena);
}

function tablesBytes(V: number, T: number, count: number): number {
  return count * (8 * 3 * policySize(V, T) + 4 * T * (V + 1) + 64);
}

test('the softmax kernel (ensureRow on tables in the kernels\' memory) equals softmaxRow bit for bit, V = 3..32', (t) => {
  const rng = new Lcg(5);
  const seen = new Mismatches();
  const T = 3;
  for (let V = 3; V <= 32; V++) {
    const P = policySize(V, T);
    const rows = T * (V + 1);
    const arena = new Arena(tablesBytes(V, T, 1), 'kernels');
    try {
      const kt = tablesIn(arena, V, T);
      t.true(kt.kLogits >= 0 && kt.kProbs >= 0 && kt.kLogProbs >= 0, `V = ${V}: tables in the kernels' memory`);
      t.true(inKernels(kt.logits) && inKernels(kt.probs) && inKernels(kt.logProbs));
      const logits = new Float64Array(P);
      const probs = new Float64Array(P);
      const logProbs = new Float64Array(P);
      for (let round = 0; round < 12; round++) {
        for (let r = 0; r < rows; r++) fillRow(rng, logits, r * V, V, (r + round * 7) % ROW_KINDS);
        kt.logits.set(logits);
        kt.version++;
        for (let r = 0; r < rows; r++) {
          ensureRow(kt, V, r);
          softmaxRow(logits, r * V, V, probs, logProbs, r * V);
        }
        seen.arrays(`V ${V} round ${round} probs`, kt.probs, probs);
        seen.arrays(`V ${V} round ${round} logProbs`, kt.logProbs, logProbs);
      }
    } finally {
      arena.release();
    }
  }
  t.deepEqual(seen.list, []);
  t.is(seen.compared, 30 * 12 * 2);
});

/** Same logits into a kernels table and a heap table, by row kind. */
function fillBoth(rng: Lcg, a: SoftmaxTables, b: SoftmaxTables, V: number, T: number): void {
  for (let r = 0; r < T * (V + 1); r++) fillRow(rng, a.logits, r * V, V, rng.int(ROW_KINDS));
  b.logits.set(a.logits);
}

/** The softmax of every row whose stamp is current, by softmaxRow, against the table's. */
function checkCurrentRows(seen: Mismatches, what: string, tab: SoftmaxTables, V: number, T: number): void {
  const P = policySize(V, T);
  const probs = new Float64Array(P);
  const logProbs = new Float64Array(P);
  const gotP = new Float64Array(P);
  const gotLp = new Float64Array(P);
  for (let r = 0; r < T * (V + 1); r++) {
    if (tab.stamp[r] !== tab.version) continue;
    softmaxRow(tab.logits, r * V, V, probs, logProbs, r * V);
    gotP.set(tab.probs.subarray(r * V, r * V + V), r * V);
    gotLp.set(tab.logProbs.subarray(r * V, r * V + V), r * V);
  }
  seen.arrays(`${what} probs`, gotP, probs);
  seen.arrays(`${what} logProbs`, gotLp, logProbs);
}

test('through ensureReachable, and sampleSequences with the teacher, the kernel gives softmaxRow\'s bits', (t) => {
  const rng = new Lcg(9);
  const seen = new Mismatches();
  const T = 3;
  const G = 7;
  for (let V = 3; V <= 32; V++) {
    const ka = new Arena(tablesBytes(V, T, 2), 'kernels');
    const ha = new Arena(tablesBytes(V, T, 2));
    try {
      const kS = tablesIn(ka, V, T);
      const kQ = tablesIn(ka, V, T);
      const hS = tablesIn(ha, V, T);
      const hQ = tablesIn(ha, V, T);
      t.true(kS.kLogits >= 0 && kQ.kLogits >= 0, `V = ${V}: kernel tables`);
      t.true(hS.kLogits === -1 && hQ.kLogits === -1 && !inKernels(hS.probs) && !inKernels(hQ.probs), `V = ${V}: heap tables`);
      const kSeqs = new Int32Array(G * T);
      const hSeqs = new Int32Array(G * T);
      const uniforms = new Float64Array(G * T);
      for (let round = 0; round < 8; round++) {
        fillBoth(rng, kS, hS, V, T);
        kS.version++;
        hS.version++;
        // The teacher is not always stale with the student.
        if (round % 4 !== 3) {
          fillBoth(rng, kQ, hQ, V, T);
          kQ.version++;
          hQ.version++;
        }
        // Some rows already current in one table only.
        for (let r = 0; r < T * (V + 1); r++) {
          const c = rng.int(6);
          if (c === 0) {
            ensureRow(kS, V, r);
            ensureRow(hS, V, r);
          } else if (c === 1) {
            ensureRow(kQ, V, r);
            ensureRow(hQ, V, r);
          }
        }
        if (round % 2 === 0) {
          ensureReachable(kS, V, T);
          ensureReachable(hS, V, T);
          ensureReachable(kQ, V, T);
          ensureReachable(hQ, V, T);
        } else {
          const seed = 1000 * V + round;
          sampleSequences(new Rng(seed, 'wasm-test'), kS, V, T, G, kSeqs, uniforms, kQ);
          sampleSequences(new Rng(seed, 'wasm-test'), hS, V, T, G, hSeqs, uniforms, hQ);
          seen.arrays(`V ${V} round ${round} sampled tokens`, kSeqs, hSeqs);
        }
        const at = `V ${V} round ${round}`;
        seen.arrays(`${at} student stamps`, kS.stamp, hS.stamp);
        seen.arrays(`${at} teacher stamps`, kQ.stamp, hQ.stamp);
        seen.arrays(`${at} student probs (kernel vs JavaScript)`, kS.probs, hS.probs);
        seen.arrays(`${at} student logProbs (kernel vs JavaScript)`, kS.logProbs, hS.logProbs);
        seen.arrays(`${at} teacher probs (kernel vs JavaScript)`, kQ.probs, hQ.probs);
        seen.arrays(`${at} teacher logProbs (kernel vs JavaScript)`, kQ.logProbs, hQ.logProbs);
        checkCurrentRows(seen, `${at} student (kernel vs softmaxRow)`, kS, V, T);
        checkCurrentRows(seen, `${at} teacher (kernel vs softmaxRow)`, kQ, V, T);
      }
    } finally {
      ka.release();
    }
  }
  t.deepEqual(seen.list, []);
  t.true(seen.compared > 30 * 8 * 10);
});

// ─── Adam ──────────────────────────────────────────────────────────────────────────────────────────────────

interface AdamArrays {
  readonly theta: Float64Array;
  readonly grad: Float64Array;
  readonly m: Float64Array;
  readonly v: Float64Array;
  readonly teacher: Float64Array;
}

function adamArrays(arena: Arena, P: number): AdamArrays {
  return { theta: arena.f64(P), grad: arena.f64(P), m: arena.f64(P), v: arena.f64(P), teacher: arena.f64(P) };
}

/** A gradient entry: mostly ordinary, sometimes 0, −0, tiny or huge (g² overflows, v becomes ∞). */
function gradEntry(rng: Lcg): number {
  const c = rng.int(100);
  if (c < 85) return rng.range(-1, 1) * 2 ** (rng.int(20) - 10);
  if (c < 90) return 0;
  if (c < 94) return -0;
  if (c < 98) return rng.range(-1, 1) * 1e-300;
  return c === 98 ? rng.range(-1, 1) * 1e160 : rng.range(-1e3, 1e3);
}

test('the Adam kernel (with and without the EMA teacher) equals the JavaScript loop bit for bit after every step', (t) => {
  const rng = new Lcg(31);
  const seen = new Mismatches();
  let cases = 0;
  for (const V of [3, 4, 7, 8, 13, 32]) {
    for (const T of [1, 2, 3, 6]) {
      for (const withTeacher of [false, true]) {
        const P = policySize(V, T);
        const arena = new Arena(5 * 8 * P + 64, 'kernels');
        try {
          const kk = adamArrays(arena, P);
          const hh = adamArrays(new Arena(5 * 8 * P + 64), P);
          t.true(Object.values(kk).every(inKernels), `V ${V} T ${T}: kernel arrays`);
          t.true(Object.values(hh).every((a) => !inKernels(a)), `V ${V} T ${T}: heap arrays`);
          for (let i = 0; i < P; i++) {
            kk.theta[i] = hh.theta[i] = rng.range(-3, 3);
            kk.teacher[i] = hh.teacher[i] = rng.range(-3, 3);
          }
          const lr = [0.05, 1e-3, 2][cases % 3]!;
          const emaRate = [0.05, 1, 0.5][(cases >> 1) % 3]!;
          const steps = 200 + 50 * (cases % 3);
          for (let step = 1; step <= steps; step++) {
            for (let i = 0; i < P; i++) kk.grad[i] = hh.grad[i] = gradEntry(rng);
            adamStep(kk.theta, kk.grad, kk.m, kk.v, step, lr, V, T, withTeacher ? kk.teacher : undefined, emaRate);
            adamStep(hh.theta, hh.grad, hh.m, hh.v, step, lr, V, T, withTeacher ? hh.teacher : undefined, emaRate);
            const at = `V ${V} T ${T} teacher ${withTeacher} step ${step}`;
            seen.arrays(`${at} theta`, kk.theta, hh.theta);
            seen.arrays(`${at} m`, kk.m, hh.m);
            seen.arrays(`${at} v`, kk.v, hh.v);
            seen.arrays(`${at} teacher`, kk.teacher, hh.teacher);
          }
          // The update really moved something (the comparison is not between two untouched arrays).
          t.true(kk.m.some((x) => x !== 0), `V ${V} T ${T}: m moved`);
          cases++;
        } finally {
          arena.release();
        }
      }
    }
  }
  t.deepEqual(seen.list, []);
  t.is(cases, 48);
});

// ─── the region allocator ──────────────────────────────────────────────────────────────────────────────────

let fills = 0;

/** Kernels arenas holding (part of) the kernels' memory, and a view of each whole region. */
interface Held {
  readonly arenas: Arena[];
  readonly views: Float64Array[];
}

/**
 * Holds the kernels' memory full with live regions: kernels arenas of halving sizes until not even 8 bytes
 * fit (the memory does not grow while a region is live). Release them with {@link releaseAll}.
 */
function fillKernelMemory(): Held {
  const held: Held = { arenas: [], views: [] };
  const buffer = kernelBuffer;
  let bytes = 0;
  const hold = (size: number): boolean => {
    const a = new Arena(size, 'kernels');
    const view = a.f64(size / 8);
    if (!inKernels(view)) return false;
    held.arenas.push(a);
    held.views.push(view);
    bytes += size;
    // A memory that grew under live regions would never fill up.
    if (kernelBuffer !== buffer || bytes > buffer!.byteLength) {
      releaseAll(held);
      throw new Error('the kernels\' memory grew while regions were live');
    }
    return true;
  };
  // First a size never freed before: with no region live, the allocator then starts over and forgets its freed
  // regions (of every size), which it would otherwise still hand out with the memory "full".
  hold((1 << 16) + 8 * ++fills);
  for (let chunk = 1 << 16; chunk >= 8; chunk /= 2) while (hold(chunk));
  return held;
}

function releaseAll(held: Held): void {
  for (const a of held.arenas) a.release();
}

/** A value no run writes: a region zeroed or written by a run loses it. */
const PAINT = -1.2345678901234567e-67;

/**
 * Whether `run` writes to the kernels' memory (past exp's tables). Every region is painted first; `full`:
 * the painted regions stay live during the run (the memory is full), else they are released before it.
 */
function writesKernelMemory(run: () => void, full: boolean): boolean {
  const held = fillKernelMemory();
  for (const v of held.views) v.fill(PAINT);
  if (!full) releaseAll(held);
  try {
    run();
  } finally {
    if (full) releaseAll(held);
  }
  // Views of the released regions are read here only, to see what the run left in them.
  return held.views.some((v) => v.length === 0 || v.some((x) => x !== PAINT));
}

test('a released region is handed out again, zeroed, and live regions never overlap', (t) => {
  const live: Arena[] = [];
  const take = (bytes: number): Arena => {
    const a = new Arena(bytes, 'kernels');
    live.push(a);
    return a;
  };
  try {
    const other = take(1024);
    const a = new Arena(4096, 'kernels');
    const x = a.f64(512);
    t.true(inKernels(x));
    x.fill(7.5);
    const at = x.byteOffset;
    a.release();
    const y = take(4096).f64(512);
    t.true(inKernels(y));
    t.is(y.byteOffset, at, 'the freed region is reused');
    t.true(y.every((v) => Object.is(v, 0)), 'and handed out zeroed');
    const z = take(4096).f64(512);
    const o = other.f64(128);
    t.true(inKernels(z) && inKernels(o));
    const spans = [y, z, o].map((s) => [s.byteOffset, s.byteOffset + s.byteLength] as const).sort((p, q) => p[0] - q[0]);
    for (let i = 1; i < spans.length; i++) t.true(spans[i]![0] >= spans[i - 1]![1], 'live regions are disjoint');
    // Directly: offsets are 8-aligned and past exp's tables (which stay intact).
    const off = allocRegion(64);
    t.true(off >= 2048 + 8 * 2098 && off % 8 === 0, `offset ${off}`);
    freeRegion(off, 64);
    t.is(k().exp(1), exp(1));
  } finally {
    for (const a of live) a.release();
  }
});

test('with the kernels\' memory full, a kernels arena falls back to an ordinary buffer and works there', (t) => {
  const before = kernelBuffer;
  const size = kernelBuffer!.byteLength;
  const held = fillKernelMemory();
  try {
    t.true(held.arenas.length > 0);
    t.is(allocRegion(8), -1, 'no room left, not even for 8 bytes');
    t.is(kernelBuffer, before, 'the memory did not grow under live regions');
    // Not even a region larger than the whole memory makes it grow now.
    const big = new Arena(size + 65536, 'kernels');
    t.false(inKernels(big.f64(8)));
    t.is(kernelBuffer!.byteLength, size);
    // A heap-backed kernels arena: the JavaScript softmax and Adam run on it, with the kernels' results.
    const V = 7;
    const T = 3;
    const P = policySize(V, T);
    const fb = new Arena(tablesBytes(V, T, 1) + 5 * 8 * P, 'kernels');
    const tab = tablesIn(fb, V, T);
    t.false(inKernels(tab.logits));
    t.is(tab.kLogits, -1);
    const rng = new Lcg(3);
    for (let r = 0; r < T * (V + 1); r++) fillRow(rng, tab.logits, r * V, V, r % ROW_KINDS);
    for (let r = 0; r < T * (V + 1); r++) ensureRow(tab, V, r);
    const probs = new Float64Array(P);
    const logProbs = new Float64Array(P);
    for (let r = 0; r < T * (V + 1); r++) softmaxRow(tab.logits, r * V, V, probs, logProbs, r * V);
    t.is(firstDiff(tab.probs, probs), -1);
    t.is(firstDiff(tab.logProbs, logProbs), -1);
    const ad = adamArrays(fb, P);
    t.false(inKernels(ad.theta));
    ad.grad.fill(0.25);
    adamStep(ad.theta, ad.grad, ad.m, ad.v, 1, 0.05, V, T);
    // First Adam step: θ moves by −lr·g/(|g| + ε·…) on reachable entries only.
    t.true(Math.abs(ad.theta[policySize(V, 1) - 1]! + 0.05) < 1e-7);
    t.is(ad.theta[0], 0, 'row (t = 0, p = 0) is unreachable and untouched');
    fb.release();
  } finally {
    releaseAll(held);
  }
  // Room again once they are released.
  const again = new Arena(4096, 'kernels');
  t.true(inKernels(again.f64(1)));
  again.release();
});

test('with no region live, a region larger than the whole memory is granted by growing the memory', (t) => {
  const before = kernelBuffer!;
  const size = before.byteLength;
  const a = new Arena(size + 3 * 65536, 'kernels');
  try {
    const x = a.f64((size + 3 * 65536) / 8);
    t.true(inKernels(x), 'in the kernels\' memory');
    t.true(kernelBuffer!.byteLength >= size + 3 * 65536, `grew from ${size} to ${kernelBuffer!.byteLength} bytes`);
    t.is(before.byteLength, 0, 'the old buffer is detached');
    t.true(x.every((v) => v === 0));
    x[x.length - 1] = 1;
    t.is(x[x.length - 1], 1);
    // exp's tables moved with the memory: the kernels still give libm.ts's bits.
    for (const v of [1, -3.7, -700.5, -745, 0.125]) t.is(k().exp(v), exp(v));
  } finally {
    a.release();
  }
});

// ─── whole runs ─────────────────────────────────────────────────────────────────────────────────────────────

function withoutTiming(r: RunResult): Omit<RunResult, 'timing'> {
  const { timing: _timing, ...rest } = r;
  return rest;
}

/** Every typed array of a run state (that the kernels read or write). */
function stateArrays(s: RunState): [string, ArrayBufferView][] {
  const out: [string, ArrayBufferView][] = [];
  const add = (prefix: string, o: object): void => {
    for (const [key, v] of Object.entries(o)) if (ArrayBuffer.isView(v)) out.push([`${prefix}${key}`, v]);
  };
  add('', s);
  add('batch.', s.batch);
  add('student.', s.student);
  add('teacherTables.', s.teacherTables);
  add('sdpoScratch.', s.sdpoScratch);
  add('exactScratch.', s.exactScratch);
  return out;
}

/** Configs across methods and channels, odd and even vocabularies, large κ (evidence shifts above 700). */
const RUNS: RunConfigInput[] = [
  { seed: 1, method: 'sdpo', feedback: 'critique', noise: 0.1, vocab: 5, length: 4, steps: 60 },
  { seed: 2, method: 'sdpo', feedback: 'binary', noise: 0.3, vocab: 7, length: 5, group: 6, steps: 60 },
  { seed: 3, method: 'hybrid', feedback: 'critique', noise: 0.2, vocab: 5, length: 6, steps: 60 },
  { seed: 4, method: 'hybrid', feedback: 'binary', noise: 0, vocab: 8, length: 4, steps: 60, hybrid: { alphaMin: 0.1, alphaMax: 1, warmup: 3 } },
  { seed: 5, method: 'reinforce', feedback: 'critique', noise: 0.1, vocab: 7, length: 4, steps: 60 },
  { seed: 6, method: 'reinforce', feedback: 'binary', noise: 0.5, vocab: 3, length: 8, steps: 60 },
  { seed: 7, method: 'sdpo', feedback: 'critique', noise: 0.1, vocab: 5, length: 4, steps: 40, kappa: 5000 },
  { seed: 8, method: 'hybrid', feedback: 'critique', noise: 0.4, vocab: 7, length: 3, steps: 40, kappa: 1e6, lr: 0.5 },
  { seed: 9, method: 'sdpo', feedback: 'continuous', noise: 0.2, vocab: 6, length: 4, steps: 40, divergence: 'jsd' },
  { seed: 10, method: 'sdpo', feedback: 'ordinal', noise: 0.2, vocab: 9, length: 3, steps: 40, divergence: 'forward-kl' },
  { seed: 11, method: 'sdpo', feedback: 'critique', noise: 0.1, vocab: 32, length: 2, group: 16, steps: 30 },
  { seed: 12, method: 'hybrid', feedback: 'binary', noise: 0.1, vocab: 3, length: 12, group: 3, steps: 30 },
  { seed: 13, method: 'sdpo', feedback: 'critique', noise: 0.1 }, // the defaults: V 8, T 6, 150 steps
  ...METHODS.flatMap((method, i) => FEEDBACKS.map((feedback, j): RunConfigInput => (
    { seed: 100 + 4 * i + j, method, feedback, noise: 0.15 * j, vocab: [5, 7, 4, 3][j]!, length: 3 + i % 3, steps: 25 }))),
];

test('sdpo and hybrid states step in lockstep: kernels\' memory and heap agree bit for bit after every step', (t) => {
  const seen = new Mismatches();
  const configs = RUNS.filter((c) => (c.method === 'sdpo' || c.method === 'hybrid') && c.seed < 100);
  for (const input of configs) {
    const c = resolveRunConfig(input);
    const ks = createRunState(c, undefined, { place: 'kernels' });
    try {
      const hs = createRunState(c, undefined, { place: 'heap' });
      const kArrays = stateArrays(ks);
      const hArrays = stateArrays(hs);
      t.deepEqual(kArrays.filter(([, a]) => !inKernels(a)).map(([n]) => n), [], `seed ${c.seed}: every array in the kernels' memory`);
      t.deepEqual(hArrays.filter(([, a]) => inKernels(a)).map(([n]) => n), [], `seed ${c.seed}: none on the heap side`);
      for (let step = 1; step <= c.steps; step++) {
        for (const s of [ks, hs]) {
          sampleBatch(s);
          computeUpdate(s);
          applyUpdate(s);
        }
        const at = `seed ${c.seed} step ${step}`;
        for (let i = 0; i < kArrays.length; i++) {
          const [name, a] = kArrays[i]!;
          const b = hArrays[i]![1];
          if (a instanceof Float64Array || a instanceof Int32Array) seen.arrays(`${at} ${name}`, a, b as Float64Array | Int32Array);
        }
        seen.values(`${at} D̄`, ks.lastKl, hs.lastKl);
        seen.values(`${at} α`, ks.lastAlpha, hs.lastAlpha);
        seen.values(`${at} baseline`, ks.baseline, hs.baseline);
      }
      t.true(ks.theta.some((x) => x !== 0) && ks.teacher.some((x) => x !== 0), `seed ${c.seed}: the state moved`);
    } finally {
      ks.arena.release();
    }
  }
  t.deepEqual(seen.list, []);
  t.true(seen.compared > 1000);
});

test('runSimulation gives the same result in the kernels\' memory, with kernels: false, and with the memory full', (t) => {
  for (const input of RUNS) {
    const what = `${input.method}/${input.feedback} V ${input.vocab ?? 8} seed ${input.seed}`;
    // The state fits in one region: no array spills into an ordinary buffer (the kernels would then not run).
    const probe = createRunState(resolveRunConfig(input), undefined, { place: 'kernels' });
    const spilled = stateArrays(probe).filter(([, a]) => !inKernels(a)).map(([n]) => n);
    probe.arena.release();
    t.deepEqual(spilled, [], `${what}: every array in the kernels' memory`);
    let fast: RunResult | undefined;
    let jsOnly: RunResult | undefined;
    let full: RunResult | undefined;
    t.true(writesKernelMemory(() => (fast = runSimulation(input)), false), `${what}: the run's state is in the kernels' memory`);
    t.false(writesKernelMemory(() => (jsOnly = runSimulation(input, { kernels: false })), false), `${what}: kernels: false stays out of it`);
    t.false(writesKernelMemory(() => (full = runSimulation(input)), true), `${what}: with the memory full, the run is on the heap`);
    const want = withoutTiming(fast!);
    t.true(want.curves.reward.length >= 2 && Number.isFinite(want.summary.finalReward));
    t.deepEqual(withoutTiming(jsOnly!), want, `${what}: kernels: false`);
    t.deepEqual(withoutTiming(full!), want, `${what}: memory full`);
  }
});

for (const [divergence, extra] of [['reverse-kl', {}], ['jsd', { jsdBeta: 0.3, group: 6 }], ['forward-kl', { group: 5 }]] as const) {
  test(`the ${divergence} kernel equals the JavaScript update where the teacher is near one-hot and κ is huge (normalizers that underflow)`, (t) => {
    // A teacher row with all its mass on one token (the others 3,000 below) and κ = 10⁶: the shifted normalizer
    // takes the max shift M > 700 and, when every term underflows, the max-shifted fallback (generalLogZ,
    // generalShiftedSoftmax). No run reaches such a teacher in a test's time (Adam moves a logit by about lr per
    // step), so the teacher's logits are set by hand. κ = 900 then takes M > 700 with terms that do not underflow.
    const seen = new Mismatches();
    for (const kappa of [1e6, 900]) {
      const c = resolveRunConfig({ seed: 12, method: 'sdpo', feedback: 'critique', noise: 0.2, kappa, divergence, ...extra });
      const ks = createRunState(c, undefined, { place: 'kernels' });
      const hs = createRunState(c, undefined, { place: 'heap' });
      try {
        t.true(inKernels(ks.teacher) && inKernels(ks.sdpoScratch.q) && !inKernels(hs.teacher));
        for (let step = 0; step < 8; step++) {
          for (const s of [ks, hs]) {
            sampleBatch(s);
            for (let i = 0; i < s.teacher.length; i++) s.teacher[i] = i % c.vocab === step % c.vocab ? 0 : kappa > 1e3 ? -3000 : -2 * (i % 3);
            s.teacherTables.version++;
            computeUpdate(s);
          }
          seen.arrays(`κ ${kappa} step ${step} gradient`, ks.grad, hs.grad);
          seen.arrays(`κ ${kappa} step ${step} advantages`, ks.adv, hs.adv);
          seen.arrays(`κ ${kappa} step ${step} q`, ks.sdpoScratch.q, hs.sdpoScratch.q);
          seen.values(`κ ${kappa} step ${step} D̄`, ks.lastKl, hs.lastKl);
          t.true(Number.isFinite(hs.lastKl), `κ ${kappa} step ${step}: D̄ is finite`);
        }
      } finally {
        ks.arena.release();
      }
    }
    t.deepEqual(seen.list, []);
  });
}
