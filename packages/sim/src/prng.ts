/**
 * The one seeded PRNG family of the simulation (spec §8).
 *
 * Generator: xoshiro128** 1.0 (Blackman & Vigna), 32-bit words, so every
 * operation is an exact int32 op in JavaScript (Math.imul, >>>) and the
 * stream is bit-identical on every machine and thread.
 *
 * Seeding: a stream is named by (seed, name). The name is hashed with 64-bit
 * FNV-1a; the splitmix64 state starts at `seed·φ64 XOR hash(name)` (mod 2^64,
 * φ64 = 0x9E3779B97F4A7C15) and two splitmix64 outputs give the four 32-bit
 * state words (high word first). BigInt is used only here, once per (seed, name)
 * in a thread: start states are cached.
 *
 * Uniforms: 53-bit doubles in [0, 1) from two outputs, `(a>>>5)·2^26 + (b>>>6)` / 2^53.
 * Normals: Box–Muller on u1 = 1 − uniform ∈ (0, 1], u2 = uniform:
 * `z0 = √(−2 ln u1)·cos(2π u2)`, `z1 = √(−2 ln u1)·sin(2π u2)`; z0 is
 * returned first and z1 is kept for the next call.
 */

import { boxMuller } from './libm.js';

const MASK64 = (1n << 64n) - 1n;

/** The pair {@link Rng.normal} draws and transforms (a thread runs one call at a time). */
const PAIR = new Float64Array(2);

function fnv1a64(name: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < name.length; i++) {
    h ^= BigInt(name.charCodeAt(i));
    h = (h * 0x100000001b3n) & MASK64;
  }
  return h;
}

function splitmix64(state: { s: bigint }): bigint {
  state.s = (state.s + 0x9e3779b97f4a7c15n) & MASK64;
  let z = state.s;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** The four state words of stream (seed, name), as seeded above. */
function seedState(seed: number, name: string): Int32Array {
  const st = { s: ((BigInt(seed) * 0x9e3779b97f4a7c15n) & MASK64) ^ fnv1a64(name) };
  const a = splitmix64(st);
  const b = splitmix64(st);
  const w = Int32Array.of(Number(a >> 32n) | 0, Number(a & 0xffffffffn) | 0, Number(b >> 32n) | 0, Number(b & 0xffffffffn) | 0);
  // The all-zero state is a fixed point of xoshiro; splitmix makes it astronomically unlikely, but be safe.
  if ((w[0]! | w[1]! | w[2]! | w[3]!) === 0) w[0] = 1;
  return w;
}

/**
 * Start states by name and seed. Seeding costs a few µs of BigInt arithmetic, as
 * much as all the rest of a one-step run on a tiny task, and a sweep uses a few
 * seeds many times. Each name keeps at most {@link START_CACHE} seeds (then starts over).
 */
const startStates = new Map<string, Map<number, Int32Array>>();
const START_CACHE = 4096;

function startState(seed: number, name: string): Int32Array {
  let bySeed = startStates.get(name);
  if (!bySeed) startStates.set(name, (bySeed = new Map()));
  let w = bySeed.get(seed);
  if (!w) {
    if (bySeed.size >= START_CACHE) bySeed.clear();
    w = seedState(seed, name);
    bySeed.set(seed, w);
  }
  return w;
}

/** The random stream names of spec §8. */
export type StreamName = 'task' | 'rollout' | 'noise';

/** A xoshiro128** stream with uniform and standard-normal draws. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare = 0;
  private hasSpare = false;

  /** Creates the stream for (seed, name); seed a non-negative safe integer. */
  constructor(seed: number, name: string) {
    const start = startState(seed, name);
    this.s0 = start[0]!;
    this.s1 = start[1]!;
    this.s2 = start[2]!;
    this.s3 = start[3]!;
  }

  /** Next raw output as an unsigned 32-bit integer. */
  nextU32(): number {
    const s1 = this.s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * Writes n uniforms (as {@link uniform}) to out[off..off+n). The generator state
   * lives in locals for the loop, and no double crosses a call boundary, so
   * nothing is boxed on the heap (a per-step loop stays allocation-free).
   */
  fillUniform(out: Float64Array, off: number, n: number): void {
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    for (let k = 0; k < n; k++) {
      // Two xoshiro128** steps, inlined.
      let x = Math.imul(s1, 5);
      const r1 = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
      let t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      x = Math.imul(s1, 5);
      const r2 = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      out[off + k] = ((r1 >>> 5) * 67108864 + (r2 >>> 6)) / 9007199254740992;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /**
   * Writes n standard normals to out[off..off+n), the same values n calls of
   * {@link normal} would return (including the cached second value of a pair).
   */
  fillNormal(out: Float64Array, off: number, n: number): void {
    let k = 0;
    if (n > 0 && this.hasSpare) {
      this.hasSpare = false;
      out[off] = this.spare;
      k = 1;
    }
    // Whole pairs: their uniforms (u, u' per pair, in stream order) go into `out` first, in one pass
    // of the integer generator; the transform then overwrites them pair by pair.
    const pairs = (n - k) >>> 1;
    this.fillUniform(out, off + k, 2 * pairs);
    boxMuller(out, off + k, off + k + 2 * pairs);
    k += 2 * pairs;
    if (k < n) out[off + k] = this.normal();
  }

  /**
   * Advances the stream exactly as `n` calls of {@link normal} would, without the
   * transforms where possible (Box–Muller uses a fixed 4 outputs per pair). Lets a
   * run skip noise it multiplies by 0 while keeping every later draw aligned.
   */
  skipNormals(n: number): void {
    if (n > 0 && this.hasSpare) {
      this.hasSpare = false;
      n--;
    }
    for (let k = n >>> 1; k > 0; k--) {
      this.nextU32();
      this.nextU32();
      this.nextU32();
      this.nextU32();
    }
    if (n % 2 === 1) this.normal();
  }

  /** Standard normal N(0, 1) by Box–Muller (pairs; the second value is cached). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    this.fillUniform(PAIR, 0, 2);
    boxMuller(PAIR, 0, 2);
    this.spare = PAIR[1]!;
    this.hasSpare = true;
    return PAIR[0]!;
  }
}

/** The stream `name` of `seed` (spec §8: derived from (seed, stream name) only). */
export function createStream(seed: number, name: StreamName): Rng {
  return new Rng(seed, name);
}
