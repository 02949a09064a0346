import * as grpc from '@grpc/grpc-js';
import { LIMITS, } from './wire.js';
import { sdpoProto } from './loader.js';
import type { SweepServiceClient } from './generated/sdpo/v1/SweepService.js';
import type { SweepInfo__Output } from './generated/sdpo/v1/SweepInfo.js';
import type { ListSweepsResponse__Output } from './generated/sdpo/v1/ListSweepsResponse.js';
import type { GridSpec } from './generated/sdpo/v1/GridSpec.js';
import type { SweepResult__Output } from './generated/sdpo/v1/SweepResult.js';
import type { DrainWorkerResponse__Output } from './generated/sdpo/v1/DrainWorkerResponse.js';

/** Connection options for a coordinator client. */
export interface ClientOptions {
  readonly token?: string;
  readonly tls?: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
  /** Per-call deadline for unary calls, ms (default 30 000; Submit 600 000, as a big grid takes a while to write). */
  readonly deadlineMs?: number;
}

/** A promise-based SweepService client. */
export interface SweepClient {
  submit(grid: GridSpec): Promise<SweepInfo__Output>;
  get(name: string): Promise<SweepInfo__Output>;
  list(): Promise<ListSweepsResponse__Output>;
  cancel(name: string): Promise<SweepInfo__Output>;
  /** Tells the worker with this id, or every worker with this name, to drain; resolves with the workers told. */
  drainWorker(worker: string, reason?: string): Promise<DrainWorkerResponse__Output>;
  /** Calls `onInfo` for every update until the sweep finishes (resolves) or the stream fails (rejects). */
  watch(name: string, onInfo: (info: SweepInfo__Output) => void): Promise<void>;
  results(name: string, onResult: (r: SweepResult__Output) => void): Promise<void>;
  close(): void;
}

/** Connects to a coordinator's SweepService at `HOST:PORT`. */
export function createSweepClient(address: string, options: ClientOptions = {}): SweepClient {
  const creds = options.tls ? grpc.credentials.createSsl(options.tls.ca ?? null, options.tls.key ?? null, options.tls.cert ?? null) : grpc.credentials.createInsecure();
  const client = new (sdpoProto().SweepService)(address, creds, {
    'grpc.max_receive_message_length': LIMITS.maxMessageBytes,
    'grpc.max_send_message_length': LIMITS.maxMessageBytes,
  }) as unknown as SweepServiceClient;
  const md = () => {
    const m = new grpc.Metadata();
    if (options.token) m.set('authorization', `Bearer ${options.token}`);
    return m;
  };
  const deadline = (ms = 30_000) => ({ deadline: Date.now() + (options.deadlineMs ?? ms) });
  const unary = <T>(fn: (cb: (err: grpc.ServiceError | null, res?: T) => void) => void) =>
    new Promise<T>((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res as T))));
  const stream = <T>(s: grpc.ClientReadableStream<T>, on: (x: T) => void) =>
    new Promise<void>((resolve, reject) => {
      s.on('data', on);
      s.on('error', reject);
      s.on('end', resolve);
    });
  return {
    // A million-task grid takes the coordinator about half a minute to write (measured 21–26 s).
    submit: (grid) => unary((cb) => client.Submit({ grid }, md(), deadline(600_000), cb)),
    get: (name) => unary((cb) => client.GetSweep({ name }, md(), deadline(), cb)),
    list: () => unary((cb) => client.ListSweeps({}, md(), deadline(), cb)),
    cancel: (name) => unary((cb) => client.Cancel({ name }, md(), deadline(), cb)),
    drainWorker: (worker, reason = '') => unary((cb) => client.DrainWorker({ worker, reason }, md(), deadline(), cb)),
    watch: (name, onInfo) => stream(client.Watch({ name }, md()), onInfo),
    results: (name, onResult) => stream(client.StreamResults({ name }, md()), onResult),
    close: () => client.close(),
  };
}
