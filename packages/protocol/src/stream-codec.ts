// The hand-written protobuf codec of the worker stream's bulk messages,
// Results and Lease: the hot path of the wire, one message per task.
//
// Results leave a pool thread already encoded: the thread writes the protobuf
// bytes of its RunResult, and the worker's main thread only frames them into a
// Results message. On the coordinator the Results envelope is split by hand
// and each result decoded straight from its bytes, checked, and re-encoded
// canonically for the store. Leases are written from the resolved configs and
// split the same way on the worker. protobufjs (through grpc-js) built an
// object tree per message, converted it to the wire shape and encoded it
// again: together more CPU per task than the store's transaction. Every
// encoder writes exactly protobufjs's bytes (tests compare them). Imports
// nothing heavy: pool threads load this file through
// `@sdpo/protocol/stream-codec`.
import type { RunConfig, RunResult } from '@sdpo/sim';
import { ProtocolError, type ProtocolErrorCode } from './errors.js';
import { LIMITS } from './wire.js';

/**
 * A write position in a growable buffer. Nested messages are written in one
 * pass: their length byte is reserved, and patched (shifting the body when the
 * length needs more than one byte) once the body is written.
 */
interface Out {
  b: Buffer;
  o: number;
}

// One scratch buffer per thread (pool threads each load this module), grown as needed.
let scratch = Buffer.allocUnsafeSlow(1 << 16);

function writer(): Out {
  return { b: scratch, o: 0 };
}

/** Makes room for `n` more bytes. */
function room(w: Out, n: number): void {
  if (w.o + n <= w.b.length) return;
  const grown = Buffer.allocUnsafeSlow(Math.max(2 * w.b.length, w.o + n));
  w.b.copy(grown, 0, 0, w.o);
  w.b = grown;
  scratch = grown;
}

/** The written bytes as their own buffer (`unpooled` for bytes that cross threads: a pooled view would carry its whole 8 KiB slab). */
function finish(w: Out, unpooled = false): Buffer {
  const out = unpooled ? Buffer.allocUnsafeSlow(w.o) : Buffer.allocUnsafe(w.o);
  w.b.copy(out, 0, 0, w.o);
  return out;
}

/**
 * The protobuf bytes of `sdpo.v1.RunResult` for `r` (nulls as NaN, see
 * run.proto), exactly as protobufjs writes them: proto3 zero scalars, empty
 * strings and empty lists are left out, messages always written.
 */
export function encodeRunResult(r: RunResult): Uint8Array {
  const w = writer();
  writeResult(w, r);
  return finish(w, true);
}

/** One finished task as the worker reports it, its result already encoded. */
export interface EncodedResult {
  readonly key: string;
  readonly leaseId: string;
  readonly attempt: number;
  /** {@link encodeRunResult} bytes. */
  readonly result: Uint8Array;
}

/** The bytes of a `WorkerMessage` holding `Results` with these results, in order. */
export function encodeResultsMessage(results: readonly EncodedResult[]): Buffer {
  const w = writer();
  msg(w, 26, writeResults, results);
  return finish(w);
}

function writeResults(w: Out, results: readonly EncodedResult[]): void {
  for (const r of results) msg(w, 10, writeTaskResult, r);
}

function writeTaskResult(w: Out, r: EncodedResult): void {
  str(w, 10, r.key);
  str(w, 18, r.leaseId);
  uint(w, 24, r.attempt >>> 0);
  varint(w, 34);
  varint(w, r.result.length);
  room(w, r.result.length);
  w.b.set(r.result, w.o);
  w.o += r.result.length;
}

function writeResult(w: Out, r: RunResult): void {
  str(w, 10, r.simVersion);
  msg(w, 18, writeConfig, r.config);
  msg(w, 26, writeSummary, r.summary);
  msg(w, 34, writeCurves, r.curves);
  dbl(w, 41, r.timing.wallMs);
}

