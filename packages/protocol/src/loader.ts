import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import type { ProtoGrpcType as RunProto } from './generated/run.js';
import type { ProtoGrpcType as WorkerProto } from './generated/worker.js';
import type { ProtoGrpcType as SweepProto } from './generated/sweep.js';
import { encodeLeaseMessage, splitLeaseMessage, splitResultsMessage, type LeaseFrame, type LeaseTask } from './stream-codec.js';

/**
 * Options shared by the runtime loader and `tools/gen-proto.ts`: generated
 * types describe exactly the objects the loader produces. `longs: Number` is
 * safe because every 64-bit field (seeds, counts) stays below 2^53.
 */
export const LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;

/** The same options as `proto-loader-gen-types` flags. */
export const GEN_TYPES_FLAGS = ['--longs=Number', '--enums=String', '--defaults', '--oneofs'] as const;

/** Directory holding `sdpo/v1/*.proto` (the repo's `proto/`, same depth from src and dist). */
export const PROTO_ROOT = fileURLToPath(new URL('../../../proto/', import.meta.url));
/** The proto files, relative to {@link PROTO_ROOT}. */
export const PROTO_FILES = ['sdpo/v1/run.proto', 'sdpo/v1/sweep.proto', 'sdpo/v1/worker.proto'] as const;

/** Wire protocol version, checked in the worker handshake. */
export const PROTOCOL_VERSION = 1;

type SdpoProto = RunProto & WorkerProto & SweepProto;
let cached: { def: protoLoader.PackageDefinition; grpcObject: SdpoProto } | undefined;

function load() {
  if (!cached) {
    const def = protoLoader.loadSync([...PROTO_FILES], { ...LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });
    fastStreamSerializers(def);
    cached = { def, grpcObject: grpc.loadPackageDefinition(def) as unknown as SdpoProto };
  }
  return cached;
}

/**
 * The worker stream's bulk messages, Results and Lease, go through the hand
 * codec of stream-codec.ts both ways (see there why); every other message
 * keeps proto-loader's path. Results stay objects for protobufjs when a
 * caller builds them as wire objects (tests do); already-encoded messages
 * pass through (the scheduler sends each Lease encoded). A Lease read back is
 * a {@link LeaseFrame}: each task's config is its bytes, not the generated
 * RunConfig__Output object (decodeConfigBytes reads one).
 */
function fastStreamSerializers(def: protoLoader.PackageDefinition): void {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : join(PROTO_ROOT, target));
  root.loadSync([...PROTO_FILES], { keepCase: LOADER_OPTIONS.keepCase });
  const workerMessage = root.lookupType('sdpo.v1.WorkerMessage');
  const connect = (def['sdpo.v1.WorkerService'] as protoLoader.ServiceDefinition)['Connect']!;
  const asBuffer = (v: Uint8Array) => (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  const slow = { ...connect };
  connect.requestSerialize = (value: object): Buffer => {
    if (value instanceof Uint8Array) return asBuffer(value);
    const results = (value as { results?: unknown }).results;
    // encode() without proto-loader's fromObject copy: the same bytes for values already of their field's type.
    return results !== null && typeof results === 'object' ? (workerMessage.encode(value).finish() as Buffer) : slow.requestSerialize(value);
  };
  connect.requestDeserialize = (bytes: Buffer): object => {
    const results = splitResultsMessage(bytes);
    return results ? { msg: 'results', results: { results } } : slow.requestDeserialize(bytes);
  };
  connect.responseSerialize = (value: object): Buffer => {
    if (value instanceof Uint8Array) return asBuffer(value);
    const lease = (value as { lease?: { leaseId: string; tasks: LeaseTask[] } | null }).lease;
    return lease ? encodeLeaseMessage(lease.leaseId, lease.tasks) : slow.responseSerialize(value);
  };
  connect.responseDeserialize = (bytes: Buffer): object => {
    const lease = splitLeaseMessage(bytes);
    return lease ? { msg: 'lease', lease } : slow.responseDeserialize(bytes);
  };
}

/** The loaded `sdpo.v1` package: service constructors and definitions. */
export function sdpoProto(): SdpoProto['sdpo']['v1'] {
  return load().grpcObject.sdpo.v1;
}

/** The raw package definition (message serializers live on its entries). */
export function packageDefinition(): protoLoader.PackageDefinition {
  return load().def;
}
