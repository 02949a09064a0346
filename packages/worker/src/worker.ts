import * as grpc from '@grpc/grpc-js';
import { availableParallelism, hostname } from 'node:os';
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import {
  createSweepClient, encodeResultsMessage, LIMITS, packConfigs, parseCoordinatorMessage, PROTOCOL_VERSION, sdpoProto,
  type CoordinatorMessage__Output, type DecodedConfig, type EncodedResult, type WorkerMessage, type WorkerServiceClient,
} from '@sdpo/protocol';
import { SIM_VERSION, type RunConfig } from '@sdpo/sim';
import type { ChunkOutcome } from './task-runner.js';

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  /** Coordinator `HOST:PORT`. */
  readonly coordinator: string;
  readonly logger: Logger;
  /** Pool threads (default os.availableParallelism()). */
  readonly threads?: number;
  /** Tasks to hold at once (default 2 × threads). */
  readonly credits?: number;
  /** Shown in status and logs (default hostname-pid). */
  readonly name?: string;
  /** Bearer token for a coordinator that requires one. */
  readonly token?: string;
  /** TLS (PEM): the CA to trust, and a client certificate for mutual TLS. */
  readonly tls?: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
  /** Flush results after this many (default max(64, credits / 4)) or this many ms (default 50). */
  readonly flushCount?: number;
  readonly flushMs?: number;
  /** Reconnect backoff: first delay and cap, ms (defaults 100 and 10 000). */
  readonly backoffMs?: number;
  readonly backoffMaxMs?: number;
  /**
   * HTTP/2 keepalive: a PING after this long without one, and the connection
   * given up when its answer takes as long again, ms (default 20 000). A
   * coordinator host that vanishes without closing its connections (power,
   * network) is then noticed in about twice this, where TCP alone retransmits
   * the heartbeats for many minutes (Linux's tcp_retries2) before giving up.
   */
  readonly keepaliveMs?: number;
  /** Leave instead of reconnecting when the coordinator goes away (embedded mode). */
  readonly exitOnDisconnect?: boolean;
  /**
   * Node flags of the pool threads (default: this process's). A benchmark that
   * runs the built code under tsx passes [] so the threads start as the
   * installed CLI's do, without loading tsx.
   */
  readonly poolExecArgv?: readonly string[];
  /** Tests only: the versions this worker claims in its Hello (defaults: SIM_VERSION and PROTOCOL_VERSION). */
  readonly advertise?: { readonly simVersion?: string; readonly protocolVersion?: number };
}

/** A running worker. */
export interface RunningWorker {
  /** Stops taking tasks, finishes what it holds, sends the results and leaves; resolves when it has. */
  drain(reason?: string): Promise<void>;
  /** Leaves at once: running tasks are abandoned (the coordinator requeues them). */
  stop(): Promise<void>;
  /** Resolves when the worker has left (drain, stop, or a refused handshake). Rejects on a fatal error. */
  readonly done: Promise<void>;
  /** Tasks completed so far. */
  readonly stats: { completed: number; failed: number; leases: number };
}

interface HeldTask {
  readonly key: string;
  readonly leaseId: string;
  readonly attempt: number;
  /** As it came in the Lease: its bytes (decoded in the pool thread that runs it), or decoded when the Lease was not split by hand. */
  readonly config: Uint8Array | DecodedConfig;
  readonly conn: number;
  revoked: boolean;
}