function writeConfig(w: Out, c: RunResult['config']): void {
  uint(w, 8, c.seed);
  str(w, 18, c.method);
  str(w, 26, c.feedback);
  dbl(w, 33, c.noise);
  uint(w, 40, c.vocab >>> 0);
  uint(w, 48, c.length >>> 0);
  uint(w, 56, c.group >>> 0);
  uint(w, 64, c.steps >>> 0);
  dbl(w, 73, c.lr);
  dbl(w, 81, c.kappa);
  dbl(w, 89, c.emaRate);
  str(w, 98, c.divergence);
  dbl(w, 105, c.jsdBeta);
  msg(w, 114, writeWeights, c.weights);
  dbl(w, 121, c.binaryQuantile);
  msg(w, 130, writeHybrid, c.hybrid);
  uint(w, 136, c.evalEvery >>> 0);
}

function writeWeights(w: Out, x: RunResult['config']['weights']): void {
  dbl(w, 9, x.local);
  dbl(w, 17, x.coherence);
  dbl(w, 25, x.global);
}

function writeHybrid(w: Out, x: RunResult['config']['hybrid']): void {
  dbl(w, 9, x.alphaMin);
  dbl(w, 17, x.alphaMax);
  uint(w, 24, x.warmup >>> 0);
}

function writeSummary(w: Out, s: RunResult['summary']): void {
  dbl(w, 9, s.finalReward);
  dbl(w, 17, s.initialReward);
  dbl(w, 25, s.aucReward);
  dbl(w, 33, s.entropyInitial);
  dbl(w, 41, s.entropyFinal);
  dbl(w, 49, s.entropyDrop);
  dbl(w, 57, s.creditCorr ?? Number.NaN);
  uint(w, 64, s.creditSteps >>> 0);
  dbl(w, 73, s.stepsTo90 ?? Number.NaN);
  dbl(w, 81, s.topSequenceProbFinal);
}

function writeCurves(w: Out, c: RunResult['curves']): void {
  doubles(w, 10, c.step);
  doubles(w, 18, c.reward);
  doubles(w, 26, c.entropy);
  doubles(w, 34, c.topSequenceProb);
  doubles(w, 42, c.credit);
  doubles(w, 50, c.kl);
  doubles(w, 58, c.alpha);
}

/** A varint of the non-negative integer `x` (< 2^53; tags included). */
function varint(w: Out, x: number): void {
  room(w, 8);
  const b = w.b;
  while (x >= 128) {
    b[w.o++] = (x % 128) | 128;
    x = Math.floor(x / 128);
  }
  b[w.o++] = x;
}

function uint(w: Out, tag: number, x: number): void {
  if (x === 0) return;
  varint(w, tag);
  varint(w, x);
}

function dbl(w: Out, tag: number, x: number): void {
  if (Object.is(x, 0)) return;
  varint(w, tag);
  room(w, 8);
  w.o = w.b.writeDoubleLE(x, w.o);
}

function str(w: Out, tag: number, s: string): void {
  if (s === '') return;
  varint(w, tag);
  const len = Buffer.byteLength(s);
  varint(w, len);
  room(w, len);
  w.o += w.b.write(s, w.o, 'utf8');
}

function doubles(w: Out, tag: number, xs: readonly (number | null)[]): void {
  if (!xs.length) return;
  varint(w, tag);
  varint(w, 8 * xs.length);
  room(w, 8 * xs.length);
  const b = w.b;
  let o = w.o;
  for (const x of xs) o = b.writeDoubleLE(x ?? Number.NaN, o);
  w.o = o;
}

function msg<T>(w: Out, tag: number, write: (w: Out, x: T) => void, x: T): void {
  varint(w, tag);
  room(w, 1);
  const at = w.o++;
  write(w, x);
  const len = w.o - at - 1;
  if (len < 128) {
    w.b[at] = len;
    return;
  }
  // A length of two or more bytes: move the body up to make room for it.
  let extra = 0;
  for (let x2 = len; x2 >= 128; x2 = Math.floor(x2 / 128)) extra++;
  room(w, extra);
  w.b.copy(w.b, at + 1 + extra, at + 1, w.o);
  const end = w.o + extra;
  w.o = at;
  varint(w, len);
  w.o = end;
}

