// Results leave a pool thread already encoded: the thread writes the protobuf
// bytes of its RunResult, and the main thread only frames them into a Results
// message. Cloning a result's object tree across threads, converting it to
// the wire shape and encoding it there cost the main thread (which also runs
// the gRPC stream, and in embedded mode the coordinator) more than anything
// else per task. Imports nothing but types: pool threads load this file.
import type { RunResult } from '@sdpo/sim';

/** A write position; `b` null only measures. */
interface Out {
  b: Buffer | null;
  o: number;
}

/**
 * The protobuf bytes of `sdpo.v1.RunResult` for `r` (nulls as NaN, see
 * run.proto), exactly as protobufjs writes them: proto3 zero scalars, empty
 * strings and empty lists are left out, messages always written.
 */
export function encodeRunResult(r: RunResult): Uint8Array {
  const m: Out = { b: null, o: 0 };
  writeResult(m, r);
  // Not from Buffer's shared pool: the bytes cross threads, and a pooled view would carry its whole 8 KiB slab.
  const w: Out = { b: Buffer.allocUnsafeSlow(m.o), o: 0 };
  writeResult(w, r);
  return w.b!;
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
  const m: Out = { b: null, o: 0 };
  writeResults(m, results);
  const inner = m.o;
  const w: Out = { b: null, o: 0 };
  varint(w, 26);
  varint(w, inner);
  w.b = Buffer.allocUnsafe(w.o + inner);
  w.o = 0;
  varint(w, 26);
  varint(w, inner);
  writeResults(w, results);
  return w.b;
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
  if (w.b) w.b.set(r.result, w.o);
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
  const b = w.b;
  if (!b) {
    w.o++;
    while (x >= 128) {
      x = Math.floor(x / 128);
      w.o++;
    }
    return;
  }
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
  if (w.b) w.b.writeDoubleLE(x, w.o);
  w.o += 8;
}

function str(w: Out, tag: number, s: string): void {
  if (s === '') return;
  varint(w, tag);
  const len = Buffer.byteLength(s);
  varint(w, len);
  if (w.b) w.b.write(s, w.o, 'utf8');
  w.o += len;
}

function doubles(w: Out, tag: number, xs: readonly (number | null)[]): void {
  if (!xs.length) return;
  varint(w, tag);
  varint(w, 8 * xs.length);
  const b = w.b;
  if (!b) {
    w.o += 8 * xs.length;
    return;
  }
  let o = w.o;
  for (const x of xs) o = b.writeDoubleLE(x ?? Number.NaN, o);
  w.o = o;
}

function msg<T>(w: Out, tag: number, write: (w: Out, x: T) => void, x: T): void {
  varint(w, tag);
  const m: Out = { b: null, o: 0 };
  write(m, x);
  varint(w, m.o);
  write(w, x);
}
