import type { RunConfig, RunResult } from '@sdpo/sim';
import { resultFromWire } from './wire.js';
import { decodeWireResult, encodeRunResult } from './stream-codec.js';
import { parseGridData, type SweepDefinition } from './grid.js';
import type { GridSpec as WireGridSpec } from './generated/sdpo/v1/GridSpec.js';
import { ProtocolError } from './errors.js';

/**
 * The stored form of a result: the protobuf bytes of its deterministic part
 * (wall time zeroed; it is stored in its own column). Equal results give
 * byte-identical bodies, which is what fencing compares.
 */
export function encodeResultBody(r: RunResult): Uint8Array {
  return encodeRunResult(r.timing.wallMs === 0 ? r : { ...r, timing: { wallMs: 0 } });
}

/** Decodes a stored body back to a {@link RunResult} with the given wall time (ms). */
export function decodeResultBody(body: Uint8Array, wallMs = 0): RunResult {
  const wire = decodeWireResult(body);
  wire.wallMs = wallMs;
  return resultFromWire(wire);
}

/**
 * A result from its protobuf bytes (as a worker sends it), checked like
 * {@link resultFromWire}: with `expected`, its config must equal the leased one.
 */
export function resultFromBytes(bytes: Uint8Array, expected?: RunConfig): RunResult {
  return resultFromWire(decodeWireResult(bytes), expected);
}

/**
 * A sweep definition as the SubmitRequest grid: values as JSON text, and an axis of
 * consecutive integers (such as seeds) as a range, which the coordinator expands to
 * the same list.
 */
export function gridToWire(def: SweepDefinition): WireGridSpec {
  return {
    name: def.name,
    axes: Object.entries(def.grid.axes).map(([name, values]) =>
      isIntegerRun(values) ? { name, range: { from: values[0] as number, to: (values[0] as number) + values.length } } : { name, valuesJson: values.map((v) => JSON.stringify(v)) },
    ),
    fixed: Object.entries(def.grid.fixed).map(([name, v]) => ({ name, valueJson: JSON.stringify(v) })),
    maxAttempts: def.maxAttempts,
  };
}

/** Whether `values` are two or more integers, each one more than the last. */
function isIntegerRun(values: readonly unknown[]): boolean {
  if (values.length < 2) return false;
  const first = values[0];
  if (typeof first !== 'number' || !Number.isSafeInteger(first) || !Number.isSafeInteger(first + values.length)) return false;
  for (let i = 1; i < values.length; i++) if (values[i] !== first + i) return false;
  return true;
}

/** The SubmitRequest grid back to a validated sweep definition (same checks as a grid file). */
export function gridFromWire(msg: {
  name: string;
  axes: { name: string; valuesJson: string[]; range?: { from: number; to: number } | null }[];
  fixed: { name: string; valueJson: string }[];
  maxAttempts: number;
}): SweepDefinition {
  const parse = (s: string, where: string): unknown => {
    try {
      return JSON.parse(s);
    } catch {
      throw new ProtocolError('INVALID_GRID', `${where}: not JSON: ${s.slice(0, 80)}`);
    }
  };
  const axes: Record<string, unknown> = {};
  for (const a of msg.axes) {
    // Last one would silently win; a grid file refuses duplicate keys too.
    if (Object.hasOwn(axes, a.name)) throw new ProtocolError('INVALID_GRID', `axes.${a.name}: the axis is given twice`);
    if (a.range && a.valuesJson.length > 0) throw new ProtocolError('INVALID_GRID', `axes.${a.name}: give values or a range, not both`);
    // A range is checked as in a grid file (integers, 'to' past 'from').
    axes[a.name] = a.range ? { from: a.range.from, to: a.range.to } : a.valuesJson.map((v, i) => parse(v, `axes.${a.name}[${i}]`));
  }
  const fixed: Record<string, unknown> = {};
  for (const f of msg.fixed) {
    if (Object.hasOwn(fixed, f.name)) throw new ProtocolError('INVALID_GRID', `fixed.${f.name}: the field is given twice`);
    fixed[f.name] = parse(f.valueJson, `fixed.${f.name}`);
  }
  return parseGridData({ name: msg.name, axes, fixed, ...(msg.maxAttempts > 0 ? { maxAttempts: msg.maxAttempts } : {}) }, msg.name || 'grid');
}