// ---- decoding -------------------------------------------------------------------

/** The wire shape of a decoded result (NaN still standing for null), as {@link resultFromWire} checks it. */
export interface DecodedWireResult {
  simVersion: string;
  config: DecodedConfig;
  summary: Record<keyof RunResult['summary'], number>;
  curves: Record<keyof RunResult['curves'], number[]>;
  wallMs: number;
}

/** A config as decoded from the wire: every field typed, values not yet checked by the run schema. */
export interface DecodedConfig {
  seed: number; method: string; feedback: string; noise: number; vocab: number; length: number; group: number; steps: number;
  lr: number; kappa: number; emaRate: number; divergence: string; jsdBeta: number;
  weights: { local: number; coherence: number; global: number };
  binaryQuantile: number; hybrid: { alphaMin: number; alphaMax: number; warmup: number }; evalEvery: number;
}

/**
 * A read position over `b[o, end)`. A nested message narrows `end` (and
 * names itself in `path`) in place and restores both when it is read, so
 * decoding allocates nothing but the values it returns.
 */
interface In {
  readonly b: Buffer;
  o: number;
  end: number;
  /** Where in the message, for errors (`result.curves`). */
  path: string;
  /** The error code of a malformed message (INVALID_RESULT unless said). */
  readonly code?: ProtocolErrorCode;
}

const malformed = (r: In, what: string): never => {
  throw new ProtocolError(r.code ?? 'INVALID_RESULT', `${r.path}: malformed protobuf (${what}) at byte ${r.o}`);
};

const unexpected = (r: In, tag: number): never => malformed(r, `unexpected field ${Math.floor(tag / 8)} with wire type ${tag & 7}`);

function readVarint(r: In): number {
  let x = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    if (r.o >= r.end) return malformed(r, 'truncated varint');
    const byte = r.b[r.o++]!;
    x += (byte & 127) * scale;
    if (byte < 128) return x;
    scale *= 128;
  }
  // Eight 7-bit groups are 2^56: past every integer a result may hold (< 2^53).
  return malformed(r, 'varint longer than 8 bytes');
}

/** The length of the length-delimited value at `r.o`, checked against the end. */
function readLength(r: In): number {
  const len = readVarint(r);
  if (len > r.end - r.o) return malformed(r, 'length past the end');
  return len;
}

/** Narrows `r` to the nested message at its position; returns the outer end for {@link leave}. */
function enter(r: In, path: string): number {
  const len = readLength(r);
  const outer = r.end;
  r.end = r.o + len;
  r.path = path;
  return outer;
}

function leave(r: In, outerEnd: number, outerPath: string): void {
  r.end = outerEnd;
  r.path = outerPath;
}

function readString(r: In): string {
  const len = readLength(r);
  const s = r.b.toString('utf8', r.o, r.o + len);
  r.o += len;
  return s;
}

function readDouble(r: In): number {
  if (r.end - r.o < 8) return malformed(r, 'truncated double');
  const x = r.b.readDoubleLE(r.o);
  r.o += 8;
  return x;
}

function readDoubles(r: In, name: string): number[] {
  const len = readLength(r);
  if (len % 8 !== 0) {
    r.path = `${r.path}.${name}`;
    return malformed(r, 'packed doubles not a multiple of 8 bytes');
  }
  const out = new Array<number>(len / 8);
  const b = r.b;
  for (let i = 0, o = r.o; i < out.length; i++, o += 8) out[i] = b.readDoubleLE(o);
  r.o += len;
  return out;
}

function newConfig(): DecodedConfig {
  return {
    seed: 0, method: '', feedback: '', noise: 0, vocab: 0, length: 0, group: 0, steps: 0, lr: 0, kappa: 0, emaRate: 0,
    divergence: '', jsdBeta: 0, weights: { local: 0, coherence: 0, global: 0 }, binaryQuantile: 0,
    hybrid: { alphaMin: 0, alphaMax: 0, warmup: 0 }, evalEvery: 0,
  };
}

