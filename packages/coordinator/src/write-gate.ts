// Turn-taking between the coordinator's thread and the submit thread, which write
// to the same store through two connections. SQLite lets one connection write at
// a time, and a connection that finds the lock taken sleeps in growing steps (up
// to 100 ms each), so the coordinator's thread would mostly miss the moments
// between the submit thread's slices. Instead, over shared memory: the
// coordinator's thread says it wants to write, the submit thread ends its slice
// (within 32 rows) and waits until the coordinator's transaction is done.

/** Slots of the shared Int32Array. */
const WANTS = 0; // transactions of the coordinator's thread waiting or running
const WRITING = 1; // 1 while the submit thread is in a transaction
const STOP = 2; // 1: the submit thread should stop (shutdown)

/** Longest wait of the coordinator's thread for the submit thread's slice to end, ms; past it SQLite's own lock wait takes over. */
const HOLD_WAIT_MS = 10_000;

export class WriteGate {
  private readonly a: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(3 * 4)) {
    this.a = new Int32Array(buffer);
  }

  // ---- the coordinator's thread -------------------------------------------

  /** Runs `fn` (a write transaction) once the submit thread is out of its transaction; it stays out until `fn` returns. */
  hold<T>(fn: () => T): T {
    const a = this.a;
    Atomics.add(a, WANTS, 1);
    try {
      const until = performance.now() + HOLD_WAIT_MS;
      for (let v; (v = Atomics.load(a, WRITING)) !== 0 && performance.now() < until;) Atomics.wait(a, WRITING, v, 100);
      return fn();
    } finally {
      Atomics.sub(a, WANTS, 1);
      Atomics.notify(a, WANTS);
    }
  }

  /** Tells the submit thread to stop: it ends its slice and returns. */
  stop(): void {
    Atomics.store(this.a, STOP, 1);
    Atomics.notify(this.a, WANTS);
  }

  // ---- the submit thread ----------------------------------------------------

  /** Waits until the coordinator's thread wants no transaction, and enters one; false when told to stop. */
  enter(): boolean {
    const a = this.a;
    for (;;) {
      if (Atomics.load(a, STOP) !== 0) return false;
      // Both sides announce, then look at the other: at least one of them sees the other (sequentially consistent).
      Atomics.store(a, WRITING, 1);
      if (Atomics.load(a, WANTS) === 0) return true;
      this.leave();
      for (let v; (v = Atomics.load(a, WANTS)) !== 0 && Atomics.load(a, STOP) === 0;) Atomics.wait(a, WANTS, v, 100);
    }
  }

  /** Whether the submit thread was told to stop. */
  stopping(): boolean {
    return Atomics.load(this.a, STOP) !== 0;
  }

  /** Whether the slice should end now: the coordinator's thread wants to write, or a stop. */
  yielding(): boolean {
    return Atomics.load(this.a, WANTS) !== 0 || Atomics.load(this.a, STOP) !== 0;
  }

  /** Leaves the transaction (committed or rolled back). */
  leave(): void {
    Atomics.store(this.a, WRITING, 0);
    Atomics.notify(this.a, WRITING);
  }
}
