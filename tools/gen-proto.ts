// Generates the TypeScript types of proto/sdpo/v1/*.proto into
// packages/protocol/src/generated with the same options the runtime loader
// uses (LOADER_OPTIONS), so the committed types describe what the loader
// produces. `--out DIR` writes elsewhere (the staleness test compares).
//
//   node --import tsx --conditions=@sdpo/source tools/gen-proto.ts [--out DIR]
import { spawnSync } from 'node:child_process';
import { rmSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GEN_TYPES_FLAGS, PROTO_FILES } from '@sdpo/protocol';

const repo = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = values.out ?? `${repo}packages/protocol/src/generated`;

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const bin = `${repo}node_modules/@grpc/proto-loader/build/bin/proto-loader-gen-types.js`;
const args = [
  bin, ...GEN_TYPES_FLAGS, '--grpcLib=@grpc/grpc-js', '--importFileExtension=.js',
  // Relative include dir: the generated headers name `proto/...`, the same in every checkout.
  '--includeDirs=proto', `--outDir=${out}`, ...PROTO_FILES,
];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: repo });
if (r.status !== 0) process.exit(r.status ?? 1);
