import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { expandSweep, ProtocolError, type Issue, type ProtocolErrorCode, type SweepDefinition } from '@sdpo/protocol';

/** The expansion task's messages: batches of keys (32 bytes each, `count` of them), then done, or the error. */
export type ExpandReply =
  | { readonly keys: ArrayBuffer; readonly count: number }
  | { readonly done: true }
  | { readonly error: { name: string; code: string | undefined; message: string; issues: unknown } };

/**
 * The task keys of a sweep's cells, in grid order (cell `i` is the `i`-th key),
 * as a submit consumes them: {@link next} gives a key, `null` when none is ready
 * yet (then {@link ready} waits for more), or `undefined` once all are given.
 * An invalid cell throws its INVALID_GRID error from `next` or `ready`.
 */
export interface KeySource {
  next(): Buffer | null | undefined;
  ready(): Promise<void>;
}

/** Keys computed on the calling thread, as they are taken (a small grid's submit). */
export function inlineKeys(def: SweepDefinition, simVersion: string): KeySource {
  const cells = expandSweep(def, simVersion);
  return {
    next: () => {
      const c = cells.next();
      return c.done ? undefined : Buffer.from(c.value.key, 'hex');
    },
    ready: () => Promise.resolve(),
  };
}

/** The expansion thread's module: `.ts` under tsx, `.js` when built. */
function threadUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./expand-thread${ext}`, import.meta.url);
}

/** How long the expansion thread waits for another submit before it exits, ms. */
const KEY_THREAD_IDLE_MS = 5_000;

/**
 * A thread that expands grids for big submits. Resolving a cell and hashing its
 * key cost the coordinator's thread about as much as writing the task's row; on
 * this thread that work runs in parallel with the writes (and with serving
 * workers). A one-thread Piscina pool, started on first use (Piscina loads the
 * task's TypeScript under tsx, as for the worker's pool); submits run one at a time.
 * The thread exits after {@link KEY_THREAD_IDLE_MS} without a submit: starting it
 * costs 0.7 s under tsx and 0.24 s built (measured), so back-to-back submits keep
 * it, while a coordinator that only serves does not carry its ~100 MiB (measured
 * RSS). A submit does not wait for it to start unless its grid is huge
 * (the scheduler's expandThreadWait): it expands inline and warms it up for the next.
 */
export class KeyThread {
  private pool: Piscina | undefined;
  private current: { source: ThreadKeys; port: MessagePort } | undefined;
  /** Whether the thread is up, its module loaded (a task has finished on it since it started). */
  private up = false;
  private warming = false;

  /** True when the thread is up: a submit handed to it gets keys at once. */
  get warm(): boolean {
    return this.up;
  }

  /**
   * Starts the thread (if it is not up) for the submits that follow; it exits again after its
   * idle time. `failed` hears why it could not start (grids then keep expanding inline).
   */
  warmUp(failed: (err: Error) => void): void {
    if (this.up || this.warming) return;
    this.warming = true;
    const pool = this.startPool();
    pool.run({ warmUp: true }).then(
      () => {
        this.warming = false;
        if (this.pool === pool) this.up = true;
      },
      (err: Error) => {
        this.warming = false;
        // Stopped meanwhile (shutdown) is no failure.
        if (this.pool === pool) failed(err);
      },
    );
  }

  private startPool(): Piscina {
    if (this.pool) return this.pool;
    const pool = new Piscina({ filename: threadUrl().href, minThreads: 0, maxThreads: 1, idleTimeout: KEY_THREAD_IDLE_MS });
    // The idle timeout ended the thread: the next submit would wait for a new one.
    pool.on('workerDestroy', () => (this.up = false));
    this.pool = pool;
    return pool;
  }

  /** The keys of `def`'s cells, computed on the thread. */
  keys(def: SweepDefinition, simVersion: string): KeySource {
    this.end(new Error('superseded by another submit'));
    const pool = this.startPool();
    const { port1, port2 } = new MessageChannel();
    const source = new ThreadKeys();
    const current = { source, port: port1 };
    this.current = current;
    port1.on('message', (m: ExpandReply) => {
      if ('keys' in m) return source.add(Buffer.from(m.keys, 0, m.count * 32));
      if ('error' in m) source.fail(threadError(m.error));
      else source.finish();
      if (this.pool === pool) this.up = true;
      port1.close();
      if (this.current === current) this.current = undefined;
    });
    pool.run({ def, simVersion, port: port2 }, { transferList: [port2] }).catch((err: Error) => {
      source.fail(new Error(`the grid expansion thread failed: ${err.message}`));
      port1.close();
    });
    return source;
  }

  /** Stops the thread if it is still expanding for `source` (its submit failed): it would only delay the next. */
  abandon(source: KeySource): void {
    if (this.current?.source === source) this.stop();
  }

  /** Stops the thread (a submit in progress fails); a later request starts a new one. */
  stop(): void {
    this.end(new Error('the grid expansion thread was stopped'));
    const pool = this.pool;
    this.pool = undefined;
    this.up = false;
    void pool?.destroy();
  }

  private end(err: Error): void {
    this.current?.source.fail(err);
    this.current?.port.close();
    this.current = undefined;
  }
}

/** The error the thread reported, rebuilt: a grid's ProtocolError keeps its code and issues. */
function threadError(e: { name: string; code: string | undefined; message: string; issues: unknown }): Error {
  if (e.name === 'ProtocolError') return new ProtocolError(e.code as ProtocolErrorCode, e.message, (e.issues ?? []) as Issue[]);
  return Object.assign(new Error(e.message), { code: e.code });
}

/** Keys arriving from the thread in batches. */
class ThreadKeys implements KeySource {
  private readonly batches: Buffer[] = [];
  /** Byte offset of the next key in batches[0]. */
  private at = 0;
  private done = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;

  next(): Buffer | null | undefined {
    if (this.error) throw this.error;
    const b = this.batches[0];
    if (!b) return this.done ? undefined : null;
    const key = b.subarray(this.at, this.at + 32);
    this.at += 32;
    if (this.at === b.length) {
      this.batches.shift();
      this.at = 0;
    }
    return key;
  }

  ready(): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    if (this.batches.length || this.done) return Promise.resolve();
    return new Promise<void>((resolve) => (this.wake = resolve)).then(() => {
      if (this.error) throw this.error;
    });
  }

  add(b: Buffer): void {
    this.batches.push(b);
    this.signal();
  }

  finish(): void {
    this.done = true;
    this.signal();
  }

  fail(err: Error): void {
    this.error ??= err;
    this.signal();
  }

  private signal(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
