import { join } from 'node:path';
import protobuf from 'protobufjs';
import type { RunResult } from '@sdpo/sim';
import { LOADER_OPTIONS, PROTO_FILES, PROTO_ROOT } from './loader.js';
import { resultFromWire, resultToWire } from './wire.js';
import { parseGridData, type SweepDefinition } from './grid.js';
import type { GridSpec as WireGridSpec } from './generated/sdpo/v1/GridSpec.js';
import { ProtocolError } from './errors.js';

let resultType: protobuf.Type | undefined;

function runResultType(): protobuf.Type {
  if (!resultType) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : join(PROTO_ROOT, target));
    root.loadSync([...PROTO_FILES], { keepCase: LOADER_OPTIONS.keepCase });
    resultType = root.lookupType('sdpo.v1.RunResult');
  }
  return resultType;
}

/**
 * The stored form of a result: the protobuf bytes of its deterministic part
 * (wall time zeroed; it is stored in its own column). Equal results give
 * byte-identical bodies, which is what fencing compares.
 */
export function encodeResultBody(r: RunResult): Uint8Array {
  const T = runResultType();
  const wire = resultToWire(r);
  // encode() takes the plain wire object as is (fromObject would copy it first).
  return T.encode({ ...wire, wallMs: 0 }).finish();
}

/** Decodes a stored body back to a {@link RunResult} with the given wall time (ms). */
export function decodeResultBody(body: Uint8Array, wallMs = 0): RunResult {
  const T = runResultType();
  const obj = T.toObject(T.decode(body), { longs: Number, enums: String, defaults: true, arrays: true, objects: true });
  return resultFromWire({ ...obj, wallMs });
}

/** A sweep definition as the SubmitRequest grid (values as JSON text). */
export function gridToWire(def: SweepDefinition): WireGridSpec {
  return {
    name: def.name,
    axes: Object.entries(def.grid.axes).map(([name, values]) => ({ name, valuesJson: values.map((v) => JSON.stringify(v)) })),
    fixed: Object.entries(def.grid.fixed).map(([name, v]) => ({ name, valueJson: JSON.stringify(v) })),
    maxAttempts: def.maxAttempts,
  };
}

/** The SubmitRequest grid back to a validated sweep definition (same checks as a grid file). */
export function gridFromWire(msg: { name: string; axes: { name: string; valuesJson: string[] }[]; fixed: { name: string; valueJson: string }[]; maxAttempts: number }): SweepDefinition {
  const parse = (s: string, where: string): unknown => {
    try {
      return JSON.parse(s);
    } catch {
      throw new ProtocolError('INVALID_GRID', `${where}: not JSON: ${s.slice(0, 80)}`);
    }
  };
  const axes: Record<string, unknown> = {};
  for (const a of msg.axes) axes[a.name] = a.valuesJson.map((v, i) => parse(v, `axes.${a.name}[${i}]`));
  const fixed: Record<string, unknown> = {};
  for (const f of msg.fixed) fixed[f.name] = parse(f.valueJson, `fixed.${f.name}`);
  return parseGridData({ name: msg.name, axes, fixed, ...(msg.maxAttempts > 0 ? { maxAttempts: msg.maxAttempts } : {}) }, msg.name || 'grid');
}
