import { z } from 'zod';
import { formatIssues, parseRunConfig, type RunConfig, type RunResult } from '@sdpo/sim';
import type { RunConfig as WireConfig } from './generated/sdpo/v1/RunConfig.js';
import type { RunResult as WireResult } from './generated/sdpo/v1/RunResult.js';
import { ProtocolError } from './errors.js';

/** Limits on what a peer may send (orchestration spec §7). */
export const LIMITS = {
  /** gRPC max message size, bytes. */
  maxMessageBytes: 64 * 1024 * 1024,
  /** Most credits one worker may hold at once. */
  maxCredits: 4096,
  /** Most tasks one sweep may have. */
  maxGridSize: 10_000_000,
  /** Most curve points one result may carry. */
  maxCurvePoints: 100_001,
  /** Longest worker name a Hello may carry, characters. */
  maxWorkerName: 200,
  /** Most pool threads a worker may announce. */
  maxThreads: 4096,
  /** The heartbeat period a Welcome may ask for, ms (a worker refuses any other). */
  heartbeatMs: { min: 10, max: 3_600_000 },
  /** The lease period a Welcome may announce, ms. */
  leaseMs: { min: 100, max: 86_400_000 },
} as const;

/** A resolved config as its wire message. */
export function configToWire(c: RunConfig): WireConfig {
  return {
    seed: c.seed, method: c.method, feedback: c.feedback, noise: c.noise, vocab: c.vocab, length: c.length,
    group: c.group, steps: c.steps, lr: c.lr, kappa: c.kappa, emaRate: c.emaRate, divergence: c.divergence,
    jsdBeta: c.jsdBeta, weights: { ...c.weights }, binaryQuantile: c.binaryQuantile, hybrid: { ...c.hybrid },
    evalEvery: c.evalEvery,
  };
}

const wireConfigShape = z.object({
  seed: z.number(), method: z.string(), feedback: z.string(), noise: z.number(), vocab: z.number(), length: z.number(),
  group: z.number(), steps: z.number(), lr: z.number(), kappa: z.number(), emaRate: z.number(), divergence: z.string(),
  jsdBeta: z.number(), weights: z.object({ local: z.number(), coherence: z.number(), global: z.number() }),
  binaryQuantile: z.number(), hybrid: z.object({ alphaMin: z.number(), alphaMax: z.number(), warmup: z.number() }),
  evalEvery: z.number(),
});

/**
 * A wire config back to a resolved {@link RunConfig}, checked by the run
 * schema (the wire shape first, then every field's range).
 */
export function configFromWire(msg: unknown): RunConfig {
  const shape = wireConfigShape.safeParse(msg);
  if (!shape.success) throw new ProtocolError('INVALID_MESSAGE', `config: ${z.prettifyError(shape.error)}`);
  const r = parseRunConfig(shape.data);
  if (!r.ok) throw new ProtocolError('INVALID_MESSAGE', `config:\n${formatIssues(r.issues)}`, r.issues);
  return r.value;
}

const nanForNull = (x: number | null): number => (x === null ? Number.NaN : x);
const nullForNan = (x: number): number | null => (Number.isNaN(x) ? null : x);

/** A result as its wire message; nulls become NaN (see run.proto). */
export function resultToWire(r: RunResult): WireResult {
  const s = r.summary;
  const c = r.curves;
  return {
    simVersion: r.simVersion,
    config: configToWire(r.config),
    summary: {
      finalReward: s.finalReward, initialReward: s.initialReward, aucReward: s.aucReward, entropyInitial: s.entropyInitial,
      entropyFinal: s.entropyFinal, entropyDrop: s.entropyDrop, creditCorr: nanForNull(s.creditCorr), creditSteps: s.creditSteps,
      stepsTo90: nanForNull(s.stepsTo90), topSequenceProbFinal: s.topSequenceProbFinal,
    },
    curves: {
      step: c.step, reward: c.reward, entropy: c.entropy, topSequenceProb: c.topSequenceProb,
      credit: c.credit.map(nanForNull), kl: c.kl.map(nanForNull), alpha: c.alpha.map(nanForNull),
    },
    wallMs: r.timing.wallMs,
  };
}

const SUMMARY_FINITE = ['finalReward', 'initialReward', 'aucReward', 'entropyInitial', 'entropyFinal', 'entropyDrop', 'topSequenceProbFinal'] as const;
const SUMMARY_NULLABLE = ['creditCorr', 'stepsTo90'] as const;
const CURVES_FINITE = ['step', 'reward', 'entropy', 'topSequenceProb'] as const;
const CURVES_NULLABLE = ['credit', 'kl', 'alpha'] as const;

