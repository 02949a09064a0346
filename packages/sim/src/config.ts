import { z } from 'zod';

/**
 * Version of the simulation model; any change that alters a result bumps it.
 * 1.0.1: same model, results differ from 1.0.0 in the last bits (rounding of the faster SDPO
 * reverse-KL update and of the one-pass sd_R).
 * 1.0.2: same model, results differ from 1.0.1 in the last bits: the kernels' e^x is a table-driven
 * pure-JavaScript exp (libm.ts, ≤ 0.52 ulp) instead of Math.exp (within 1 ulp of it).
 */
export const SIM_VERSION = '1.0.2';

export const METHODS = ['reinforce', 'rloo', 'grpo', 'sdpo', 'hybrid', 'hint-reinforce', 'oracle'] as const;
export const FEEDBACKS = ['critique', 'continuous', 'ordinal', 'binary'] as const;
export const DIVERGENCES = ['reverse-kl', 'forward-kl', 'jsd'] as const;

export type Method = (typeof METHODS)[number];
export type Feedback = (typeof FEEDBACKS)[number];
export type Divergence = (typeof DIVERGENCES)[number];

/** Exact evaluation enumerates V^T sequences for the task tables; this bounds memory and time. */
export const MAX_SEQUENCES = 2 ** 22;
/**
 * The largest κ accepted. The spec gives no bound; past ~1e155 the shifted
 * gradient's squares overflow: Adam's v becomes ∞ and sdpo never moves, while
 * hybrid's norm gives NaN (measured at 1e160). 1e6 is far past any useful
 * strength (the teacher is then all on the evidence) and far from overflow.
 */
export const KAPPA_MAX = 1e6;

const finite = () => z.number().finite();

/** The spec's defaults (§1), read by the schema and by the hand path ({@link resolveConfigByHand}) alike. */
const D = {
  vocab: 8, length: 6, group: 8, steps: 150, lr: 0.05, emaRate: 0.05, divergence: 'auto', jsdBeta: 0.5, binaryQuantile: 0.75, evalEvery: 5,
  weights: { local: 1, coherence: 1, global: 1 },
  hybrid: { alphaMin: 0.2, alphaMax: 0.9, warmup: 5 },
} as const;

const weightsSchema = z
  .strictObject({
    local: finite().min(0).default(D.weights.local),
    coherence: finite().min(0).default(D.weights.coherence),
    global: finite().min(0).default(D.weights.global),
  })
  .refine((w) => w.local + w.coherence + w.global > 0, { message: 'reward weights must not all be 0' });

const hybridSchema = z
  .strictObject({
    alphaMin: finite().min(0).max(1).default(D.hybrid.alphaMin),
    alphaMax: finite().min(0).max(1).default(D.hybrid.alphaMax),
    warmup: z.number().int().min(1).default(D.hybrid.warmup),
  })
  .refine((h) => h.alphaMin <= h.alphaMax, { message: 'alphaMin must be ≤ alphaMax', path: ['alphaMin'] });

/**
 * The run configuration of spec §1, as accepted from outside (CLI, grid file, wire).
 * Unknown keys are errors. `kappa` and `divergence` may be left to their
 * derived defaults; {@link resolveRunConfig} fills them in.
 */
