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

const finite = () => z.number().finite();

const weightsSchema = z
  .strictObject({
    local: finite().min(0).default(1),
    coherence: finite().min(0).default(1),
    global: finite().min(0).default(1),
  })
  .refine((w) => w.local + w.coherence + w.global > 0, { message: 'reward weights must not all be 0' });

const hybridSchema = z
  .strictObject({
    alphaMin: finite().min(0).max(1).default(0.2),
    alphaMax: finite().min(0).max(1).default(0.9),
    warmup: z.number().int().min(1).default(5),
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
    vocab: z.number().int().min(3).max(32).default(8),
    length: z.number().int().min(2).max(12).default(6),
    group: z.number().int().min(2).max(256).default(8),
    steps: z.number().int().min(1).max(100000).default(150),
    lr: finite().gt(0).default(0.05),
    kappa: finite().min(0).optional(),
    emaRate: finite().gt(0).max(1).default(0.05),
    divergence: z.enum([...DIVERGENCES, 'auto']).default('auto'),
    jsdBeta: finite().gt(0).lt(1).default(0.5),
    weights: weightsSchema.default({ local: 1, coherence: 1, global: 1 }),
    binaryQuantile: finite().gt(0).lt(1).default(0.75),
    hybrid: hybridSchema.default({ alphaMin: 0.2, alphaMax: 0.9, warmup: 5 }),
    evalEvery: z.number().int().min(1).default(5),
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

/** Validates and resolves a run config; never throws. */
export function parseRunConfig(input: unknown): ParseResult<RunConfig> {
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