// Tags are (field number << 3) | wire type: 0 varint, 1 64-bit, 2 length-delimited.

/** Reads the fields of a RunConfig message (narrowed `r`) into `c`. */
function decodeConfig(r: In, c: DecodedConfig): void {
  while (r.o < r.end) {
    const tag = readVarint(r);
    switch (tag) {
      case 8: c.seed = readVarint(r); break;
      case 18: c.method = readString(r); break;
      case 26: c.feedback = readString(r); break;
      case 33: c.noise = readDouble(r); break;
      case 40: c.vocab = readVarint(r); break;
      case 48: c.length = readVarint(r); break;
      case 56: c.group = readVarint(r); break;
      case 64: c.steps = readVarint(r); break;
      case 73: c.lr = readDouble(r); break;
      case 81: c.kappa = readDouble(r); break;
      case 89: c.emaRate = readDouble(r); break;
      case 98: c.divergence = readString(r); break;
      case 105: c.jsdBeta = readDouble(r); break;
      case 114: {
        const path = r.path;
        const end = enter(r, `${path}.weights`);
        while (r.o < r.end) {
          const t = readVarint(r);
          if (t === 9) c.weights.local = readDouble(r);
          else if (t === 17) c.weights.coherence = readDouble(r);
          else if (t === 25) c.weights.global = readDouble(r);
          else unexpected(r, t);
        }
        leave(r, end, path);
        break;
      }
      case 121: c.binaryQuantile = readDouble(r); break;
      case 130: {
        const path = r.path;
        const end = enter(r, `${path}.hybrid`);
        while (r.o < r.end) {
          const t = readVarint(r);
          if (t === 9) c.hybrid.alphaMin = readDouble(r);
          else if (t === 17) c.hybrid.alphaMax = readDouble(r);
          else if (t === 24) c.hybrid.warmup = readVarint(r);
          else unexpected(r, t);
        }
        leave(r, end, path);
        break;
      }
      case 136: c.evalEvery = readVarint(r); break;
      default: unexpected(r, tag);
    }
  }
}

const SUMMARY_FIELDS = [
  'finalReward', 'initialReward', 'aucReward', 'entropyInitial', 'entropyFinal', 'entropyDrop', 'creditCorr', 'creditSteps',
  'stepsTo90', 'topSequenceProbFinal',
] as const;
const CURVE_FIELDS = ['step', 'reward', 'entropy', 'topSequenceProb', 'credit', 'kl', 'alpha'] as const;

/**
 * Decodes the protobuf bytes of `sdpo.v1.RunResult` into its wire shape
 * (absent fields take their proto3 defaults, as protobufjs gives them).
 * Structure only: unknown fields, wrong wire types, unpacked or truncated
 * data are refused with a {@link ProtocolError} (INVALID_RESULT) naming where;
 * values are for {@link resultFromWire} to check.
 */
export function decodeWireResult(bytes: Uint8Array, path = 'result'): DecodedWireResult {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r: In = { b, o: 0, end: b.length, path };
  const summary = { finalReward: 0, initialReward: 0, aucReward: 0, entropyInitial: 0, entropyFinal: 0, entropyDrop: 0, creditCorr: 0, creditSteps: 0, stepsTo90: 0, topSequenceProbFinal: 0 };
  const curves: DecodedWireResult['curves'] = { step: [], reward: [], entropy: [], topSequenceProb: [], credit: [], kl: [], alpha: [] };
  const out: DecodedWireResult = { simVersion: '', config: newConfig(), summary, curves, wallMs: 0 };
  while (r.o < r.end) {
    const tag = readVarint(r);
    switch (tag) {
      case 10: out.simVersion = readString(r); break;
      case 18: {
        const end = enter(r, `${path}.config`);
        out.config = newConfig();
        decodeConfig(r, out.config);
        leave(r, end, path);
        break;
      }
      case 26: {
        const end = enter(r, `${path}.summary`);
        while (r.o < r.end) {
          const t = readVarint(r);
          const k = SUMMARY_FIELDS[(t >> 3) - 1];
          if (k === undefined || (t & 7) !== (k === 'creditSteps' ? 0 : 1)) unexpected(r, t);
          summary[k!] = k === 'creditSteps' ? readVarint(r) : readDouble(r);
        }
        leave(r, end, path);
        break;
      }
      case 34: {
        const end = enter(r, `${path}.curves`);
        while (r.o < r.end) {
          const t = readVarint(r);
          const k = CURVE_FIELDS[(t >> 3) - 1];
          if (k === undefined || (t & 7) !== 2) unexpected(r, t);
          curves[k!] = readDoubles(r, k!);
        }
        leave(r, end, path);
        break;
      }
      case 41: out.wallMs = readDouble(r); break;
      default: unexpected(r, tag);
    }
  }
  return out;
}

