import test from 'ava';
import { decodeResultBody, encodeResultBody, resultFromBytes } from './codec.js';
import { ProtocolError } from './errors.js';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { packageDefinition, PROTO_FILES, PROTO_ROOT } from './loader.js';
import { resultFromWire, resultToWire } from './wire.js';
import { createStream, resolveRunConfig, runSimulation, SIM_VERSION, type RunResult } from '@sdpo/sim';
import { canonicalResult, decodeConfigBytes, decodeWireResult, encodeConfig, encodeLease, encodeLeaseMessage, encodeResultsMessage, encodeRunResult, packConfigs, packResults, splitLeaseMessage, splitResultsMessage, unpackConfig, type LeaseFrame } from './stream-codec.js';

type Connect = { requestSerialize: (x: object) => Buffer; requestDeserialize: (b: Buffer) => { results: { results: { result: unknown }[] } } };
const connect = () => (packageDefinition()['sdpo.v1.WorkerService'] as unknown as Record<string, Connect>)['Connect']!;

const results: RunResult[] = [
  runSimulation(resolveRunConfig({ seed: 0, method: 'reinforce', feedback: 'binary', noise: 0, steps: 1, vocab: 3, length: 2, group: 2 })),
  runSimulation(resolveRunConfig({ seed: 123_456_789_012, method: 'hybrid', feedback: 'ordinal', noise: 0.3, steps: 12, evalEvery: 4 })),
];
const odd: RunResult = {
  ...results[0]!,
  simVersion: `${SIM_VERSION}-é✓`,
  summary: { ...results[0]!.summary, creditCorr: null, stepsTo90: null, creditSteps: 300, finalReward: -0, aucReward: 0 },
  curves: { step: [], reward: [], entropy: [], topSequenceProb: [], credit: [], kl: [], alpha: [] },
  timing: { wallMs: 0 },
};

test('pre-encoded Results messages are byte-identical to the ones encoded from wire objects', (t) => {
  const all = [...results, odd];
  const tasks = all.map((r, i) => ({ key: String(i).repeat(64), leaseId: `epoch-${i}`, attempt: i + 1 }));
  const fast = encodeResultsMessage(all.map((r, i) => ({ ...tasks[i]!, result: encodeRunResult(r) })));
  const slow = connect().requestSerialize({ results: { results: all.map((r, i) => ({ ...tasks[i]!, result: resultToWire(r) })) } });
  t.deepEqual(fast, slow);
});

test('a pre-encoded Results message passes the stream serializer unchanged and decodes to the same results', (t) => {
  const bytes = encodeResultsMessage(results.map((r, i) => ({ key: 'a'.repeat(64), leaseId: 'l', attempt: i + 1, result: encodeRunResult(r) })));
  const c = connect();
  t.deepEqual(c.requestSerialize(bytes), bytes);
  const back = c.requestDeserialize(bytes);
  t.deepEqual(back.results.results.map((x) => resultFromBytes(x.result as Uint8Array)), results);
});

/** protobufjs's own decoding of RunResult bytes, with the loader's options. */
const protobufjsDecode = (bytes: Uint8Array): unknown => {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : join(PROTO_ROOT, target));
  root.loadSync([...PROTO_FILES]);
  const T = root.lookupType('sdpo.v1.RunResult');
  return T.toObject(T.decode(bytes), { longs: Number, enums: String, defaults: true, arrays: true, objects: true });
};

test('the hand decoder reads a result exactly as protobufjs does, defaults and NaN included', (t) => {
  for (const r of [...results, odd]) {
    const bytes = encodeRunResult(r);
    t.deepEqual(decodeWireResult(bytes), protobufjsDecode(bytes));
    t.deepEqual(resultFromBytes(bytes), r);
  }
  // A stored body (wall time zeroed) reads back with the wall time of its column.
  t.deepEqual(decodeResultBody(encodeResultBody(results[1]!), 12.5), { ...results[1]!, timing: { wallMs: 12.5 } });
});