/** Resolves the Piscina worker file next to this module: `.ts` under tsx, `.js` when built. */
export function taskRunnerUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./task-runner${ext}`, import.meta.url);
}

/** Target compute per pool chunk, ms, and the most tasks in one chunk. */
const CHUNK_MS = 40;
const MAX_CHUNK = 256;

const FATAL = new Set([grpc.status.FAILED_PRECONDITION, grpc.status.UNAUTHENTICATED, grpc.status.PERMISSION_DENIED, grpc.status.INVALID_ARGUMENT]);

/** How long a drain waits for acks once the coordinator failed to answer the drain itself, ms. */
const ACK_WAIT_MS = 10_000;

/**
 * Starts a worker node: connects to the coordinator, says Hello, grants
 * credits, runs leased tasks in a Piscina pool and streams results back in
 * batches; heartbeats from the main thread; reconnects with capped
 * exponential backoff.
 */
export function startWorker(options: WorkerOptions): RunningWorker {
  const log = options.logger;
  const threads = Math.max(1, options.threads ?? availableParallelism());
  const credits = Math.max(1, Math.min(options.credits ?? 2 * threads, LIMITS.maxCredits));
  const name = options.name ?? `${hostname()}-${process.pid}`;
  // Bigger batches mean fewer messages and fewer store transactions per result;
  // credits go out separately, so batching results never starves the pool.
  const flushCount = options.flushCount ?? Math.max(64, Math.floor(credits / 4));
  const flushMs = options.flushMs ?? 50;
  const creditBatch = Math.max(1, Math.floor(credits / 2));
  const backoff0 = options.backoffMs ?? 100;
  const backoffMax = options.backoffMaxMs ?? 10_000;
  // Two chunks per thread: the second waits in the thread's own queue, so a thread
  // starts its next chunk without waiting for this (busy) main thread to hand it over.
  const pool = new Piscina({
    filename: taskRunnerUrl().href, minThreads: threads, maxThreads: threads, idleTimeout: 60_000, concurrentTasksPerWorker: 2,
    ...(options.poolExecArgv ? { execArgv: [...options.poolExecArgv] } : {}),
  });
  const stats = { completed: 0, failed: 0, leases: 0 };

  const proto = sdpoProto();
  let creds = grpc.credentials.createInsecure();
  if (options.tls) creds = grpc.credentials.createSsl(options.tls.ca ?? null, options.tls.key ?? null, options.tls.cert ?? null);
  const keepaliveMs = options.keepaliveMs ?? 20_000;
  const client = new proto.WorkerService(options.coordinator, creds, {
    'grpc.max_receive_message_length': LIMITS.maxMessageBytes,
    'grpc.max_send_message_length': LIMITS.maxMessageBytes,
    // The stream always carries heartbeats, so these pings never go out on an idle connection.
    'grpc.keepalive_time_ms': keepaliveMs,
    'grpc.keepalive_timeout_ms': keepaliveMs,
  }) as unknown as WorkerServiceClient;

  let call: grpc.ClientDuplexStream<WorkerMessage, CoordinatorMessage__Output> | undefined;
  let conn = 0;
  let welcomed = false;
  const queue: HeldTask[] = [];
  const running = new Set<HeldTask>();
  let chunksRunning = 0;
  /** Moving average of one task's compute time, ms (0 until the first result). */
  let taskMs = 0;
  let pendingResults: EncodedResult[] = [];
  let pendingCredits = 0;
  let unacked = 0;
  let flushTimer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let attempt = 0;
  let draining = false;
  /**
   * False from a drain this worker started until the coordinator's Drain comes
   * back: a lease answering a credit may still be on its way until then.
   */
  let drainConfirmed = true;
  /** This connection's id at the coordinator (from its Welcome). */
  let workerId: string | undefined;
  let stopped = false;
  let resolveDone!: () => void;
  let rejectDone!: (e: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  const drainWaiters: (() => void)[] = [];

  const send = (msg: WorkerMessage) => {
    if (call && welcomed) call.write(msg);
  };

  const flush = () => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    // Credits first: the coordinator leases on a Credit at once, so the lease
    // reaches this worker before the ack of these results (see checkDrained).
    if (pendingCredits > 0 && !draining) send({ credit: { tasks: pendingCredits } });
    pendingCredits = 0;
    if (pendingResults.length) {
      unacked += pendingResults.length;
      // Sent as bytes: the stream's serializer passes an encoded message through as is.
      send(encodeResultsMessage(pendingResults) as unknown as WorkerMessage);
      pendingResults = [];
    }
    checkDrained();
  };
  let creditsScheduled = false;
  const scheduleCredits = () => {
    if (creditsScheduled) return;
    creditsScheduled = true;
    setImmediate(() => {
      creditsScheduled = false;
      // Every message costs both sides far more than the bookkeeping of a task, so
      // credits go back in batches of half the window, or at once when only the
      // running tasks are left (the pool would otherwise run dry).
      if (pendingCredits < creditBatch && queue.length + running.size > threads) return;
      if (pendingCredits > 0 && !draining) send({ credit: { tasks: pendingCredits } });
      pendingCredits = 0;
    });
  };
  const scheduleFlush = () => {
    // An idle pool has nothing more to add to the batch: send it now (the end of a sweep waits for it).
    if (pendingResults.length >= flushCount || (queue.length === 0 && running.size === 0)) flush();
    else flushTimer ??= setTimeout(flush, flushMs);
  };

  const dispatch = () => {
    // Keep every thread busy with one chunk and one queued behind it.
    while (queue.length && chunksRunning < threads * 2) {
      // A chunk of about CHUNK_MS of compute amortizes the cost of crossing threads
      // (~0.1 ms) for tiny runs; long runs go one by one so the pool stays balanced.
      // Until a task's time is known, chunks of one: the first results come back (and teach the
      // size) at once rather than after a long chunk run cold.
      const want = taskMs > 0 ? Math.ceil(CHUNK_MS / taskMs) : 1;
      const size = Math.max(1, Math.min(MAX_CHUNK, want, Math.ceil(queue.length / (threads * 2))));
      const chunk = queue.splice(0, size);
      chunksRunning++;
      for (const t of chunk) running.add(t);
      pool
        .run({ configs: packConfigs(chunk.map((t) => t.config)) })
        .then((outcome: ChunkOutcome) => finishChunk(chunk, outcome))
        .catch((err: unknown) => finishChunk(chunk, undefined, (err as Error).message))
        .finally(() => {
          chunksRunning--;
          dispatch();
          checkDrained();
        });
    }
  };

  /** Takes a chunk's outcome (or, when its thread failed, `threadError` for all of its tasks). */
  const finishChunk = (chunk: HeldTask[], outcome: ChunkOutcome | undefined, threadError = '') => {
    const failed = new Map((outcome?.failures ?? []).map((f) => [f.index, f]));
    chunk.forEach((t, i) => {
      running.delete(t);
      // Results of a closed stream's leases or revoked tasks would only be refused by fencing. A stopped
      // worker has no stream: its pool's destruction aborted these tasks, which are no failures (the
      // coordinator requeued them when the stream closed).
      if (t.conn !== conn || t.revoked || stopped) return;
      pendingCredits++;
      const f = outcome ? failed.get(i) : { code: 'WORKER_THREAD', message: threadError };
      if (!f) {
        stats.completed++;
        const { results, wallMs } = outcome!;
        const ms = wallMs[i]!;
        if (Number.isFinite(ms) && ms >= 0) taskMs = taskMs > 0 ? 0.9 * taskMs + 0.1 * ms : ms;
        // A view into the chunk's buffer: it is copied into the Results message at the flush.
        pendingResults.push({ key: t.key, leaseId: t.leaseId, attempt: t.attempt, result: results.bytes.subarray(results.offsets[i], results.offsets[i + 1]) });
      } else {
        stats.failed++;
        log.warn({ key: t.key, code: f.code, message: f.message }, 'task failed');
        send({ failure: { key: t.key, leaseId: t.leaseId, attempt: t.attempt, code: f.code, message: f.message } });
      }
    });
    // Credits go out at once (coalesced per tick) so new work arrives while the
    // pool is still busy; results wait for a fuller batch (count or flushMs).
    scheduleCredits();
    scheduleFlush();
  };

  let ackWait: NodeJS.Timeout | undefined;
  /**
   * A coordinator that did not answer the drain (stopped, hung, unreachable) may never ack the last
   * results either: once the held tasks are done, it gets ACK_WAIT_MS more, then the worker leaves.
   * The coordinator requeues whatever it did not commit when it sees the stream close.
   */
  const leaveIfStillSilent = () => {
    ackWait = setTimeout(() => {
      if (stopped) return;
      if (queue.length || running.size) return leaveIfStillSilent();
      if (unacked > 0 || pendingResults.length) log.warn({ unacked }, 'leaving with results the coordinator has not acknowledged; it requeues their tasks');
      finishUp(true);
    }, ACK_WAIT_MS);
    ackWait.unref();
  };
  const checkDrained = () => {
    if (!draining || stopped || !drainConfirmed) return;
    if (queue.length || running.size || pendingResults.length || unacked > 0) return;
    finishUp();
  };

  /** Leaves: `abort` cancels the stream instead of closing it gracefully (a coordinator that does not answer would keep it open). */
  const finishUp = (abort = false) => {
    if (stopped) return;
    stopped = true;
    if (heartbeat) clearInterval(heartbeat);
    if (ackWait) clearTimeout(ackWait);
    if (flushTimer) clearTimeout(flushTimer);
    if (reconnectTimer) clearTimeout(reconnectTimer);
    const c = call;
    call = undefined;
    if (abort) c?.cancel();
    else c?.end();
    client.close();
    void pool.destroy().then(() => {
      for (const w of drainWaiters) w();
      resolveDone();
    });
  };

  const onMessage = (raw: CoordinatorMessage__Output, myConn: number) => {
    if (myConn !== conn) return;
    const msg = parseCoordinatorMessage(raw);
    switch (msg.msg) {
      case 'welcome': {
        welcomed = true;
        attempt = 0;
        workerId = msg.welcome.workerId;
        log.info({ workerId: msg.welcome.workerId, threads, credits }, 'connected to coordinator');
        if (heartbeat) clearInterval(heartbeat);
        // Heartbeats come from the main thread, so a busy pool never starves them.
        heartbeat = setInterval(() => send({ heartbeat: { busy: queue.length + running.size } }), msg.welcome.heartbeatMs);
        heartbeat.unref();
        if (!draining) send({ credit: { tasks: credits } });
        break;
      }
      case 'lease': {
        stats.leases++;
        // Configs arrive as their bytes (the stream codec splits leases without decoding them): the
        // pool thread decodes them and the run schema checks them, keeping this thread free for the stream.
        for (const t of msg.lease.tasks) queue.push({ key: t.key, leaseId: msg.lease.leaseId, attempt: t.attempt, config: t.config as Uint8Array | DecodedConfig, conn, revoked: false });
        dispatch();
        break;
      }
      case 'revoke': {
        const keys = new Set(msg.revoke.keys);
        const all = keys.size === 0;
        for (let i = queue.length - 1; i >= 0; i--) {
          const t = queue[i]!;
          if (all ? t.leaseId === msg.revoke.leaseId : keys.has(t.key)) {
            queue.splice(i, 1);
            pendingCredits++;
          }
        }
        for (const t of running) if (all ? t.leaseId === msg.revoke.leaseId : keys.has(t.key)) {
          t.revoked = true;
          pendingCredits++;
        }
        scheduleCredits();
        break;
      }
      case 'drain':
        // No lease follows a Drain on this stream: everything this worker will hold, it holds.
        drainConfirmed = true;
        if (!draining) log.info({ reason: msg.drain.reason }, 'coordinator asked this worker to drain');
        void startDrain(msg.drain.reason, false);
        break;
      case 'ack':
        unacked -= msg.ack.accepted.length + msg.ack.rejected.length;
        if (msg.ack.rejected.length) log.warn({ rejected: msg.ack.rejected.length }, 'coordinator refused results (fencing)');
        checkDrained();
        break;
    }
  };

  const connect = () => {
    if (stopped) return;
    const myConn = ++conn;
    welcomed = false;
    unacked = 0;
    const md = new grpc.Metadata();
    if (options.token) md.set('authorization', `Bearer ${options.token}`);
    const c = client.Connect(md);
    call = c;
    c.write({ hello: { name, threads, simVersion: options.advertise?.simVersion ?? SIM_VERSION, protocolVersion: options.advertise?.protocolVersion ?? PROTOCOL_VERSION } });
    c.on('data', (raw: CoordinatorMessage__Output) => {
      try {
        onMessage(raw, myConn);
      } catch (err) {
        log.error({ err: (err as Error).message }, 'invalid message from coordinator; reconnecting');
        c.cancel();
      }
    });
    let ended = false;
    const onEnd = (err?: grpc.ServiceError) => {
      if (ended || myConn !== conn) return;
      ended = true;
      if (heartbeat) clearInterval(heartbeat);
      heartbeat = undefined;
      call = undefined;
      // Tasks not started belong to the coordinator again (it requeued them when the stream closed).
      queue.length = 0;
      pendingResults = [];
      pendingCredits = 0;
      unacked = 0;
      if (stopped) return;
      if (err && FATAL.has(err.code)) {
        log.error({ code: err.code, details: err.details }, 'coordinator refused this worker');
        const e = Object.assign(new Error(err.details), { code: 'REFUSED', grpcCode: err.code });
        stopped = true;
        void pool.destroy().finally(() => rejectDone(e));
        client.close();
        return;
      }
      if (draining || options.exitOnDisconnect) {
        finishUp();
        return;
      }
      const delay = Math.min(backoffMax, backoff0 * 2 ** attempt) * (0.5 + Math.random() / 2);
      attempt++;
      log.warn({ err: err?.details, retryInMs: Math.round(delay) }, 'disconnected from coordinator; reconnecting');
      reconnectTimer = setTimeout(connect, delay);
    };
    c.on('error', (err: grpc.ServiceError) => onEnd(err));
    c.on('end', () => onEnd());
    c.on('status', (s: grpc.StatusObject) => {
      if (s.code !== grpc.status.OK) onEnd(Object.assign(new Error(s.details), s) as grpc.ServiceError);
      else onEnd();
    });
  };

  /**
   * A drain this worker starts: the coordinator is asked (DrainWorker) to stop
   * leasing to it, and its Drain on the stream confirms that no lease is still
   * on the way. Without an answer within 5 s (an unreachable SweepService),
   * the worker leaves as it would have: at worst a crossing lease is requeued.
   */
  const askToBeDrained = (id: string, reason: string) => {
    drainConfirmed = false;
    const sweeps = createSweepClient(options.coordinator, { ...(options.tls ? { tls: options.tls } : {}), ...(options.token ? { token: options.token } : {}), deadlineMs: 5_000 });
    const confirm = (why: string) => {
      if (drainConfirmed) return;
      log.warn({ reason: why }, 'leaving without the coordinator confirming the drain');
      drainConfirmed = true;
      leaveIfStillSilent();
      checkDrained();
    };
    const giveUp = setTimeout(() => confirm('no Drain came back within 5 s'), 5_000);
    giveUp.unref();
    sweeps
      .drainWorker(id, reason)
      .catch((err: Error) => {
        clearTimeout(giveUp);
        confirm(err.message);
      })
      .finally(() => sweeps.close());
  };

  /** Takes no more tasks, finishes what it holds and leaves; `ask`: the drain is this worker's own, so the coordinator is asked first. */
  const startDrain = (reason: string, ask: boolean): Promise<void> => {
    if (stopped) return done;
    if (!draining) {
      draining = true;
      log.info({ reason, held: queue.length + running.size }, 'draining: taking no more tasks');
      if (ask && call && welcomed && workerId) askToBeDrained(workerId, reason);
    }
    flush();
    checkDrained();
    return new Promise<void>((res) => drainWaiters.push(res)).then(() => done);
  };

  const api: RunningWorker = {
    done,
    stats,
    drain(reason = 'drain requested') {
      return startDrain(reason, true);
    },
    async stop() {
      if (!stopped) {
        draining = true;
        finishUp(true);
      }
      await done.catch(() => undefined);
    },
  };
  connect();
  return api;
}