/**
 * A result a worker sent as `bytes` for a lease of `config`, whose encoding
 * the lease carried as `leased` ({@link encodeLease}), accepted without
 * decoding it: its stored body and wall time, when the bytes are exactly what
 * {@link encodeRunResult} writes (as a worker writes them) for a result that
 * {@link resultFromBytes}(bytes, config) accepts. The body is then what
 * {@link encodeResultBody} would write: the same bytes with the trailing wall
 * time left out. Undefined otherwise, whether the bytes are invalid or only
 * not canonical (fields out of order or repeated, zero scalars written,
 * non-minimal varints, NaNs with other bits, a config that is not the leased
 * one byte for byte, …): the caller decodes and checks them in full, for an
 * error that says what is wrong, or a re-encoded body.
 *
 * Values are checked as the full check does: summary metrics finite (NaN, for
 * null, only in creditCorr and stepsTo90), curves of one length up to
 * {@link LIMITS}.maxCurvePoints, finite (NaN only in credit, kl and alpha),
 * the wall time finite and not negative, simVersion the coordinator's own.
 */
export function canonicalResult(bytes: Uint8Array, leased: Uint8Array, simVersion: string): { body: Uint8Array; wallMs: number } | undefined {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r: Scan = { b, o: 0 };
  // simVersion, the coordinator's own (so valid UTF-8, which reads back to the same bytes), then the three messages, always written.
  if (b[r.o++] !== 10) return undefined;
  const versionLen = scanLength(r, b.length);
  if (versionLen <= 0 || versionLen !== Buffer.byteLength(simVersion) || b.toString('utf8', r.o, r.o + versionLen) !== simVersion) return undefined;
  r.o += versionLen;
  if (b[r.o++] !== 18) return undefined;
  const configLen = scanLength(r, b.length);
  if (configLen < 0 || configLen !== leased.length || b.compare(leased, 0, configLen, r.o, r.o + configLen) !== 0) return undefined;
  r.o += configLen;
  if (b[r.o++] !== 26) return undefined;
  const summaryLen = scanLength(r, b.length);
  if (summaryLen < 0 || !scanSummary(r, r.o + summaryLen)) return undefined;
  if (b[r.o++] !== 34) return undefined;
  const curvesLen = scanLength(r, b.length);
  if (curvesLen < 0 || !scanCurves(r, r.o + curvesLen)) return undefined;
  const body = b.subarray(0, r.o);
  if (r.o === b.length) return { body, wallMs: 0 };
  // The wall time, last and not +0 (which is not written); the stored body leaves it out.
  if (b[r.o++] !== 41 || b.length - r.o !== 8 || !scanDouble(b, r.o)) return undefined;
  const wallMs = b.readDoubleLE(r.o);
  return wallMs > 0 && wallMs < Number.POSITIVE_INFINITY ? { body, wallMs } : undefined;
}

/** A position in bytes being checked for canonical form. */
interface Scan {
  readonly b: Buffer;
  o: number;
}

