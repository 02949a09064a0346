import test from 'ava';
import { decodeResultBody, encodeResultBody, resultFromBytes } from './codec.js';
import { ProtocolError } from './errors.js';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { packageDefinition, PROTO_FILES, PROTO_ROOT } from './loader.js';
import { resultFromWire, resultToWire } from './wire.js';
import { createStream, resolveRunConfig, runSimulation, SIM_VERSION, type RunResult } from '@sdpo/sim';
import { decodeWireResult, encodeLeaseMessage, encodeResultsMessage, encodeRunResult, splitLeaseMessage, splitResultsMessage } from './stream-codec.js';

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

test('a Lease encodes by hand and splits back to the same tasks; other coordinator messages are not split', (t) => {
  const tasks = results.map((r, i) => ({ key: String(i + 4).repeat(64), attempt: i + 1, config: r.config }));
  const bytes = encodeLeaseMessage('epoch-7', tasks);
  t.deepEqual(splitLeaseMessage(bytes), { leaseId: 'epoch-7', tasks });
  type Connect = { responseSerialize: (x: object) => Buffer; responseDeserialize: (b: Buffer) => unknown };
  const c = (packageDefinition()['sdpo.v1.WorkerService'] as unknown as Record<string, Connect>)['Connect']!;
  t.deepEqual(c.responseDeserialize(bytes), { msg: 'lease', lease: { leaseId: 'epoch-7', tasks } });
  t.is(splitLeaseMessage(c.responseSerialize({ ack: { accepted: [], rejected: ['a'.repeat(64)] } })), undefined);
  for (let n = 1; n < bytes.length; n += 7) {
    try {
      splitLeaseMessage(bytes.subarray(0, n));
    } catch (err) {
      t.true(err instanceof ProtocolError, String(err));
    }
  }
});
