/**
 * Zeroed typed arrays carved from shared ArrayBuffers. A typed array above 64 bytes gets its own
 * off-heap backing store, which V8 takes 2–4 µs to allocate and register; a view on an existing
 * buffer takes well under 0.1 µs. A run allocates about thirty such arrays, so its state comes
 * from one arena (docs/method.md, "Where the time goes now").
 */

export class Arena {
  private buffer: ArrayBuffer;
  private used = 0;

  /**
   * `bytes`: the expected total, allocated at once. A tiny run's state is a few kB, and a
   * fixed 64 KiB buffer (zeroed by V8) cost such runs more than all their arithmetic.
   */
  constructor(private readonly bytes: number) {
    this.buffer = new ArrayBuffer(bytes);
  }

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
      // An underestimate only costs a second buffer.
      this.buffer = new ArrayBuffer(Math.max(this.bytes, size));
      this.used = 0;
    }
    const off = this.used;
    this.used += size;
    return off;
  }
}