/** A minimal varint (as {@link varint} writes it) at `r.o` ending by `end`, or -1. */
function scanVarint(r: Scan, end: number): number {
  let x = 0;
  let scale = 1;
  for (let i = 0; i < 8 && r.o < end; i++) {
    const byte = r.b[r.o++]!;
    x += (byte & 127) * scale;
    if (byte < 128) return byte === 0 && i > 0 ? -1 : x;
    scale *= 128;
  }
  return -1;
}

/** A length (minimal varint) whose bytes fit before `end`, or -1. */
function scanLength(r: Scan, end: number): number {
  const len = scanVarint(r, end);
  return len >= 0 && len <= end - r.o ? len : -1;
}

/** The 8 bytes at `o` as {@link dbl} writes a scalar: not ±0 (+0 is left out; -0 is refused too), a NaN only as Number.NaN's bits. */
function scanDouble(b: Buffer, o: number): boolean {
  const x = b.readDoubleLE(o);
  if (x === 0) return false;
  return x === x || (b.readUInt32LE(o) === NAN_LO && b.readUInt32LE(o + 4) === NAN_HI);
}

const NAN_BITS = Buffer.alloc(8);
NAN_BITS.writeDoubleLE(Number.NaN);
const NAN_LO = NAN_BITS.readUInt32LE(0);
const NAN_HI = NAN_BITS.readUInt32LE(4);

/**
 * Summary fields as {@link writeSummary} writes them: in field order, zeros left out;
 * finite, but for creditCorr (tag 57) and stepsTo90 (tag 73), which may be NaN (null).
 */
function scanSummary(r: Scan, end: number): boolean {
  let last = 0;
  while (r.o < end) {
    const tag = r.b[r.o++]!;
    if (tag <= last || tag >= 128) return false;
    last = tag;
    if (tag === 64) {
      // creditSteps, written as a uint32.
      const x = scanVarint(r, end);
      if (x <= 0 || x >= 2 ** 32) return false;
    } else {
      if ((tag & 7) !== 1 || tag === 65 || tag > 81 || end - r.o < 8 || !scanDouble(r.b, r.o)) return false;
      const x = r.b.readDoubleLE(r.o);
      if (x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY || (x !== x && tag !== 57 && tag !== 73)) return false;
      r.o += 8;
    }
  }
  return r.o === end;
}

/**
 * Curves as {@link writeCurves} writes them: packed, in field order, empty ones left out,
 * NaN only with Number.NaN's bits; all seven of one length, at most
 * {@link LIMITS}.maxCurvePoints; finite, but for credit, kl and alpha (tags 42, 50, 58),
 * which may be NaN (null).
 */
function scanCurves(r: Scan, end: number): boolean {
  let last = 0;
  let points = -1;
  let written = 0;
  while (r.o < end) {
    const tag = r.b[r.o++]!;
    if (tag <= last || (tag & 7) !== 2 || tag > 58) return false;
    last = tag;
    written++;
    const len = scanLength(r, end);
    if (len <= 0 || len % 8 !== 0) return false;
    if (points === -1) points = len / 8;
    else if (len / 8 !== points) return false;
    const nullable = tag >= 42;
    for (const stop = r.o + len; r.o < stop; r.o += 8) {
      const x = r.b.readDoubleLE(r.o);
      if (x !== x) {
        if (!nullable || r.b.readUInt32LE(r.o) !== NAN_LO || r.b.readUInt32LE(r.o + 4) !== NAN_HI) return false;
      } else if (x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY) return false;
    }
  }
  // Every curve written (an empty one is left out, and then all are empty).
  return r.o === end && (written === 7 || written === 0) && points <= LIMITS.maxCurvePoints;
}

/**
 * The body of an envelope message (WorkerMessage, CoordinatorMessage) whose
 * only field is the oneof member with `tag`; undefined for any other message.
 */
function oneofBody(bytes: Uint8Array, tag: number, path: string): In | undefined {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length === 0 || b[0] !== tag) return undefined;
  const r: In = { b, o: 1, end: b.length, path };
  const len = readLength(r);
  // Anything after that field (another oneof member) makes the message ambiguous: the caller decodes it the slow way.
  if (r.o + len !== b.length) return undefined;
  return r;
}