test('a Results message splits into its results, their RunResults left as bytes; other messages are not split', (t) => {
  const frames = results.map((r, i) => ({ key: String(i).repeat(64), leaseId: `epoch-${i}`, attempt: i + 1, result: encodeRunResult(r) }));
  const split = splitResultsMessage(encodeResultsMessage(frames));
  t.deepEqual(split?.map((f) => ({ ...f, result: Buffer.from(f.result) })), frames.map((f) => ({ ...f, result: Buffer.from(f.result) })));
  t.deepEqual(splitResultsMessage(encodeResultsMessage([])), []);
  const c = connect();
  t.is(splitResultsMessage(c.requestSerialize({ credit: { tasks: 3 } })), undefined);
  t.is(splitResultsMessage(c.requestSerialize({ heartbeat: { busy: 1 } })), undefined);
});

test('malformed result bytes are refused with INVALID_RESULT naming where, never another error', (t) => {
  const bytes = Buffer.from(encodeRunResult(results[1]!));
  const refusedOrDecoded = (b: Uint8Array) => {
    try {
      resultFromBytes(b);
    } catch (err) {
      t.true(err instanceof ProtocolError && err.code === 'INVALID_RESULT', String(err));
    }
  };
  // Every truncation: the cut falls inside a field (refused) or between fields (then the checks refuse what is missing).
  for (let n = 0; n < bytes.length; n++) refusedOrDecoded(bytes.subarray(0, n));
  // Every single-byte corruption, with a seeded choice of value.
  const rnd = createStream(7, 'noise');
  for (let i = 0; i < bytes.length; i++) {
    const b = Buffer.from(bytes);
    b[i] = Math.floor(rnd.uniform() * 256);
    refusedOrDecoded(b);
  }
  const unknownField = Buffer.concat([bytes, Buffer.from([0x30, 0x01])]);
  t.throws(() => decodeWireResult(unknownField), { message: /^result: malformed protobuf \(unexpected field 6 with wire type 0\)/ });
  const unpacked = Buffer.from([0x22, 0x09, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
  t.throws(() => decodeWireResult(unpacked), { message: /^result\.curves: malformed protobuf \(unexpected field 1 with wire type 1\)/ });
  t.throws(() => splitResultsMessage(Buffer.from([26, 5, 10, 3, 97])), { message: /length past the end/ });
});

test('a Lease encodes by hand and splits back to the same tasks, configs as their bytes; other coordinator messages are not split', (t) => {
  const tasks = results.map((r, i) => ({ key: String(i + 4).repeat(64), attempt: i + 1, config: r.config }));
  const bytes = encodeLeaseMessage('epoch-7', tasks);
  /** A split Lease with its configs decoded as a pool thread decodes them. */
  const decoded = (lease: { leaseId: string; tasks: { key: string; attempt: number; config: Uint8Array }[] }) => ({
    leaseId: lease.leaseId,
    tasks: lease.tasks.map((x) => ({ ...x, config: decodeConfigBytes(x.config) })),
  });
  const split = splitLeaseMessage(bytes)!;
  t.deepEqual(decoded(split), { leaseId: 'epoch-7', tasks });
  // Each config's bytes are exactly its encoding, as packConfigs writes a decoded config; encodeLease gives the same views.
  split.tasks.forEach((x, i) => t.deepEqual(Buffer.from(x.config), Buffer.from(packConfigs([decodeWireResult(encodeRunResult(results[i]!)).config]).bytes)));
  split.tasks.forEach((x, i) => t.deepEqual(Buffer.from(x.config), encodeConfig(results[i]!.config)));
  const viaLease = encodeLease('epoch-7', tasks);
  t.deepEqual(viaLease.bytes, bytes);
  t.deepEqual(viaLease.configs.map((c) => Buffer.from(c)), split.tasks.map((x) => Buffer.from(x.config)));
  // Protobuf merges a message field sent twice; so does the split (the bytes concatenate).
  const one = Buffer.from(encodeLeaseMessage('epoch-8', [tasks[1]!]));
  const [leaseField] = fieldsOf(one);
  const [idField, taskField] = fieldsOf(unwrap(leaseField!.value));
  const [keyField, attemptField, configField] = fieldsOf(unwrap(taskField!.value));
  const cfg = fieldsOf(unwrap(configField!.value));
  const halves = [cfg.slice(0, 5), cfg.slice(5)].map((f) => ({ tag: [26], value: delimited(bytesOf(f)) }));
  const task = { tag: taskField!.tag, value: delimited(bytesOf([keyField!, attemptField!, ...halves])) };
  const twice = bytesOf([{ tag: leaseField!.tag, value: delimited(bytesOf([idField!, task])) }]);
  t.deepEqual(decoded(splitLeaseMessage(twice)!), { leaseId: 'epoch-8', tasks: [tasks[1]!] });
  type Connect = { responseSerialize: (x: object) => Buffer; responseDeserialize: (b: Buffer) => unknown };
  const c = (packageDefinition()['sdpo.v1.WorkerService'] as unknown as Record<string, Connect>)['Connect']!;
  t.deepEqual(decoded((c.responseDeserialize(bytes) as { lease: LeaseFrame }).lease), { leaseId: 'epoch-7', tasks });
  t.is(splitLeaseMessage(c.responseSerialize({ ack: { accepted: [], rejected: ['a'.repeat(64)] } })), undefined);
  for (let n = 1; n < bytes.length; n += 7) {
    try {
      splitLeaseMessage(bytes.subarray(0, n));
    } catch (err) {
      t.true(err instanceof ProtocolError, String(err));
    }
  }
});

// ---- canonicalResult -----------------------------------------------------------

/** A message as its fields: tag bytes and value bytes (length prefix included), in order. */
type Fields = { tag: number[]; value: Buffer }[];
const varintBytes = (x: number, pad = 0): number[] => {
  const out: number[] = [];
  while (x >= 128) {
    out.push((x % 128) | 128);
    x = Math.floor(x / 128);
  }
  out.push(x);
  // `pad` extra bytes: the same number as a non-minimal varint.
  for (let i = 0; i < pad; i++) {
    out[out.length - 1]! |= 128;
    out.push(0);
  }
  return out;
};
function fieldsOf(b: Buffer): Fields {
  const out: Fields = [];
  let o = 0;
  const readV = () => {
    let x = 0;
    let s = 1;
    for (;;) {
      const byte = b[o++]!;
      x += (byte & 127) * s;
      if (byte < 128) return x;
      s *= 128;
    }
  };
  while (o < b.length) {
    const start = o;
    const tag = readV();
    const tagBytes = [...b.subarray(start, o)];
    const vStart = o;
    if ((tag & 7) === 0) readV();
    else if ((tag & 7) === 1) o += 8;
    else {
      const len = readV();
      o += len;
    }
    out.push({ tag: tagBytes, value: b.subarray(vStart, o) });
  }
  return out;
}
const bytesOf = (f: Fields) => Buffer.concat(f.flatMap((x) => [Buffer.from(x.tag), x.value]));
/** A length-delimited value (length prefix included) around `body`, its length padded to `pad` extra bytes. */
const delimited = (body: Buffer, pad = 0) => Buffer.concat([Buffer.from(varintBytes(body.length, pad)), body]);
/** The body of a length-delimited value (its length prefix skipped). */
const unwrap = (value: Buffer) => {
  let o = 0;
  while (value[o]! >= 128) o++;
  return value.subarray(o + 1);
};

test('a result sent as its canonical bytes is stored without re-encoding: the body is exactly what re-encoding writes', (t) => {
  const bases = [
    ...results,
    runSimulation(resolveRunConfig({ seed: 5, method: 'sdpo', feedback: 'binary', noise: 0.1, steps: 6, evalEvery: 2, vocab: 4, length: 3 })),
    {
      ...results[1]!,
      summary: { ...results[1]!.summary, creditCorr: null, stepsTo90: null },
      curves: { ...results[1]!.curves, credit: results[1]!.curves.credit.map((x, i) => (i === 0 ? null : i === 1 ? -0 : x)), kl: results[1]!.curves.kl.map(() => null) },
    },
  ];
  for (const r of bases) {
    for (const wallMs of [0, 3.25]) {
      const bytes = encodeRunResult({ ...r, timing: { wallMs } });
      const fast = canonicalResult(bytes, encodeConfig(r.config), r.simVersion);
      t.truthy(fast, 'a worker\'s own encoding takes the fast path');
      t.deepEqual(Buffer.from(fast!.body), Buffer.from(encodeResultBody(resultFromBytes(bytes, r.config))));
      t.is(fast!.wallMs, wallMs);
    }
    // Leased another config: never the fast path.
    t.is(canonicalResult(encodeRunResult(r), encodeConfig({ ...r.config, seed: r.config.seed + 1 }), r.simVersion), undefined);
    t.is(canonicalResult(encodeRunResult(r), encodeConfig(r.config), `${r.simVersion}x`), undefined);
  }
});

test('bytes that decode to a valid result but are not canonical take the re-encoding path, and any fast-path body equals the re-encoding', (t) => {
  const r = results[1]!;
  const config = r.config;
  const leased = encodeConfig(config);
  const bytes = Buffer.from(encodeRunResult({ ...r, timing: { wallMs: 7.5 } }));
  let fast = 0;
  let checked = 0;
  /**
   * The property: bytes that are not a valid result of this lease never take the fast path;
   * when they are, a fast-path body (if any) is the re-encoding, with the same wall time.
   */
  const check = (b: Buffer, mustRefuse = false, which = -1) => {
    let valid: RunResult;
    try {
      valid = resultFromBytes(b, config);
    } catch {
      t.is(canonicalResult(b, leased, r.simVersion), undefined, `invalid variant ${which} is refused`);
      return;
    }
    checked++;
    const accepted = canonicalResult(b, leased, r.simVersion);
    if (mustRefuse) t.is(accepted, undefined, `variant ${which} is refused`);
    if (accepted === undefined) return;
    fast++;
    t.deepEqual(Buffer.from(accepted.body), Buffer.from(encodeResultBody(valid)));
    t.is(accepted.wallMs, valid.timing.wallMs);
  };
  // Every truncation and every single-byte corruption (seeded values).
  for (let n = 0; n <= bytes.length; n++) check(bytes.subarray(0, n));
  const rnd = createStream(11, 'noise');
  for (let i = 0; i < bytes.length; i++) {
    for (let k = 0; k < 3; k++) {
      const b = Buffer.from(bytes);
      b[i] = Math.floor(rnd.uniform() * 256);
      check(b);
    }
  }
  // Structural changes that keep the decoded result valid, each refused.
  const top = fieldsOf(bytes);
  const [sv, cfg, summary, curves, wall] = top;
  const sub = (f: { value: Buffer }) => fieldsOf(unwrap(f.value));
  const withSub = (i: number, fields: Fields, pad = 0) => bytesOf(top.map((f, j) => (j === i ? { tag: f.tag, value: delimited(bytesOf(fields), pad) } : f)));
  const zero = Buffer.alloc(8);
  const negZero = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x80]);
  const otherNan = Buffer.from([1, 0, 0, 0, 0, 0, 0xf8, 0x7f]);
  const sFields = sub(summary!);
  const cFields = sub(curves!);
  t.true(sFields.length >= 5 && cFields.length >= 5, `${sFields.length} summary fields, ${cFields.length} curves`);
  const refused: Buffer[] = [
    bytesOf([cfg!, sv!, summary!, curves!, wall!]), // fields out of order
    bytesOf([sv!, cfg!, summary!, summary!, curves!, wall!]), // a message repeated
    bytesOf([sv!, cfg!, summary!, curves!, wall!, wall!]), // wall time repeated
    bytesOf([sv!, cfg!, summary!, wall!, curves!]), // wall time not last
    bytesOf([sv!, cfg!, curves!, wall!]), // summary left out (all zero: written empty)
    bytesOf([sv!, cfg!, summary!, curves!, { tag: [41], value: zero }]), // wall time written as +0
    bytesOf([sv!, cfg!, summary!, curves!, { tag: [41], value: negZero }]), // -0
    withSub(2, sFields, 1), // summary length as a non-minimal varint
    withSub(2, [...sFields.slice(0, 2), { tag: [25], value: zero }, ...sFields.slice(3)].filter((f, i, a) => a.findIndex((g) => g.tag[0] === f.tag[0]) === i).sort((x, y) => x.tag[0]! - y.tag[0]!)), // a zero written
    withSub(2, [sFields[1]!, sFields[0]!, ...sFields.slice(2)]), // summary fields out of order
    withSub(3, [cFields[0]!, cFields[0]!, ...cFields.slice(1)]), // a curve repeated
    withSub(3, cFields.map((f) => (f.tag[0] === 10 ? { tag: f.tag, value: delimited(unwrap(f.value), 1) } : f))), // a curve's length padded
  ];
  // A null point whose NaN has other bits (in credit, which may hold nulls).
  const credit = cFields.find((f) => f.tag[0] === 42);
  if (credit) {
    const v = Buffer.from(credit.value);
    const at = v.length - 8;
    otherNan.copy(v, at);
    refused.push(withSub(3, cFields.map((f) => (f === credit ? { tag: f.tag, value: v } : f))));
  }
  refused.forEach((b, i) => check(b, true, i));
  t.true(checked > 300, `${checked} valid variants checked`);
  t.true(fast > 100, `${fast} took the fast path`);
});

