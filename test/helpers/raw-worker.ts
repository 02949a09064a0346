// A raw WorkerService.Connect client for hostile-input tests: it sends bytes
// exactly as given (custom serializers), so malformed protobuf, truncated and
// oversized frames reach the coordinator unfiltered.
import * as grpc from '@grpc/grpc-js';
import { decodeConfigBytes, packageDefinition, type CoordinatorMessage__Output, type WorkerMessage } from '@sdpo/protocol';

interface MethodDef {
  requestSerialize(v: unknown): Buffer;
  responseDeserialize(b: Buffer): unknown;
}
const connectDef = () => (packageDefinition()['sdpo.v1.WorkerService'] as unknown as { Connect: MethodDef }).Connect;

/** A valid WorkerMessage as its protobuf bytes (the loader's own serializer). */
export function encodeWorkerMessage(msg: WorkerMessage): Buffer {
  return connectDef().requestSerialize(msg);
}

/** One raw worker stream: what it received and how it ended. */
export interface RawStream {
  readonly call: grpc.ClientDuplexStream<Buffer, Buffer>;
  readonly received: CoordinatorMessage__Output[];
  /** Resolves with the stream's final status (OK when the server ended it cleanly). */
  readonly status: Promise<grpc.StatusObject>;
  write(bytes: Buffer): void;
  close(): void;
}

/** Opens WorkerService.Connect on `address` with identity serializers. */
export function rawConnect(address: string, options: { token?: string; maxSendBytes?: number } = {}): RawStream {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': options.maxSendBytes ?? 64 * 1024 * 1024,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  });
  const md = new grpc.Metadata();
  if (options.token) md.set('authorization', `Bearer ${options.token}`);
  const def = connectDef();
  const call = client.makeBidiStreamRequest<Buffer, Buffer>('/sdpo.v1.WorkerService/Connect', (b) => b, (b) => b, md);
  const received: CoordinatorMessage__Output[] = [];
  call.on('data', (b: Buffer) => {
    const m = def.responseDeserialize(b) as CoordinatorMessage__Output;
    // A split Lease keeps each config as its bytes (a worker decodes them in its pool thread): decoded here.
    for (const task of m.lease?.tasks ?? []) if (task.config instanceof Uint8Array) task.config = decodeConfigBytes(task.config) as never;
    received.push(m);
  });
  const status = new Promise<grpc.StatusObject>((resolve) => {
    call.on('status', (s: grpc.StatusObject) => {
      resolve(s);
      client.close();
    });
  });
  // Errors surface through 'status'; without a listener they would be thrown.
  call.on('error', () => undefined);
  return {
    call, received, status,
    write: (bytes) => call.write(bytes),
    close: () => {
      call.end();
    },
  };
}