/** One result of a Results message, its RunResult still as bytes. */
export interface ResultFrame {
  readonly key: string;
  readonly leaseId: string;
  readonly attempt: number;
  readonly result: Uint8Array;
}

/**
 * Splits the bytes of a `WorkerMessage` that holds `Results` into its
 * results without decoding them; undefined when the message is another kind
 * (the caller decodes those in full). Throws a {@link ProtocolError} when a
 * Results message is malformed.
 */
export function splitResultsMessage(bytes: Uint8Array): ResultFrame[] | undefined {
  // Field 3 (results), length-delimited: the tag byte 26.
  const r = oneofBody(bytes, 26, 'results');
  if (!r) return undefined;
  const out: ResultFrame[] = [];
  while (r.o < r.end) {
    const tag = readVarint(r);
    if (tag !== 10) unexpected(r, tag);
    const end = enter(r, `results[${out.length}]`);
    let key = '';
    let leaseId = '';
    let attempt = 0;
    let result: Uint8Array = Buffer.alloc(0);
    while (r.o < r.end) {
      const t = readVarint(r);
      if (t === 10) key = readString(r);
      else if (t === 18) leaseId = readString(r);
      else if (t === 24) attempt = readVarint(r);
      else if (t === 34) {
        const len = readLength(r);
        result = r.b.subarray(r.o, r.o + len);
        r.o += len;
      } else unexpected(r, t);
    }
    leave(r, end, 'results');
    out.push({ key, leaseId, attempt, result });
  }
  return out;
}

// ---- leases ---------------------------------------------------------------------

/** One task of a Lease: its key, the attempt it is leased as, and its resolved config. */
export interface LeaseTask {
  readonly key: string;
  readonly attempt: number;
  readonly config: RunConfig;
}

/** The bytes of a `CoordinatorMessage` holding the Lease `leaseId` of `tasks`, in order. */
export function encodeLeaseMessage(leaseId: string, tasks: readonly LeaseTask[]): Buffer {
  const w = writer();
  msg(w, 18, writeLease, { leaseId, tasks });
  return finish(w);
}

/**
 * A Lease message as {@link encodeLeaseMessage} writes it, and each task's config
 * encoding as a view of it: what its result must carry byte for byte ({@link canonicalResult}).
 */
export function encodeLease(leaseId: string, tasks: readonly LeaseTask[]): { bytes: Buffer; configs: Uint8Array[] } {
  const bytes = encodeLeaseMessage(leaseId, tasks);
  return { bytes, configs: splitLeaseMessage(bytes)!.tasks.map((t) => t.config) };
}

/** The protobuf bytes of `sdpo.v1.RunConfig` for `config`, as a Lease or a result carries them. */
export function encodeConfig(config: RunConfig): Buffer {
  const w = writer();
  writeConfig(w, config);
  return finish(w);
}

function writeLease(w: Out, l: { leaseId: string; tasks: readonly LeaseTask[] }): void {
  str(w, 10, l.leaseId);
  for (const t of l.tasks) msg(w, 18, writeTask, t);
}

function writeTask(w: Out, t: LeaseTask): void {
  str(w, 10, t.key);
  uint(w, 16, t.attempt >>> 0);
  msg(w, 26, writeConfig, t.config);
}

/**
 * Items written back to back into one buffer, item `i` at `[offsets[i], offsets[i + 1])`:
 * one buffer crosses threads as one copy, where each object took a structured clone of its own.
 */
export interface Packed {
  readonly bytes: Uint8Array;
  readonly offsets: Uint32Array;
}

/** Configs packed for a pool thread: their RunConfig bytes. */
export type PackedConfigs = Packed;

function pack<T>(items: readonly T[], write: (w: Out, x: T) => void): Packed {
  const w = writer();
  const offsets = new Uint32Array(items.length + 1);
  items.forEach((x, i) => {
    write(w, x);
    offsets[i + 1] = w.o;
  });
  return { bytes: finish(w, true), offsets };
}