test('a result with a value the full check refuses never takes the fast path, whatever its encoding', (t) => {
  const r = results[1]!;
  const n = r.curves.step.length;
  t.true(n >= 3);
  const variants: [string, RunResult][] = [];
  const summaryKeys = ['finalReward', 'initialReward', 'aucReward', 'entropyInitial', 'entropyFinal', 'entropyDrop', 'creditCorr', 'stepsTo90', 'topSequenceProbFinal'] as const;
  for (const k of summaryKeys) {
    for (const x of [Infinity, -Infinity, Number.NaN]) {
      // NaN is how null travels, so it is valid where the metric may be null.
      if (Number.isNaN(x) && (k === 'creditCorr' || k === 'stepsTo90')) continue;
      variants.push([`summary.${k} = ${x}`, { ...r, summary: { ...r.summary, [k]: x } }]);
    }
  }
  const curveKeys = ['step', 'reward', 'entropy', 'topSequenceProb', 'credit', 'kl', 'alpha'] as const;
  for (const k of curveKeys) {
    for (const x of [Infinity, -Infinity, Number.NaN]) {
      if (Number.isNaN(x) && (k === 'credit' || k === 'kl' || k === 'alpha')) continue;
      variants.push([`curves.${k}[1] = ${x}`, { ...r, curves: { ...r.curves, [k]: r.curves[k].map((v, i) => (i === 1 ? x : v)) } }]);
    }
    variants.push([`curves.${k} one point short`, { ...r, curves: { ...r.curves, [k]: r.curves[k].slice(1) } }]);
    variants.push([`curves.${k} empty`, { ...r, curves: { ...r.curves, [k]: [] } }]);
  }
  const long = Array.from({ length: 100_002 }, (_, i) => i);
  variants.push(['curves longer than the limit', { ...r, curves: { step: long, reward: long, entropy: long, topSequenceProb: long, credit: long, kl: long, alpha: long } }]);
  for (const wallMs of [-1, Infinity, Number.NaN]) variants.push([`wallMs = ${wallMs}`, { ...r, timing: { wallMs } }]);
  for (const [what, v] of variants) {
    const bytes = encodeRunResult(v);
    t.throws(() => resultFromBytes(bytes, r.config), { instanceOf: ProtocolError }, `${what}: the full check refuses it`);
    t.is(canonicalResult(bytes, encodeConfig(r.config), r.simVersion), undefined, `${what}: no fast path`);
  }
  // The same values with nulls where they are allowed are valid, and canonical.
  const nulls: RunResult = { ...r, summary: { ...r.summary, creditCorr: null, stepsTo90: null }, curves: { ...r.curves, credit: r.curves.credit.map(() => null), alpha: r.curves.alpha.map(() => null) } };
  t.truthy(canonicalResult(encodeRunResult(nulls), encodeConfig(r.config), r.simVersion));
});

test('configs and results packed into one buffer for a pool thread read back exactly; a failed task packs as nothing', (t) => {
  const configs = [...results, odd].map((r) => decodeWireResult(encodeRunResult(r)).config);
  const packed = packConfigs(configs);
  t.is(packed.offsets.length, configs.length + 1);
  t.deepEqual(configs.map((_, i) => unpackConfig(packed, i)), configs);
  const out = packResults([results[0], undefined, results[1]]);
  const slice = (i: number) => out.bytes.subarray(out.offsets[i], out.offsets[i + 1]);
  t.deepEqual(Buffer.from(slice(0)), Buffer.from(encodeRunResult(results[0]!)));
  t.is(slice(1).length, 0);
  t.deepEqual(resultFromBytes(slice(2)), results[1]);
});
