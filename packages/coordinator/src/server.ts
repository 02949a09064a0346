import * as grpc from '@grpc/grpc-js';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Logger } from 'pino';
import {
  gridFromWire, LIMITS, parseWorkerMessage, PROTOCOL_VERSION, ProtocolError, resultToWire, sdpoProto, canonicalJson,
  type CoordinatorMessage, type SweepInfo, type WorkerMessage__Output,
} from '@sdpo/protocol';
import { Scheduler, type SweepProgress, type WorkerView } from './scheduler.js';
import { Store } from './store.js';
import { CoordinatorError, toGrpcStatus } from './errors.js';
import { startMetricsServer } from './metrics.js';

/** Options of {@link startCoordinator}. */
export interface CoordinatorOptions {
  /** SQLite file (created if missing). */
  readonly storePath: string;
  /** `HOST:PORT` to listen on; port 0 picks a free one. */
  readonly listen: string;
  readonly logger: Logger;
  /** Lease period, ms (default 60 000). */
  readonly leaseMs?: number;
  /** Heartbeat period asked of workers, ms (default 5 000). */
  readonly heartbeatMs?: number;
  /** Losses (stream broken or lease expired while running it) after which a task fails with WORKER_LOST (default 5). */
  readonly maxLost?: number;
  /** Bearer token clients must present; required to listen beyond loopback unless `insecure`. */
  readonly token?: string;
  readonly insecure?: boolean;
  /** TLS server credentials (PEM). With `ca`, client certificates are required (mutual TLS). */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer; readonly ca?: Buffer };
  /** Schedule unfinished sweeps found in the store (default true). */
  readonly resume?: boolean;
  /** Largest gRPC message accepted or sent, bytes (default LIMITS.maxMessageBytes); larger ones fail with RESOURCE_EXHAUSTED. */
  readonly maxMessageBytes?: number;
  /** `HOST:PORT` for a Prometheus `GET /metrics` endpoint (plain HTTP; loopback unless `insecure`). */
  readonly metrics?: string;
  /** Grids of at least this many tasks wait for the submit thread to start (the scheduler's submitThreadWait; tests set 0). */
  readonly submitThreadWait?: number;
}

/** A running coordinator. */
export interface RunningCoordinator {
  readonly scheduler: Scheduler;
  readonly store: Store;
  /** The bound port. */
  readonly port: number;
  /** The metrics endpoint's bound port, when `metrics` was given. */
  readonly metricsPort?: number;
  /** Drains workers, stops the server and closes the store. */
  close(): Promise<void>;
}

const UNDECODABLE = Symbol('undecodable');

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/** Splits `HOST:PORT` (IPv6 in brackets); `what` names the address in the error (e.g. "listen address"). */
export function splitHostPort(addr: string, what = 'address'): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(addr);
  const port = m ? Number(m[2]) : NaN;
  // Checked here, before the store is opened: grpc-js would refuse it only at bind time, as an internal error.
  if (!m || port > 65535) throw new CoordinatorError('INVALID_ADDRESS', `${what}: expected HOST:PORT with a port from 0 to 65535, got '${addr}'`);
  return { host: m[1]!, port };
}

// A million-task grid's JSON is ~100 kB: render it once per definition, not on every status call.
const gridJsonCache = new WeakMap<object, string>();
const gridJson = (def: object): string => {
  let s = gridJsonCache.get(def);
  if (s === undefined) {
    s = canonicalJson(def);
    gridJsonCache.set(def, s);
  }
  return s;
};

/** A SweepProgress as its wire message. */
export function progressToWire(p: SweepProgress, failures: SweepInfo['failures'] = []): SweepInfo {
  return {
    name: p.name, state: p.state, total: p.total, done: p.done, failed: p.failed, cancelled: p.cancelled, cached: p.cached,
    computed: p.computed, inFlight: p.inFlight, workers: p.workers, rate: p.rate, etaSeconds: p.etaSeconds,
    createdAt: p.createdAt, finishedAt: p.finishedAt ?? '', simVersion: p.simVersion, failures, gridJson: gridJson(p.definition),
  };
}

/**
 * Starts a coordinator: opens (or creates) the store, resumes unfinished
 * sweeps, and serves SweepService and WorkerService on `listen`.
 */