interface CheckedWireResult {
  simVersion: string;
  config: unknown;
  summary: Record<(typeof SUMMARY_FINITE)[number] | (typeof SUMMARY_NULLABLE)[number] | 'creditSteps', number>;
  curves: Record<(typeof CURVES_FINITE)[number] | (typeof CURVES_NULLABLE)[number], number[]>;
  wallMs: number;
}

const bad = (path: string, what: string): never => {
  throw new ProtocolError('INVALID_RESULT', `result.${path}: ${what}`);
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a wire result's shape and numbers: every summary metric finite
 * (NaN only where it stands for null), curves lists of finite numbers (NaN
 * allowed in the nullable ones) of one length, at most
 * {@link LIMITS}.maxCurvePoints long. Hand-written rather than a zod schema:
 * it runs once per result on the coordinator, where a schema cost more than
 * storing the result.
 */
function checkWireResult(msg: unknown): CheckedWireResult {
  if (!isObject(msg)) return bad('', 'expected an object');
  const { simVersion, summary, curves, wallMs } = msg;
  if (typeof simVersion !== 'string' || simVersion.length < 1 || simVersion.length > 64) bad('simVersion', 'expected a string of 1 to 64 characters');
  if (!isObject(summary)) return bad('summary', 'expected an object');
  for (const k of SUMMARY_FINITE) if (typeof summary[k] !== 'number' || !Number.isFinite(summary[k])) bad(`summary.${k}`, 'expected a finite number');
  for (const k of SUMMARY_NULLABLE) {
    const v = summary[k];
    if (typeof v !== 'number' || v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) bad(`summary.${k}`, 'expected a finite number or NaN (null)');
  }
  const cs = summary['creditSteps'];
  if (typeof cs !== 'number' || !Number.isSafeInteger(cs) || cs < 0) bad('summary.creditSteps', 'expected a non-negative integer');
  if (!isObject(curves)) return bad('curves', 'expected an object');
  const n = Array.isArray(curves['step']) ? curves['step'].length : -1;
  for (const [keys, nullable] of [[CURVES_FINITE, false], [CURVES_NULLABLE, true]] as const) {
    for (const k of keys) {
      const xs = curves[k];
      if (!Array.isArray(xs) || xs.length > LIMITS.maxCurvePoints) bad(`curves.${k}`, `expected a list of at most ${LIMITS.maxCurvePoints} numbers`);
      const list = xs as unknown[];
      if (list.length !== n) bad(`curves.${k}`, 'every curve must have one value per step');
      for (let i = 0; i < list.length; i++) {
        const x = list[i];
        if (typeof x !== 'number' || !(Number.isFinite(x) || (nullable && Number.isNaN(x)))) {
          bad(`curves.${k}[${i}]`, nullable ? 'expected a finite number or NaN (null)' : 'expected a finite number');
        }
      }
    }
  }
  if (typeof wallMs !== 'number' || !Number.isFinite(wallMs) || wallMs < 0) bad('wallMs', 'expected a finite number ≥ 0');
  return msg as unknown as CheckedWireResult;
}

/** True when a wire config carries exactly the fields of `c` (the config that was leased). */
export function wireConfigEquals(w: unknown, c: RunConfig): boolean {
  const x = w as Record<string, unknown> & { weights?: Record<string, unknown>; hybrid?: Record<string, unknown> };
  if (typeof x !== 'object' || x === null || !x.weights || !x.hybrid) return false;
  return (
    x['seed'] === c.seed && x['method'] === c.method && x['feedback'] === c.feedback && x['noise'] === c.noise &&
    x['vocab'] === c.vocab && x['length'] === c.length && x['group'] === c.group && x['steps'] === c.steps &&
    x['lr'] === c.lr && x['kappa'] === c.kappa && x['emaRate'] === c.emaRate && x['divergence'] === c.divergence &&
    x['jsdBeta'] === c.jsdBeta && x['binaryQuantile'] === c.binaryQuantile && x['evalEvery'] === c.evalEvery &&
    x.weights['local'] === c.weights.local && x.weights['coherence'] === c.weights.coherence && x.weights['global'] === c.weights.global &&
    x.hybrid['alphaMin'] === c.hybrid.alphaMin && x.hybrid['alphaMax'] === c.hybrid.alphaMax && x.hybrid['warmup'] === c.hybrid.warmup
  );
}

/**
 * A wire result back to a {@link RunResult}, checked for shape and finite
 * numbers (NaN only where the metric may be null). With `expected` (the
 * config that was leased) the result's config must equal it field for
 * field; without, it is checked by the run schema. Throws a
 * {@link ProtocolError} with code INVALID_RESULT.
 */
export function resultFromWire(msg: unknown, expected?: RunConfig): RunResult {
  const data = checkWireResult(msg);
  let config: RunConfig;
  if (expected) {
    if (!wireConfigEquals(data.config, expected)) throw new ProtocolError('INVALID_RESULT', 'result.config differs from the config that was leased');
    config = expected;
  } else {
    try {
      config = configFromWire(data.config);
    } catch (err) {
      throw new ProtocolError('INVALID_RESULT', `result.${(err as Error).message}`, [], { cause: err });
    }
  }
  const s = data.summary;
  const c = data.curves;
  return {
    simVersion: data.simVersion,
    config,
    summary: {
      finalReward: s.finalReward, initialReward: s.initialReward, aucReward: s.aucReward, entropyInitial: s.entropyInitial,
      entropyFinal: s.entropyFinal, entropyDrop: s.entropyDrop, creditCorr: nullForNan(s.creditCorr), creditSteps: s.creditSteps,
      stepsTo90: nullForNan(s.stepsTo90), topSequenceProbFinal: s.topSequenceProbFinal,
    },
    curves: {
      step: c.step, reward: c.reward, entropy: c.entropy, topSequenceProb: c.topSequenceProb,
      credit: c.credit.map(nullForNan), kl: c.kl.map(nullForNan), alpha: c.alpha.map(nullForNan),
    },
    timing: { wallMs: data.wallMs },
  };
}

// ---- inbound messages (validated before they touch state) -----------------

const idString = z.string().min(1).max(200);
const keyString = z.string().regex(/^[0-9a-f]{64}$/, 'expected a 64-hex-digit task key');

export const helloSchema = z.object({
  name: z.string().max(LIMITS.maxWorkerName),
  threads: z.number().int().min(1).max(LIMITS.maxThreads),
  simVersion: z.string().min(1).max(64),
  protocolVersion: z.number().int().min(0),
});
export const creditSchema = z.object({ tasks: z.number().int().min(0).max(LIMITS.maxCredits) });
export const taskResultSchema = z.object({ key: keyString, leaseId: idString, attempt: z.number().int().min(1), result: z.unknown() });
export const resultsSchema = z.object({ results: z.array(taskResultSchema).max(LIMITS.maxCredits) });
export const failureSchema = z.object({
  key: keyString, leaseId: idString, attempt: z.number().int().min(1), code: z.string().max(100), message: z.string().max(10_000),
});
export const heartbeatSchema = z.object({ busy: z.number().int().min(0) });

/** A validated worker → coordinator message (a discriminated union on `msg`). */
export type WorkerInbound =
  | { msg: 'hello'; hello: z.infer<typeof helloSchema> }
  | { msg: 'credit'; credit: z.infer<typeof creditSchema> }
  | { msg: 'results'; results: z.infer<typeof resultsSchema> }
  | { msg: 'failure'; failure: z.infer<typeof failureSchema> }
  | { msg: 'heartbeat'; heartbeat: z.infer<typeof heartbeatSchema> };

export const workerMessageSchema: z.ZodType<WorkerInbound> = z.discriminatedUnion('msg', [
  z.object({ msg: z.literal('hello'), hello: helloSchema }),
  z.object({ msg: z.literal('credit'), credit: creditSchema }),
  z.object({ msg: z.literal('results'), results: resultsSchema }),
  z.object({ msg: z.literal('failure'), failure: failureSchema }),
  z.object({ msg: z.literal('heartbeat'), heartbeat: heartbeatSchema }),
]);

export const welcomeSchema = z.object({
  workerId: idString, heartbeatMs: z.number().int().min(LIMITS.heartbeatMs.min).max(LIMITS.heartbeatMs.max), leaseMs: z.number().int().min(LIMITS.leaseMs.min).max(LIMITS.leaseMs.max),
});
export const wireTaskSchema = z.object({ key: keyString, attempt: z.number().int().min(1), config: z.unknown() });
export const leaseSchema = z.object({ leaseId: idString, tasks: z.array(wireTaskSchema).max(LIMITS.maxCredits) });
export const revokeSchema = z.object({ leaseId: z.string().max(200), keys: z.array(keyString) });
export const drainSchema = z.object({ reason: z.string().max(1000) });
export const ackSchema = z.object({ accepted: z.array(keyString), rejected: z.array(keyString) });

/** A validated coordinator → worker message. */
export type CoordinatorInbound =
  | { msg: 'welcome'; welcome: z.infer<typeof welcomeSchema> }
  | { msg: 'lease'; lease: z.infer<typeof leaseSchema> }
  | { msg: 'revoke'; revoke: z.infer<typeof revokeSchema> }
  | { msg: 'drain'; drain: z.infer<typeof drainSchema> }
  | { msg: 'ack'; ack: z.infer<typeof ackSchema> };

export const coordinatorMessageSchema: z.ZodType<CoordinatorInbound> = z.discriminatedUnion('msg', [
  z.object({ msg: z.literal('welcome'), welcome: welcomeSchema }),
  z.object({ msg: z.literal('lease'), lease: leaseSchema }),
  z.object({ msg: z.literal('revoke'), revoke: revokeSchema }),
  z.object({ msg: z.literal('drain'), drain: drainSchema }),
  z.object({ msg: z.literal('ack'), ack: ackSchema }),
]);

const KEY_RE = /^[0-9a-f]{64}$/;
const isInt = (x: unknown, min: number, max = Number.MAX_SAFE_INTEGER): x is number => Number.isInteger(x) && (x as number) >= min && (x as number) <= max;
const isId = (x: unknown): x is string => typeof x === 'string' && x.length >= 1 && x.length <= 200;

/**
 * A worker message validated as {@link workerMessageSchema} does: the stream's
 * frequent kinds (credit, results, heartbeat) by hand when they are valid,
 * which is most of a coordinator's inbound work; anything else, and anything
 * invalid, through the schema, for its error path.
 */
export function parseWorkerMessage(raw: unknown): WorkerInbound {
  const m = raw as { msg?: unknown; credit?: { tasks?: unknown }; heartbeat?: { busy?: unknown }; results?: { results?: unknown } };
  if (m !== null && typeof m === 'object') {
    if (m.msg === 'credit') {
      const tasks = m.credit?.tasks;
      if (isInt(tasks, 0, LIMITS.maxCredits)) return { msg: 'credit', credit: { tasks } };
    } else if (m.msg === 'heartbeat') {
      const busy = m.heartbeat?.busy;
      if (isInt(busy, 0)) return { msg: 'heartbeat', heartbeat: { busy } };
    } else if (m.msg === 'results') {
      const rs = m.results?.results;
      if (Array.isArray(rs) && rs.length <= LIMITS.maxCredits) {
        const results: { key: string; leaseId: string; attempt: number; result: unknown }[] = [];
        for (const r of rs as { key?: unknown; leaseId?: unknown; attempt?: unknown; result?: unknown }[]) {
          if (r === null || typeof r !== 'object' || typeof r.key !== 'string' || !KEY_RE.test(r.key) || !isId(r.leaseId) || !isInt(r.attempt, 1)) break;
          results.push({ key: r.key, leaseId: r.leaseId, attempt: r.attempt, result: r.result });
        }
        if (results.length === rs.length) return { msg: 'results', results: { results } };
      }
    }
  }
  return parseInbound(workerMessageSchema, raw, 'worker');
}

/**
 * A coordinator message validated as {@link coordinatorMessageSchema} does:
 * leases and acks (one per batch of tasks) by hand when they are valid; zod
 * took ~9 µs per leased task on the worker's main thread. Anything else, and
 * anything invalid, goes through the schema, for its error path.
 */
export function parseCoordinatorMessage(raw: unknown): CoordinatorInbound {
  const m = raw as { msg?: unknown; lease?: { leaseId?: unknown; tasks?: unknown }; ack?: { accepted?: unknown; rejected?: unknown } };
  if (m !== null && typeof m === 'object') {
    if (m.msg === 'lease' && m.lease && isId(m.lease.leaseId)) {
      const ts = m.lease.tasks;
      if (Array.isArray(ts) && ts.length <= LIMITS.maxCredits) {
        const tasks: { key: string; attempt: number; config: unknown }[] = [];
        for (const t of ts as { key?: unknown; attempt?: unknown; config?: unknown }[]) {
          if (t === null || typeof t !== 'object' || typeof t.key !== 'string' || !KEY_RE.test(t.key) || !isInt(t.attempt, 1) || t.config === null || typeof t.config !== 'object') break;
          tasks.push({ key: t.key, attempt: t.attempt, config: t.config });
        }
        if (tasks.length === ts.length) return { msg: 'lease', lease: { leaseId: m.lease.leaseId, tasks } };
      }
    } else if (m.msg === 'ack' && m.ack) {
      const { accepted, rejected } = m.ack;
      const keys = (xs: unknown): xs is string[] => Array.isArray(xs) && xs.every((k) => typeof k === 'string' && KEY_RE.test(k));
      if (keys(accepted) && keys(rejected)) return { msg: 'ack', ack: { accepted: [...accepted], rejected: [...rejected] } };
    }
  }
  return parseInbound(coordinatorMessageSchema, raw, 'coordinator');
}

/** Parses an inbound message or throws a {@link ProtocolError} (INVALID_MESSAGE) naming the problem. */
export function parseInbound<T>(schema: z.ZodType<T>, msg: unknown, what: string): T {
  const r = schema.safeParse(msg);
  if (!r.success) throw new ProtocolError('INVALID_MESSAGE', `invalid ${what} message: ${z.prettifyError(r.error)}`);
  return r.data;
}
