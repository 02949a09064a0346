import { allocRegion, freeRegion, kernelBuffer } from './wasm.js';

/**
 * Zeroed typed arrays carved from shared ArrayBuffers. A typed array above 64 bytes gets its own
 * off-heap backing store, which V8 takes 2–4 µs to allocate and register; a view on an existing
 * buffer takes well under 0.1 µs. A run allocates about thirty such arrays, so its state comes
 * from one arena (docs/method.md, "Where the time goes now").
 */

/**
 * Buffers handed back by {@link Arena.release}, by size, for the next arena of that size
 * (the next run of the same shape). Allocating one cost a one-step run on a tiny task
 * about as much as its arithmetic; zeroing a used one costs a fraction of that.
 */
const spare = new Map<number, ArrayBuffer>();
/** At most this many sizes are kept, each up to {@link SPARE_MAX_BYTES}. */
const SPARE_SIZES = 16;
const SPARE_MAX_BYTES = 1 << 20;

/** Where an arena's arrays live: an ordinary buffer, or a region of the WebAssembly kernels' memory. */
export type ArenaPlace = 'heap' | 'kernels';

export class Arena {
  private buffer: ArrayBuffer;
  /** Byte offset of this arena's region in `buffer` (0 but for a region of the kernels' memory). */
  private base = 0;
  /** Byte offset of the region in the kernels' memory, or -1. */
  private region = -1;
  private used = 0;
  /** Bytes usable from `base` in `buffer`. */
  private limit: number;
  /** False once the first buffer filled up and a second one was started, or once it was released. */
  private releasable = true;
  private readonly bytes: number;

  /**
   * `bytes`: the expected total, allocated at once. A tiny run's state is a few kB, and a
   * fixed 64 KiB buffer (zeroed by V8) cost such runs more than all their arithmetic.
   * `place: 'kernels'`: in the WebAssembly kernels' memory when it has room, so that the kernels
   * work on the arrays in place (src/wasm.ts); such an arena must be released.
   */
  constructor(bytes: number, place: ArenaPlace = 'heap') {
    this.bytes = Math.ceil(bytes / 8) * 8;
    bytes = this.bytes;
    if (place === 'kernels') {
      const off = allocRegion(bytes);
      if (off >= 0) {
        this.buffer = kernelBuffer!;
        this.base = off;
        this.region = off;
        this.limit = bytes;
        return;
      }
    }
    const reused = spare.get(bytes);
    if (reused) {
      spare.delete(bytes);
      new Uint8Array(reused).fill(0);
      this.buffer = reused;
    } else this.buffer = new ArrayBuffer(bytes);
    this.limit = bytes;
  }

  /**
   * Hands the buffer back for the next arena of the same size. Every array carved from this
   * arena must be dead: the next owner zeroes and overwrites it. The arena is not used again.
   */
  release(): void {
    if (this.region >= 0) {
      freeRegion(this.region, this.bytes);
      this.region = -1;
      this.releasable = false;
      return;
    }
    if (!this.releasable || this.bytes > SPARE_MAX_BYTES) return;
    if (spare.size >= SPARE_SIZES && !spare.has(this.bytes)) spare.delete(spare.keys().next().value!);
    spare.set(this.bytes, this.buffer);
    this.releasable = false;
  }

  f64(n: number): Float64Array {
    const off = this.take(n * 8);
    return new Float64Array(this.buffer, this.base + off, n);
  }

  i32(n: number): Int32Array {
    const off = this.take(n * 4);
    return new Int32Array(this.buffer, this.base + off, n);
  }

  /** Byte offset of `bytes` fresh bytes in `buffer`, 8-aligned; starts a new buffer when this one is full. */
  private take(bytes: number): number {
    const size = Math.ceil(bytes / 8) * 8;
    if (this.used + size > this.limit) {
      // An underestimate only costs a second buffer (an ordinary one; a region stays reserved until release).
      this.limit = Math.max(this.bytes, size);
      this.buffer = new ArrayBuffer(this.limit);
      this.base = 0;
      this.used = 0;
      this.releasable = false;
    }
    const off = this.used;
    this.used += size;
    return off;
  }
}