export async function startCoordinator(options: CoordinatorOptions): Promise<RunningCoordinator> {
  const log = options.logger;
  const { host } = splitHostPort(options.listen, 'listen address');
  if (!isLoopback(host) && !options.token && !options.insecure) {
    throw new CoordinatorError('UNAUTHENTICATED', `listening on ${host} (not loopback) needs a bearer token (--token-file or SDPO_TOKEN), or --insecure to run without one`);
  }
  const metricsAt = options.metrics !== undefined ? splitHostPort(options.metrics, 'metrics address') : undefined;
  if (metricsAt && !isLoopback(metricsAt.host) && !options.insecure) {
    throw new CoordinatorError('UNAUTHENTICATED', `the metrics endpoint is plain unauthenticated HTTP; serving it on ${metricsAt.host} (not loopback) needs --insecure`);
  }
  const store = new Store(options.storePath);
  const scheduler = new Scheduler(store, {
    logger: log, ...(options.resume !== undefined ? { resume: options.resume } : {}), ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
    ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
    ...(options.maxLost !== undefined ? { maxLost: options.maxLost } : {}),
    ...(options.submitThreadWait !== undefined ? { submitThreadWait: options.submitThreadWait } : {}),
  });
  const maxBytes = options.maxMessageBytes ?? LIMITS.maxMessageBytes;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': maxBytes,
    'grpc.max_send_message_length': maxBytes,
  });
  const tokenHash = options.token ? createHash('sha256').update(options.token).digest() : undefined;
  const authorized = (md: grpc.Metadata): boolean => {
    if (!tokenHash) return true;
    const v = md.get('authorization')[0];
    const given = typeof v === 'string' && v.startsWith('Bearer ') ? v.slice(7) : '';
    // Hash both sides so the comparison is constant-time whatever the lengths.
    return timingSafeEqual(createHash('sha256').update(given).digest(), tokenHash);
  };
  const unauth = { code: grpc.status.UNAUTHENTICATED, details: 'missing or wrong bearer token' };
  const proto = sdpoProto();
  const streams = new Set<grpc.ServerDuplexStream<WorkerMessage__Output, CoordinatorMessage>>();
  const watchers = new Set<() => void>();
  // When each connected worker joined (ms since epoch), for its rate in status.
  const joinedAt = new Map<string, number>();

  // grpc-js answers an undecodable frame with INTERNAL, which reads as a coordinator fault; the
  // fault is the peer's, so frames are decoded here and a failure is reported as INVALID_ARGUMENT.
  const connectDef = proto.WorkerService.service.Connect;
  const workerService = {
    ...proto.WorkerService.service,
    Connect: {
      ...connectDef,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return connectDef.requestDeserialize(bytes);
        } catch (err) {
          return { [UNDECODABLE]: (err as Error).message };
        }
      },
    },
  };
  server.addService(workerService, {
    Connect: (call: grpc.ServerDuplexStream<WorkerMessage__Output, CoordinatorMessage>) => {
      if (!authorized(call.metadata)) {
        call.emit('error', unauth);
        return;
      }
      streams.add(call);
      let workerId: string | undefined;
      let closed = false;
      const finish = (reason: string) => {
        if (closed) return;
        closed = true;
        streams.delete(call);
        if (workerId) {
          joinedAt.delete(workerId);
          scheduler.removeWorker(workerId, reason);
        }
      };
      const sink = {
        send: (msg: CoordinatorMessage) => {
          if (!closed) call.write(msg);
        },
        abort: (reason: string) => {
          if (!closed) call.emit('error', { code: grpc.status.DEADLINE_EXCEEDED, details: reason });
          finish(reason);
        },
      };
      call.on('data', (raw: WorkerMessage__Output) => {
        try {
          const bad = (raw as { [UNDECODABLE]?: string })[UNDECODABLE];
          if (bad !== undefined) throw new ProtocolError('INVALID_MESSAGE', `undecodable WorkerMessage (not valid protobuf): ${bad}`);
          // Validated as a whole: the envelope and every field of each message kind.
          const msg = parseWorkerMessage(raw);
          if (workerId === undefined) {
            if (msg.msg !== 'hello') throw new ProtocolError('INVALID_MESSAGE', 'the first message on a worker stream must be Hello');
            workerId = scheduler.addWorker(msg.hello, PROTOCOL_VERSION, sink);
            joinedAt.set(workerId, Date.now());
            return;
          }
          scheduler.touch(workerId);
          switch (msg.msg) {
            case 'credit':
              scheduler.credit(workerId, msg.credit.tasks, LIMITS.maxCredits);
              break;
            case 'results':
              scheduler.results(workerId, msg.results.results, (ack) => sink.send({ ack }));
              break;
            case 'failure':
              scheduler.failure(workerId, msg.failure);
              break;
            case 'heartbeat':
              break;
            case 'hello':
              throw new ProtocolError('INVALID_MESSAGE', 'Hello sent twice on one stream');
          }
        } catch (err) {
          log.warn({ worker: workerId, err: (err as Error).message }, 'worker stream refused');
          if (!closed) call.emit('error', toGrpcStatus(err));
          finish((err as Error).message);
        }
      });
      call.on('end', () => {
        finish('stream ended');
        call.end();
      });
      call.on('error', () => finish('stream error'));
      call.on('close', () => finish('stream closed'));
      call.on('cancelled', () => finish('stream cancelled'));
    },
  });

  const unary = <Req, Res>(fn: (req: Req) => Res | Promise<Res>) =>
    (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => {
      if (!authorized(call.metadata)) return cb(unauth);
      // Synchronous handlers answer in the same turn; a rejected promise or a throw both become a status.
      Promise.resolve()
        .then(() => fn(call.request))
        .then((res) => cb(null, res), (err: unknown) => cb(toGrpcStatus(err)));
    };
  /** Workers as status shows them: with their rate since they joined. */
  const workerInfo = (views: readonly WorkerView[]) => {
    const now = Date.now();
    return views.map((w) => {
      const t = joinedAt.get(w.workerId) ?? now;
      return { ...w, rate: now > t ? (w.completed * 1000) / (now - t) : 0, joinedAt: new Date(t).toISOString() };
    });
  };
  const info = (name: string): SweepInfo => {
    const p = scheduler.progress(name);
    const failures = p.failed > 0 ? store.failedTasks(name, 100).map((f) => ({ index: f.index, key: f.key, code: f.code, message: f.message })) : [];
    return progressToWire(p, failures);
  };
  server.addService(proto.SweepService.service, {
    Submit: unary(async (req: { grid: Parameters<typeof gridFromWire>[0] | null }) => {
      if (!req.grid) throw new ProtocolError('INVALID_MESSAGE', 'SubmitRequest.grid is required');
      const def = gridFromWire(req.grid);
      return info((await scheduler.submit(def)).progress.name);
    }),
    GetSweep: unary((req: { name: string }) => info(req.name)),
    ListSweeps: unary(() => ({ sweeps: scheduler.list().map((p) => progressToWire(p)), workers: workerInfo(scheduler.workerViews()) })),
    DrainWorker: unary((req: { worker: string; reason: string }) => {
      if (!req.worker) throw new CoordinatorError('NO_SUCH_WORKER', 'DrainWorkerRequest.worker (an id or a name) is required');
      return { workers: workerInfo(scheduler.drainWorker(req.worker, req.reason || 'drain requested')) };
    }),
    Cancel: unary((req: { name: string }) => {
      scheduler.cancel(req.name);
      return info(req.name);
    }),
    Watch: (call: grpc.ServerWritableStream<{ name: string }, SweepInfo>) => {
      if (!authorized(call.metadata)) return call.emit('error', unauth);
      const name = call.request.name;
      let timer: NodeJS.Timeout | undefined;
      let last = 0;
      const send = () => {
        timer = undefined;
        last = Date.now();
        try {
          const i = info(name);
          call.write(i);
          if (i.state !== 'running') stop(true);
        } catch (err) {
          call.emit('error', toGrpcStatus(err));
          stop(false);
        }
      };
      const onProgress = (n: string) => {
        if (n !== name || timer) return;
        // At most ~4 updates a second per watcher, always including the last.
        timer = setTimeout(send, Math.max(0, 250 - (Date.now() - last)));
      };
      const stop = (end: boolean) => {
        scheduler.off('progress', onProgress);
        if (timer) clearTimeout(timer);
        watchers.delete(closeWatch);
        if (end) call.end();
      };
      const closeWatch = () => stop(true);
      watchers.add(closeWatch);
      scheduler.on('progress', onProgress);
      call.on('cancelled', () => stop(false));
      send();
    },
    StreamResults: (call: grpc.ServerWritableStream<{ name: string }, unknown>) => {
      if (!authorized(call.metadata)) return call.emit('error', unauth);
      try {
        for (const r of store.iterateResults(call.request.name)) call.write({ index: r.index, key: r.key, result: resultToWire(r.result) });
        call.end();
      } catch (err) {
        call.emit('error', toGrpcStatus(err));
      }
    },
  });

  let creds = grpc.ServerCredentials.createInsecure();
  if (options.tls) {
    creds = grpc.ServerCredentials.createSsl(options.tls.ca ?? null, [{ cert_chain: options.tls.cert, private_key: options.tls.key }], options.tls.ca !== undefined);
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(options.listen, creds, (err, p) => (err ? reject(err) : resolve(p))),
  );
  log.info({ listen: options.listen, port, store: options.storePath }, 'coordinator listening');
  const metrics = metricsAt ? await startMetricsServer(scheduler, metricsAt.host, metricsAt.port, log) : undefined;
  if (metrics) log.info({ host: metricsAt!.host, port: metrics.port }, 'metrics endpoint listening');

  let closing: Promise<void> | undefined;
  return {
    scheduler, store, port, ...(metrics ? { metricsPort: metrics.port } : {}),
    close: () =>
      (closing ??= (async () => {
        metrics?.server.closeAllConnections();
        metrics?.server.close();
        // Workers are not told to drain: they reconnect with backoff and resume
        // with the next coordinator on this store. Their leases are void anyway.
        for (const w of [...watchers]) w();
        scheduler.close();
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => server.forceShutdown(), 2000);
          server.tryShutdown(() => {
            clearTimeout(t);
            resolve();
          });
          // Open worker streams would keep tryShutdown waiting.
          for (const s of streams) s.emit('error', { code: grpc.status.UNAVAILABLE, details: 'coordinator shutting down' });
        });
        store.close();
      })()),
  };
}