export const runConfigInputSchema = z
  .strictObject({
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    method: z.enum(METHODS),
    feedback: z.enum(FEEDBACKS),
    noise: finite().min(0),
    vocab: z.number().int().min(3).max(32).default(D.vocab),
    length: z.number().int().min(2).max(12).default(D.length),
    group: z.number().int().min(2).max(256).default(D.group),
    steps: z.number().int().min(1).max(100000).default(D.steps),
    lr: finite().gt(0).default(D.lr),
    kappa: finite().min(0).max(KAPPA_MAX).optional(),
    emaRate: finite().gt(0).max(1).default(D.emaRate),
    divergence: z.enum([...DIVERGENCES, 'auto']).default(D.divergence),
    jsdBeta: finite().gt(0).lt(1).default(D.jsdBeta),
    weights: weightsSchema.default({ ...D.weights }),
    binaryQuantile: finite().gt(0).lt(1).default(D.binaryQuantile),
    hybrid: hybridSchema.default({ ...D.hybrid }),
    evalEvery: z.number().int().min(1).default(D.evalEvery),
  })
  .superRefine((c, ctx) => {
    if (c.vocab ** c.length > MAX_SEQUENCES) {
      ctx.addIssue({
        code: 'custom',
        path: ['length'],
        message: `vocab^length = ${c.vocab}^${c.length} exceeds 2^22 sequences (exact evaluation would not fit); lower vocab or length`,
      });
    }
  });

export type RunConfigInput = z.input<typeof runConfigInputSchema>;

/** A fully resolved run config: every default filled in, κ a number, divergence concrete. */
export interface RunConfig {
  readonly seed: number;
  readonly method: Method;
  readonly feedback: Feedback;
  readonly noise: number;
  readonly vocab: number;
  readonly length: number;
  readonly group: number;
  readonly steps: number;
  readonly lr: number;
  readonly kappa: number;
  readonly emaRate: number;
  readonly divergence: Divergence;
  readonly jsdBeta: number;
  readonly weights: { readonly local: number; readonly coherence: number; readonly global: number };
  readonly binaryQuantile: number;
  readonly hybrid: { readonly alphaMin: number; readonly alphaMax: number; readonly warmup: number };
  readonly evalEvery: number;
}

/** The names of every run field, in canonical order (grid axes and `fixed` keys must be among them). */
export const RUN_FIELDS = [
  'seed', 'method', 'feedback', 'noise', 'vocab', 'length', 'group', 'steps', 'lr', 'kappa',
  'emaRate', 'divergence', 'jsdBeta', 'weights', 'binaryQuantile', 'hybrid', 'evalEvery',
] as const satisfies readonly (keyof RunConfig)[];

/** One problem found in a config: where (a path of keys) and why. */
export interface ConfigIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/** Formats issues as `path: message` lines, e.g. `noise: Too small: expected number to be >=0`. */
export function formatIssues(issues: readonly ConfigIssue[], prefix: readonly (string | number)[] = []): string {
  return issues
    .map((i) => {
      const p = [...prefix, ...i.path].map(String).join('.');
      return `${p === '' ? '(config)' : p}: ${i.message}`;
    })
    .join('\n');
}

/** Maps zod issues to plain {@link ConfigIssue}s (structured-clone safe). */
export function toConfigIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.flatMap((i): ConfigIssue[] => {
    const path = i.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
    // zod reports unknown keys once, at the parent; name each key by its own path instead.
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((key) => ({ path: [...path, key], message: `unknown key "${key}" (not a run config field)` }));
    }
    return [{ path, message: i.message }];
  });
}

/** Default κ = ln(V − 1): one better peer (ρ = 1) from a uniform start gets half the mass. */
export function defaultKappa(vocab: number): number {
  return Math.log(vocab - 1);
}

/** The divergence `auto` stands for: reverse KL with critique, JSD otherwise. */
export function resolveDivergence(d: Divergence | 'auto', feedback: Feedback): Divergence {
  if (d !== 'auto') return d;
  return feedback === 'critique' ? 'reverse-kl' : 'jsd';
}

const isInt = (x: unknown, min: number, max: number): x is number => Number.isSafeInteger(x) && (x as number) >= min && (x as number) <= max;
const isNum = (x: unknown): x is number => Number.isFinite(x);

