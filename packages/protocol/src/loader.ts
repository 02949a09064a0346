import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import type { ProtoGrpcType as RunProto } from './generated/run.js';
import type { ProtoGrpcType as WorkerProto } from './generated/worker.js';
import type { ProtoGrpcType as SweepProto } from './generated/sweep.js';

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
 * The worker stream's bulk messages (Results, Lease) are encoded straight from
 * the objects we build, skipping proto-loader's `fromObject` copy (a third of
 * the encoding cost, paid per result on the worker and per task on the
 * coordinator). Same bytes: `fromObject` only converts values that are
 * already of their field's type. Every other message keeps proto-loader's path.
 */
function fastStreamSerializers(def: protoLoader.PackageDefinition): void {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : join(PROTO_ROOT, target));
  root.loadSync([...PROTO_FILES], { keepCase: LOADER_OPTIONS.keepCase });
  const connect = (def['sdpo.v1.WorkerService'] as protoLoader.ServiceDefinition)['Connect']!;
  const fast = (type: protobuf.Type, bulk: string, slow: (value: object) => Buffer) => (value: object): Buffer => {
    // Already encoded (a worker frames its pool threads' result bytes itself).
    if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    const part = (value as Record<string, unknown>)[bulk];
    return part !== null && typeof part === 'object' ? (type.encode(value).finish() as Buffer) : slow(value);
  };
  connect.requestSerialize = fast(root.lookupType('sdpo.v1.WorkerMessage'), 'results', connect.requestSerialize);
  connect.responseSerialize = fast(root.lookupType('sdpo.v1.CoordinatorMessage'), 'lease', connect.responseSerialize);
}

/** The loaded `sdpo.v1` package: service constructors and definitions. */
export function sdpoProto(): SdpoProto['sdpo']['v1'] {
  return load().grpcObject.sdpo.v1;
}

/** The raw package definition (message serializers live on its entries). */
export function packageDefinition(): protoLoader.PackageDefinition {
  return load().def;
}
