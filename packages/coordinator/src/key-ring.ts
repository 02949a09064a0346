// The task keys of a big submit, passed from the coordinator's thread (which
// expands the grid) to the submit thread (which writes the rows) over shared
// memory. Expanding a cell (resolving its config, hashing its key) costs about
// as much as writing its row (~12 against ~10 µs, profiled), so the two run side
// by side; and the configs the coordinator's thread resolves are the ones it
// leases later, instead of resolving every cell twice.
//
// One producer, one consumer: a ring of 32-byte keys and two counters, each
// written by one side only.

/** Slots of the shared Int32Array header. */
const PRODUCED = 0; // keys published by the coordinator's thread
const CONSUMED = 1; // keys taken by the submit thread
const END = 2; // 0 open, 1 every key published, 2 aborted
const HEADER_BYTES = 4 * 4;
const KEY_BYTES = 32;

/** Keys the ring holds: 512 KiB, about 0.2 s of expansion. */
export const RING_KEYS = 16_384;

export class KeyRing {
  private readonly a: Int32Array;
  private readonly bytes: Buffer;
  /** The producer's count, ahead of PRODUCED until {@link publish}; the consumer's, ahead of CONSUMED until {@link release}. */
  private produced = 0;
  private consumed = 0;
  /** PRODUCED as the consumer last read it. */
  private seen = 0;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(HEADER_BYTES + RING_KEYS * KEY_BYTES)) {
    this.a = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.bytes = Buffer.from(buffer, HEADER_BYTES);
  }

  private get capacity(): number {
    return this.bytes.length / KEY_BYTES;
  }

  // ---- the coordinator's thread (producer) ---------------------------------

  /** Keys that fit before the submit thread takes more. */
  space(): number {
    return this.capacity - (this.produced - Atomics.load(this.a, CONSUMED));
  }

  /** Adds a key (64 hex digits); the submit thread sees it after {@link publish}. The caller checks {@link space}. */
  put(hex: string): void {
    this.bytes.write(hex, (this.produced % this.capacity) * KEY_BYTES, KEY_BYTES, 'hex');
    this.produced++;
  }

  /** Makes the keys put so far visible to the submit thread. */
  publish(): void {
    Atomics.store(this.a, PRODUCED, this.produced);
    Atomics.notify(this.a, PRODUCED);
  }

  /** Publishes the last keys: there are no more. */
  finish(): void {
    this.publish();
    this.end(1);
  }

  /** Tells the submit thread to stop taking keys (the grid failed, or a shutdown). */
  abort(): void {
    this.end(2);
  }

  private end(how: 1 | 2): void {
    Atomics.store(this.a, END, how);
    Atomics.notify(this.a, PRODUCED);
  }

  /** Resolves once the submit thread has taken keys (or after `ms`), without blocking the event loop. */
  async taken(ms: number): Promise<void> {
    const c = Atomics.load(this.a, CONSUMED);
    if (this.capacity - (this.produced - c) > 0) return;
    const w = Atomics.waitAsync(this.a, CONSUMED, c, ms);
    if (w.async) await w.value;
  }

  // ---- the submit thread (consumer) -----------------------------------------

  /**
   * Blocks until at least `min` keys are published (or all of them are), or the ring is
   * aborted, or `stopped()`; checked every 50 ms. True when there are keys to take, or the end.
   */
  waitFor(min: number, stopped: () => boolean): boolean {
    for (;;) {
      const end = Atomics.load(this.a, END);
      if (end === 2 || stopped()) return false;
      this.seen = Atomics.load(this.a, PRODUCED);
      if (end === 1 || this.seen - this.consumed >= min) return true;
      Atomics.wait(this.a, PRODUCED, this.seen, 50);
    }
  }

  /**
   * The next key (a copy), `null` when none is published yet, `undefined` once every key
   * is taken. The producer reuses a slot only after {@link release}.
   */
  take(): Buffer | null | undefined {
    if (this.consumed === this.seen) {
      // END before PRODUCED: once the end is seen, every key is published.
      const end = Atomics.load(this.a, END);
      this.seen = Atomics.load(this.a, PRODUCED);
      if (this.consumed === this.seen) return end === 1 ? undefined : null;
    }
    const at = (this.consumed++ % this.capacity) * KEY_BYTES;
    const key = Buffer.from(this.bytes.subarray(at, at + KEY_BYTES));
    // The producer waits for slots while the ring is full: give them back as we go.
    if ((this.consumed & 1023) === 0) this.release();
    return key;
  }

  /** Whether the producer aborted: the slice in progress should end. */
  aborted(): boolean {
    return Atomics.load(this.a, END) === 2;
  }

  /** Hands the slots of the keys taken so far back to the producer. */
  release(): void {
    Atomics.store(this.a, CONSUMED, this.consumed);
    Atomics.notify(this.a, CONSUMED);
  }
}