/** A plain object (as JSON, YAML and object literals make them) whose keys are all in `keys`. */
const plainWithin = (o: unknown, keys: ReadonlySet<string>): o is Record<string, unknown> => {
  if (o === null || typeof o !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k of Object.keys(o)) if (!keys.has(k)) return false;
  return true;
};
const FIELD_SET: ReadonlySet<string> = new Set(RUN_FIELDS);
const WEIGHT_KEYS: ReadonlySet<string> = new Set(Object.keys(D.weights));
const HYBRID_KEYS: ReadonlySet<string> = new Set(Object.keys(D.hybrid));
const or = (v: unknown, d: unknown): unknown => (v === undefined ? d : v);

/**
 * The schema's defaults filled in by hand, exactly where zod fills them (a
 * field that is absent or `undefined`; `kappa` from the vocab): a fresh
 * object with every field, `weights` and `hybrid` fresh objects with every
 * key. Undefined for anything that is not a plain object of known keys: the
 * schema reports those.
 */
function fillDefaults(input: unknown): Record<string, unknown> | undefined {
  if (!plainWithin(input, FIELD_SET)) return undefined;
  const c = input;
  const vocab = or(c['vocab'], D.vocab);
  let { weights: w, hybrid: h } = c;
  if (w === undefined) w = { ...D.weights };
  else if (plainWithin(w, WEIGHT_KEYS)) w = { local: or(w['local'], D.weights.local), coherence: or(w['coherence'], D.weights.coherence), global: or(w['global'], D.weights.global) };
  else return undefined;
  if (h === undefined) h = { ...D.hybrid };
  else if (plainWithin(h, HYBRID_KEYS)) h = { alphaMin: or(h['alphaMin'], D.hybrid.alphaMin), alphaMax: or(h['alphaMax'], D.hybrid.alphaMax), warmup: or(h['warmup'], D.hybrid.warmup) };
  else return undefined;
  return {
    seed: c['seed'], method: c['method'], feedback: c['feedback'], noise: c['noise'], vocab, length: or(c['length'], D.length), group: or(c['group'], D.group),
    steps: or(c['steps'], D.steps), lr: or(c['lr'], D.lr), kappa: or(c['kappa'], isInt(vocab, 3, 32) ? defaultKappa(vocab) : undefined),
    emaRate: or(c['emaRate'], D.emaRate), divergence: or(c['divergence'], D.divergence), jsdBeta: or(c['jsdBeta'], D.jsdBeta), weights: w,
    binaryQuantile: or(c['binaryQuantile'], D.binaryQuantile), hybrid: h, evalEvery: or(c['evalEvery'], D.evalEvery),
  };
}

/**
 * {@link parseRunConfig} without zod: the defaults filled in, then every rule
 * of {@link runConfigInputSchema} checked by hand, building the same object
 * zod's path builds. Undefined when the schema has to decide (an invalid
 * config, or one shaped unlike JSON), for its error paths. zod took 3–33 µs
 * per config (the more while V8 warms up), by hand about 2 µs: ~40 % of a
 * tiny run in the pool threads, and most of the coordinator's cost of
 * resolving a grid cell, which it does when it submits a task and again when
 * it leases it.
 */
