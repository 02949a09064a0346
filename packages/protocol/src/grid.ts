import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import {
  axisOrder, gridSize, parseRunConfig, PRESET_NAMES, PRESETS, RUN_FIELDS,
  type AxisValue, type GridSpec, type PresetName, type RunConfig,
} from '@sdpo/sim';
import { formatIssueLines, formatPath, ProtocolError, type Issue } from './errors.js';
import { canonicalJson, sha256Hex, taskKey } from './keys.js';
import { LIMITS } from './wire.js';

/** A sweep definition: a grid file after parsing (presets and ranges expanded). */
export interface SweepDefinition {
  /** Unique within a store. */
  readonly name: string;
  /** Axes as explicit lists, plus fixed fields. */
  readonly grid: { readonly axes: Readonly<Record<string, readonly AxisValue[]>>; readonly fixed: Readonly<Record<string, AxisValue>> };
  /** Attempts per task before it is marked failed (≥ 1). */
  readonly maxAttempts: number;
}

/** Default attempts per task. */
export const DEFAULT_MAX_ATTEMPTS = 3;

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const RUN_FIELD_SET: ReadonlySet<string> = new Set(RUN_FIELDS);
const jsonValue: z.ZodType<AxisValue> = z.lazy(() =>
  z.union([z.number(), z.string(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);
const rangeSchema = z.strictObject({ from: z.number().int(), to: z.number().int() });

/** The grid file schema (orchestration spec §1); run-field checks come after. */
export const gridFileSchema = z.strictObject({
  name: z.string().regex(NAME_RE, 'a name is 1–100 letters, digits, dots, dashes or underscores, starting with a letter or digit'),
  preset: z.enum(PRESET_NAMES as [PresetName, ...PresetName[]]).optional(),
  axes: z.record(z.string(), z.union([z.array(jsonValue), rangeSchema])).default({}),
  fixed: z.record(z.string(), jsonValue).default({}),
  maxAttempts: z.number().int().min(1).max(100).default(DEFAULT_MAX_ATTEMPTS),
});

function fail(code: 'INVALID_GRID' | 'GRID_SYNTAX' | 'GRID_TOO_LARGE', source: string, issues: Issue[]): never {
  throw new ProtocolError(code, `${source}: invalid grid\n${formatIssueLines(issues)}`, issues);
}

/** Parses grid text: YAML (which includes JSON) or, for `.json` sources, strict JSON. */
export function parseGridText(text: string, source = 'grid'): SweepDefinition {
  let data: unknown;
  if (extname(source).toLowerCase() === '.json') {
    try {
      data = JSON.parse(text);
    } catch (err) {
      const msg = (err as Error).message;
      const pos = /position (\d+)/.exec(msg);
      const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
      throw new ProtocolError('GRID_SYNTAX', `${source}${line ? `:${line}` : ''}: JSON syntax error: ${msg}`, [
        { path: line ? [`line ${line}`] : [], message: msg },
      ]);
    }
  } else {
    const doc = YAML.parseDocument(text, { prettyErrors: true });
    const first = doc.errors[0];
    if (first) {
      const line = (first as { linePos?: { start: { line: number; col: number } } }).linePos?.start;
      const where = line ? `:${line.line}:${line.col}` : '';
      const msg = (first.message.split('\n')[0] ?? first.message).replace(/ at line \d+, column \d+:?$/, '');
      throw new ProtocolError('GRID_SYNTAX', `${source}${where}: YAML syntax error: ${msg}`, [
        { path: line ? [`line ${line.line}`] : [], message: msg },
      ]);
    }
    data = doc.toJSON();
  }
  return parseGridData(data, source);
}

/** Reads and parses a grid file (YAML or JSON by extension). */
export function loadGridFile(path: string): SweepDefinition {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ProtocolError('INVALID_GRID', `${path}: cannot read grid file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, [], { cause: err });
  }
  return parseGridText(text, path);
}

/**
 * Validates parsed grid data: the file schema, then every axis and fixed
 * field against the run schema, so an unknown axis, a bad value or a wrong
 * type is reported with its path (e.g. `axes.method[2]`) before any work.
 */
export function parseGridData(data: unknown, source = 'grid'): SweepDefinition {
  const r = gridFileSchema.safeParse(data);
  if (!r.success) fail('INVALID_GRID', source, r.error.issues.map(zodIssue));
  const file = r.data;
  const issues: Issue[] = [];
  const base: GridSpec = file.preset ? PRESETS[file.preset] : { axes: {} };
  const axes: Record<string, AxisValue[]> = {};
  for (const [n, v] of Object.entries(base.axes)) axes[n] = [...v];
  // The size from the axes' lengths before any range is expanded: a range of 10^12 seeds would
  // otherwise exhaust the heap (and take the coordinator down with a submit) before the size check.
  const lengths = new Map<string, number>(Object.entries(base.axes).map(([n, v]) => [n, v.length]));
  for (const [name, v] of Object.entries(file.axes)) if (RUN_FIELD_SET.has(name)) lengths.set(name, Array.isArray(v) ? v.length : Math.max(0, v.to - v.from));
  const sizeBound = [...lengths.values()].reduce((a, n) => a * Math.max(1, n), 1);
  if (sizeBound > LIMITS.maxGridSize) tooLarge(source, sizeBound);
  for (const [name, v] of Object.entries(file.axes)) {
    if (!RUN_FIELD_SET.has(name)) {
      issues.push({ path: ['axes', name], message: `unknown run field '${name}' (run fields: ${RUN_FIELDS.join(', ')})` });
      continue;
    }
    const values = Array.isArray(v) ? v : range(v.from, v.to);
    if (values.length === 0) {
      issues.push({ path: ['axes', name], message: Array.isArray(v) ? 'an axis needs at least one value' : `empty range: 'to' (${(v as { to: number }).to}) must be greater than 'from' (exclusive end)` });
      continue;
    }
    axes[name] = values;
  }
  const fixed: Record<string, AxisValue> = { ...(base.fixed ?? {}) };
  for (const [name, v] of Object.entries(file.fixed)) {
    if (!RUN_FIELD_SET.has(name)) issues.push({ path: ['fixed', name], message: `unknown run field '${name}' (run fields: ${RUN_FIELDS.join(', ')})` });
    else fixed[name] = v;
  }
  // A field given both ways would be ambiguous; the axis would silently win.
  for (const name of Object.keys(file.fixed)) if (name in axes) issues.push({ path: ['fixed', name], message: `'${name}' is also an axis; give it one way` });
  if (issues.length) fail('INVALID_GRID', source, issues);

  const def: SweepDefinition = { name: file.name, grid: { axes: sortAxes(axes), fixed }, maxAttempts: file.maxAttempts };
  validateValues(def, source);
  const size = gridSize(def.grid);
  if (size > LIMITS.maxGridSize) tooLarge(source, size);
  return def;
}

function tooLarge(source: string, size: number): never {
  fail('GRID_TOO_LARGE', source, [{ path: ['axes'], message: `the grid has ${size} runs; at most ${LIMITS.maxGridSize} per sweep` }]);
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}

function sortAxes(axes: Record<string, AxisValue[]>): Record<string, AxisValue[]> {
  const out: Record<string, AxisValue[]> = {};
  for (const n of axisOrder(Object.keys(axes))) out[n] = axes[n]!;
  return out;
}

function zodIssue(i: z.core.$ZodIssue): Issue {
  const path = i.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
  if (i.code === 'unrecognized_keys') return { path, message: `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}` };
  if (i.code === 'invalid_union' && path[0] === 'axes') return { path, message: 'an axis is a list of values or {from, to} (integers, to exclusive)' };
  return { path, message: i.message };
}

/**
 * Checks each axis value and fixed field by resolving a probe config (the
 * first cell with that one value swapped in) and attributing the run
 * schema's issues to the field they name.
 */
function validateValues(def: SweepDefinition, source: string): void {
  const { axes, fixed } = def.grid;
  const first: Record<string, AxisValue> = { ...fixed };
  for (const [n, v] of Object.entries(axes)) first[n] = v[0]!;
  const issues: Issue[] = [];
  const seen = new Set<string>();
  const report = (path: (string | number)[], message: string) => {
    const k = `${formatPath(path)}|${message}`;
    if (!seen.has(k)) {
      seen.add(k);
      issues.push({ path, message });
    }
  };
  const probe = (cell: Record<string, AxisValue>, axis?: string, index?: number) => {
    const r = parseRunConfig(cell);
    if (r.ok) return;
    for (const i of r.issues) {
      const field = String(i.path[0] ?? '');
      if (axis !== undefined && field !== axis) continue; // attributed by the base probe
      if (field in axes) {
        const idx = axis === field && index !== undefined ? index : 0;
        report(['axes', field, idx, ...i.path.slice(1)], `${i.message} (value ${JSON.stringify(axes[field]![idx])})`);
      } else if (field in fixed) report(['fixed', ...i.path], i.message);
      else if (i.path.length === 1 && cell[field] === undefined) report([field], `required run field: give it as an axis or under fixed`);
      else report(i.path as (string | number)[], i.message);
    }
  };
  probe(first);
  for (const [n, values] of Object.entries(axes)) {
    for (let i = 1; i < values.length; i++) {
      // A seed takes part in no default, derived field or cross-field check (see GridResolver): one the
      // schema accepts needs no probe. Probing each seed of a 10,000-seed range took ~40 ms (GC included)
      // while the coordinator's thread checked a submit.
      if (n === 'seed' && isSeed(values[i])) continue;
      probe({ ...first, [n]: values[i]! }, n, i);
    }
  }
  if (issues.length) fail('INVALID_GRID', source, issues);
}

/** Whether `v` is a seed the run schema accepts (an integer from 0 to 2^53 − 1). */
function isSeed(v: unknown): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Total runs of a sweep. */
export function sweepSize(def: SweepDefinition): number {
  return gridSize(def.grid);
}

/** One task of a sweep: its grid index, resolved config and key. */
export interface ExpandedTask {
  readonly index: number;
  readonly config: RunConfig;
  readonly key: string;
}

/**
 * Expands a sweep seed-major (the order of @sdpo/sim's iterateGrid),
 * resolving each config and computing its key. A config that fails as a
 * whole (e.g. a vocab × length combination too large) throws INVALID_GRID
 * naming the cell.
 */
export function* expandSweep(def: SweepDefinition, simVersion: string): Generator<ExpandedTask> {
  const resolver = resolverFor(def, simVersion);
  const total = gridSize(def.grid);
  for (let index = 0; index < total; index++) {
    const config = resolver.configAt(index);
    yield { index, config, key: resolver.key(config, index) };
  }
}

/** Most distinct non-seed cells whose resolution is cached per grid. */
const RESOLVE_CACHE = 1 << 14;

/**
 * Resolves the cells of one grid quickly. Resolution is per cell a config
 * check plus a canonical-JSON hash, too slow for a million tasks; but `seed`
 * takes part in no default, derived field or cross-field check, so cells
 * that differ only in seed resolve to configs that differ only in seed. As
 * `seed` is the outermost axis, cell `i` shares its other values with cell
 * `i mod inner`: that one is resolved once, and the key text is a
 * cached template with the seed spliced in.
 */
export class GridResolver {
  private readonly names: string[];
  private readonly inner: number;
  private readonly cacheable: boolean;
  private readonly configs: (RunConfig | undefined)[] = [];
  private readonly templates: ([string, string] | undefined)[] = [];

  constructor(
    private readonly def: SweepDefinition,
    readonly simVersion: string,
  ) {
    this.names = axisOrder(Object.keys(def.grid.axes));
    this.inner = this.names.slice(1).reduce((n, a) => n * def.grid.axes[a]!.length, 1);
    this.cacheable = this.names[0] === 'seed' && this.inner <= RESOLVE_CACHE;
  }

  /**
   * The config at grid `index` without expanding the grid (mixed-radix
   * digits, last axis fastest). Past the first seed of a cacheable grid it
   * builds no cell: the cached config of its combination gets the seed.
   */
  configAt(index: number): RunConfig {
    if (this.cacheable) {
      const base = this.configs[index % this.inner];
      if (base) {
        const seed = this.def.grid.axes['seed']![Math.floor(index / this.inner)];
        if (seed === base.seed) return base;
        // Seeds were checked one by one when the grid was parsed; check the type again since this skips zod.
        if (isSeed(seed)) return { ...base, seed: seed as number };
      }
    }
    const cell = this.cellAt(index);
    const config = resolveCell(this.def, cell, index);
    if (this.cacheable) this.configs[index % this.inner] ??= config;
    return config;
  }

  private cellAt(index: number): Record<string, AxisValue> {
    const cell: Record<string, AxisValue> = { ...this.def.grid.fixed };
    let rest = index;
    for (let a = this.names.length - 1; a >= 0; a--) {
      const values = this.def.grid.axes[this.names[a]!]!;
      cell[this.names[a]!] = values[rest % values.length]!;
      rest = Math.floor(rest / values.length);
    }
    return cell;
  }

  /** The task key of `config`, the config at grid `index` (same as {@link taskKey}). */
  key(config: RunConfig, index: number): string {
    if (!this.cacheable) return taskKey(config, this.simVersion);
    const combo = index % this.inner;
    let t = this.templates[combo];
    if (!t) {
      // 0.5 is no valid seed, so its text marks the seed's place exactly once.
      const text = canonicalJson({ config: { ...config, seed: 0.5 }, simVersion: this.simVersion });
      const at = text.indexOf('"seed":0.5');
      t = [text.slice(0, at + 7), text.slice(at + 10)];
      this.templates[combo] = t;
    }
    return sha256Hex(t[0] + JSON.stringify(config.seed) + t[1]);
  }
}

const resolvers = new WeakMap<SweepDefinition, GridResolver>();

function resolveCell(def: SweepDefinition, cell: Record<string, AxisValue>, index: number): RunConfig {
  const r = parseRunConfig(cell);
  if (r.ok) return r.value;
  const where = Object.keys(def.grid.axes).map((n) => `${n}=${JSON.stringify(cell[n])}`).join(', ');
  fail('INVALID_GRID', def.name, r.issues.map((i) => ({ path: ['cell', index, ...i.path], message: `${i.message} (${where})` })));
}

/**
 * The config of the cell at grid `index` without expanding the grid: the
 * mixed-radix digits of `index` in axisOrder order (last axis fastest), the
 * same order iterateGrid yields. Cached per definition object.
 */
export function configAt(def: SweepDefinition, index: number): RunConfig {
  return resolverFor(def).configAt(index);
}

/**
 * The resolver of `def`, cached per definition object, so that configs resolved
 * while a sweep is expanded (submit) are reused when its tasks are leased.
 * `simVersion` is needed for keys only; a cached resolver made without it is replaced.
 */
function resolverFor(def: SweepDefinition, simVersion?: string): GridResolver {
  let r = resolvers.get(def);
  if (!r || (simVersion !== undefined && r.simVersion !== simVersion)) {
    r = new GridResolver(def, simVersion ?? '');
    resolvers.set(def, r);
  }
  return r;
}