/**
 * Packs configs for a pool thread (see {@link unpackConfig}): a config's bytes as they
 * came in a Lease ({@link splitLeaseMessage}) are copied as they are, a decoded one is encoded.
 */
export function packConfigs(configs: readonly (Uint8Array | DecodedConfig)[]): PackedConfigs {
  return pack(configs, (w, c) => {
    if (c instanceof Uint8Array) {
      room(w, c.length);
      w.b.set(c, w.o);
      w.o += c.length;
    } else writeConfig(w, c as unknown as RunConfig);
  });
}

/**
 * Config `i` of packed configs, decoded (structure only; the run schema checks values).
 * Malformed bytes (a Lease's config is decoded only here) throw INVALID_MESSAGE.
 */
export function unpackConfig(packed: PackedConfigs, i: number): DecodedConfig {
  return readConfig(packed.bytes, packed.offsets[i]!, packed.offsets[i + 1]!);
}

/** A config's bytes (as a split Lease gives them) decoded, as {@link unpackConfig} decodes them. */
export function decodeConfigBytes(bytes: Uint8Array): DecodedConfig {
  return readConfig(bytes, 0, bytes.length);
}

function readConfig(bytes: Uint8Array, start: number, end: number): DecodedConfig {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r: In = { b, o: start, end, path: 'leased config', code: 'INVALID_MESSAGE' };
  const c = newConfig();
  decodeConfig(r, c);
  return c;
}

/** Results packed by a pool thread: their {@link encodeRunResult} bytes (empty for a failed task). */
export type PackedResults = Packed;

/** Encodes results (`undefined` for a failed task) back to back into one buffer, each as {@link encodeRunResult} would. */
export function packResults(results: readonly (RunResult | undefined)[]): PackedResults {
  return pack(results, (w, r) => {
    if (r) writeResult(w, r);
  });
}

/**
 * A Lease as split by hand. Each task's config stays the bytes it came as: the pool
 * thread that runs it decodes it ({@link unpackConfig}) and the run schema checks it,
 * so a malformed config fails its own task, and the worker's busy main thread never
 * decodes and re-encodes it.
 */
export interface LeaseFrame {
  readonly leaseId: string;
  readonly tasks: { key: string; attempt: number; config: Uint8Array }[];
}

const EMPTY = new Uint8Array(0);

/**
 * Decodes the bytes of a `CoordinatorMessage` that holds a `Lease`;
 * undefined when the message is another kind (decoded in full by the
 * caller). Throws a {@link ProtocolError} when a Lease is malformed.
 */
export function splitLeaseMessage(bytes: Uint8Array): LeaseFrame | undefined {
  // Field 2 (lease), length-delimited: the tag byte 18.
  const r = oneofBody(bytes, 18, 'lease');
  if (!r) return undefined;
  let leaseId = '';
  const tasks: LeaseFrame['tasks'] = [];
  while (r.o < r.end) {
    const tag = readVarint(r);
    if (tag === 10) {
      leaseId = readString(r);
      continue;
    }
    if (tag !== 18) unexpected(r, tag);
    const path = `lease.tasks[${tasks.length}]`;
    const end = enter(r, path);
    const task: LeaseFrame['tasks'][number] = { key: '', attempt: 0, config: EMPTY };
    while (r.o < r.end) {
      const t = readVarint(r);
      if (t === 10) task.key = readString(r);
      else if (t === 16) task.attempt = readVarint(r);
      else if (t === 26) {
        // A repeated message field merges (as protobufjs decodes it): its bytes concatenate.
        const len = readLength(r);
        const bytes = r.b.subarray(r.o, r.o + len);
        task.config = task.config.length ? Buffer.concat([task.config, bytes]) : bytes;
        r.o += len;
      } else unexpected(r, t);
    }
    leave(r, end, 'lease');
    tasks.push(task);
  }
  return { leaseId, tasks };
}