export function resolveConfigByHand(input: unknown): RunConfig | undefined {
  const c = fillDefaults(input);
  if (!c) return undefined;
  const w = c['weights'] as Record<string, unknown>;
  const h = c['hybrid'] as Record<string, unknown>;
  if (
    !isInt(c['seed'], 0, Number.MAX_SAFE_INTEGER) || !METHODS.includes(c['method'] as Method) || !FEEDBACKS.includes(c['feedback'] as Feedback)
    || !isNum(c['noise']) || c['noise'] < 0 || !isInt(c['vocab'], 3, 32) || !isInt(c['length'], 2, 12) || !isInt(c['group'], 2, 256)
    || !isInt(c['steps'], 1, 100000) || !isNum(c['lr']) || c['lr'] <= 0 || !isNum(c['kappa']) || c['kappa'] < 0 || c['kappa'] > KAPPA_MAX
    || !isNum(c['emaRate']) || c['emaRate'] <= 0 || c['emaRate'] > 1
    || !(DIVERGENCES.includes(c['divergence'] as Divergence) || c['divergence'] === 'auto')
    || !isNum(c['jsdBeta']) || c['jsdBeta'] <= 0 || c['jsdBeta'] >= 1 || !isNum(c['binaryQuantile']) || c['binaryQuantile'] <= 0 || c['binaryQuantile'] >= 1
    || !isInt(c['evalEvery'], 1, Number.MAX_SAFE_INTEGER) || c['vocab'] ** c['length'] > MAX_SEQUENCES
    || !isNum(w['local']) || !isNum(w['coherence']) || !isNum(w['global'])
    || w['local'] < 0 || w['coherence'] < 0 || w['global'] < 0 || !(w['local'] + w['coherence'] + w['global'] > 0)
    || !isNum(h['alphaMin']) || !isNum(h['alphaMax'])
    || h['alphaMin'] < 0 || h['alphaMin'] > 1 || h['alphaMax'] < 0 || h['alphaMax'] > 1 || !(h['alphaMin'] <= h['alphaMax'])
    || !isInt(h['warmup'], 1, Number.MAX_SAFE_INTEGER)
  ) {
    return undefined;
  }
  return {
    seed: c['seed'], method: c['method'] as Method, feedback: c['feedback'] as Feedback, noise: c['noise'], vocab: c['vocab'], length: c['length'],
    group: c['group'], steps: c['steps'], lr: c['lr'], kappa: c['kappa'], emaRate: c['emaRate'],
    divergence: resolveDivergence(c['divergence'] as Divergence | 'auto', c['feedback'] as Feedback), jsdBeta: c['jsdBeta'],
    weights: { local: w['local'], coherence: w['coherence'], global: w['global'] }, binaryQuantile: c['binaryQuantile'],
    hybrid: { alphaMin: h['alphaMin'], alphaMax: h['alphaMax'], warmup: h['warmup'] }, evalEvery: c['evalEvery'],
  };
}

/** Validates and resolves a run config; never throws. */
export function parseRunConfig(input: unknown): ParseResult<RunConfig> {
  const resolved = resolveConfigByHand(input);
  return resolved ? { ok: true, value: resolved } : parseRunConfigWithSchema(input);
}

/** {@link parseRunConfig} through the zod schema alone (exported for the tests of the hand path). */
export function parseRunConfigWithSchema(input: unknown): ParseResult<RunConfig> {
  const r = runConfigInputSchema.safeParse(input);
  if (!r.success) return { ok: false, issues: toConfigIssues(r.error) };
  const c = r.data;
  const config: RunConfig = {
    seed: c.seed,
    method: c.method,
    feedback: c.feedback,
    noise: c.noise,
    vocab: c.vocab,
    length: c.length,
    group: c.group,
    steps: c.steps,
    lr: c.lr,
    kappa: c.kappa ?? defaultKappa(c.vocab),
    emaRate: c.emaRate,
    divergence: resolveDivergence(c.divergence, c.feedback),
    jsdBeta: c.jsdBeta,
    weights: { local: c.weights.local, coherence: c.weights.coherence, global: c.weights.global },
    binaryQuantile: c.binaryQuantile,
    hybrid: { alphaMin: c.hybrid.alphaMin, alphaMax: c.hybrid.alphaMax, warmup: c.hybrid.warmup },
    evalEvery: c.evalEvery,
  };
  return { ok: true, value: config };
}

/** Thrown by {@link resolveRunConfig} on an invalid config; carries every issue with its path. */
export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`invalid run config:\n${formatIssues(issues)}`);
    this.name = 'ConfigError';
  }
}

/** Like {@link parseRunConfig} but throws a {@link ConfigError}. */
export function resolveRunConfig(input: unknown): RunConfig {
  const r = parseRunConfig(input);
  if (!r.ok) throw new ConfigError(r.issues);
  return r.value;
}
