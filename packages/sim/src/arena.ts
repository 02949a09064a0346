/**
 * Zeroed typed arrays carved from shared ArrayBuffers. A typed array above 64 bytes gets its own
 * off-heap backing store, which V8 takes 2–4 µs to allocate and register; a view on an existing
 * buffer takes well under 0.1 µs. A run allocates about thirty such arrays, so its state comes
 * from one arena (docs/method.md, "Where the time goes now").
 */

/** Bytes per buffer: the whole state of a default run (V = 8, T = 6, G = 8) fits in one. */
const ARENA_CHUNK = 64 * 1024;

export class Arena {
  private buffer = new ArrayBuffer(0);
  private used = 0;

  f64(n: number): Float64Array {
    const off = this.take(n * 8);
    return new Float64Array(this.buffer, off, n);
  }

  i32(n: number): Int32Array {
    const off = this.take(n * 4);
    return new Int32Array(this.buffer, off, n);
  }

  /** Byte offset of `bytes` fresh bytes in `buffer`, 8-aligned; starts a new buffer when this one is full. */
  private take(bytes: number): number {
    const size = Math.ceil(bytes / 8) * 8;
    if (this.used + size > this.buffer.byteLength) {
      this.buffer = new ArrayBuffer(Math.max(ARENA_CHUNK, size));
      this.used = 0;
    }
    const off = this.used;
    this.used += size;
    return off;
  }
}
