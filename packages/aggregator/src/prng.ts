/**
 * The aggregator's own seeded PRNG: xoshiro128** seeded through splitmix32.
 * Small, fast in 32-bit integer arithmetic, and identical on every engine, so
 * the same `bootstrapSeed` gives the same intervals everywhere.
 */
export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Seeds the four state words from `seed` (any finite number; its low 32 bits and high bits both count). */
  constructor(seed: number) {
    let s = (Math.floor(seed) >>> 0) ^ Math.floor(seed / 4294967296) * 0x9e3779b9;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** The four state words (for hot loops that inline the generator; see {@link setState}). */
  getState(): [number, number, number, number] {
    return [this.a, this.b, this.c, this.d];
  }

  setState(s: readonly [number, number, number, number]): void {
    [this.a, this.b, this.c, this.d] = s;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /**
   * Uniform integer in [0, n) for 1 ≤ n ≤ 2^21 by multiply-shift: floor(u·n/2^32).
   * The bias is at most n/2^32 (< 5e-4 for n = 2^21, < 1e-8 for cells of 30 seeds).
   */
  nextInt(n: number): number {
    return Math.floor((this.nextU32() * n) / 4294967296);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
