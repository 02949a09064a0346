import test from 'ava';
import { resolveRunConfig, SIM_VERSION, type RunResult } from '@sdpo/sim';
import { resultFromBytes } from './codec.js';
import { configFromWire, configToWire, coordinatorMessageSchema, LIMITS, parseCoordinatorMessage, parseInbound, parseWorkerMessage, resultFromWire, resultToWire, workerMessageSchema } from './wire.js';
import { decodeResultBody, encodeResultBody } from './codec.js';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { packageDefinition, PROTO_FILES, PROTO_ROOT } from './loader.js';
import { ProtocolError } from './errors.js';

const config = resolveRunConfig({ seed: 7, method: 'hybrid', feedback: 'ordinal', noise: 0.3, steps: 10, evalEvery: 5 });
const result: RunResult = {
  simVersion: SIM_VERSION,
  config,
  summary: {
    finalReward: 0.61, initialReward: 0.5, aucReward: 0.55, entropyInitial: 2.07, entropyFinal: 1.9, entropyDrop: 0.08,
    creditCorr: null, creditSteps: 0, stepsTo90: null, topSequenceProbFinal: 0.001,
  },
  curves: {
    step: [0, 5, 10], reward: [0.5, 0.55, 0.61], entropy: [2.07, 2, 1.9], topSequenceProb: [0.0001, 0.0005, 0.001],
    credit: [null, 0.2, null], kl: [null, 0.01, 0.02], alpha: [null, 0.3, 0.4],
  },
  timing: { wallMs: 12.5 },
};

test('a config survives the wire unchanged', (t) => {
  t.deepEqual(configFromWire(configToWire(config)), config);
});

test('a result survives the wire and the protobuf codec, nulls included (NaN on the wire)', (t) => {
  const wire = resultToWire(result);
  t.true(Number.isNaN(wire.summary!.creditCorr));
  t.deepEqual(resultFromWire(wire), result);
  const m = (packageDefinition()['sdpo.v1.WorkerService'] as unknown as Record<string, { requestSerialize: (x: unknown) => Buffer; requestDeserialize: (b: Buffer) => { results: { results: { result: unknown }[] } } }>)['Connect']!;
  const back = m.requestDeserialize(m.requestSerialize({ results: { results: [{ key: 'k', leaseId: 'l', attempt: 1, result: wire }] } }));
  // The stream's deserializer leaves each RunResult as its bytes (decoded where it is checked).
  t.deepEqual(resultFromBytes(back.results.results[0]!.result as Uint8Array), result);
  t.deepEqual(decodeResultBody(encodeResultBody(result), 12.5), result);
});

test('equal results encode to byte-identical stored bodies whatever their wall time', (t) => {
  const a = encodeResultBody(result);
  const b = encodeResultBody({ ...result, timing: { wallMs: 99 } });
  t.deepEqual(Buffer.from(a), Buffer.from(b));
  t.notDeepEqual(Buffer.from(encodeResultBody({ ...result, summary: { ...result.summary, finalReward: 0.62 } })), Buffer.from(a));
});

test('results with infinities, NaN in a non-null metric or ragged curves are refused', (t) => {
  const wire = resultToWire(result);
  const bad = [
    { ...wire, summary: { ...wire.summary, finalReward: Number.POSITIVE_INFINITY } },
    { ...wire, summary: { ...wire.summary, finalReward: Number.NaN } },
    { ...wire, curves: { ...wire.curves, reward: [0.5] } },
    { ...wire, config: { ...wire.config, method: 'ppo' } },
  ];
  for (const b of bad) t.throws(() => resultFromWire(b), { instanceOf: ProtocolError, message: /result/ });
});

test('inbound messages are validated: a Hello without threads or a Credit over the limit is refused', (t) => {
  t.notThrows(() => parseInbound(workerMessageSchema, { msg: 'hello', hello: { name: 'w', threads: 2, simVersion: '1', protocolVersion: 1 } }, 'worker'));
  t.throws(() => parseInbound(workerMessageSchema, { msg: 'hello', hello: { name: 'w', simVersion: '1', protocolVersion: 1 } }, 'worker'), { message: /threads/ });
  t.throws(() => parseInbound(workerMessageSchema, { msg: 'credit', credit: { tasks: 1e9 } }, 'worker'), { instanceOf: ProtocolError });
  t.throws(() => parseInbound(coordinatorMessageSchema, { msg: 'lease', lease: { leaseId: 'x', tasks: [{ key: 'nothex', attempt: 1, config: {} }] } }, 'coordinator'), { instanceOf: ProtocolError });
});

test('the worker stream encodes Results and Lease to the same bytes as a fromObject copy would', (t) => {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : join(PROTO_ROOT, target));
  root.loadSync([...PROTO_FILES]);
  const slow = (name: string, m: object) => {
    const T = root.lookupType(`sdpo.v1.${name}`);
    return Buffer.from(T.encode(T.fromObject(m)).finish());
  };
  type Connect = { requestSerialize: (x: object) => Buffer; responseSerialize: (x: object) => Buffer };
  const c = (packageDefinition()['sdpo.v1.WorkerService'] as unknown as Record<string, Connect>)['Connect']!;
  const wire = resultToWire(result);
  const results = { results: { results: [{ key: 'a'.repeat(64), leaseId: 'e-1', attempt: 1, result: wire }, { key: 'b'.repeat(64), leaseId: 'e-1', attempt: 3, result: { ...wire, wallMs: 0 } }] } };
  const lease = { lease: { leaseId: 'e-2', tasks: [{ key: 'c'.repeat(64), attempt: 2, config: configToWire(config) }, { key: 'd'.repeat(64), attempt: 1, config: configToWire({ ...config, seed: 0, noise: 0 }) }] } };
  t.deepEqual(c.requestSerialize(results), slow('WorkerMessage', results));
  t.deepEqual(c.responseSerialize(lease), slow('CoordinatorMessage', lease));
  t.deepEqual(c.requestSerialize({ credit: { tasks: 4 } }), slow('WorkerMessage', { credit: { tasks: 4 } }));
});

test('the hand-checked worker messages are parsed exactly as the schema parses them, and refused with its message', (t) => {
  const key = 'ab'.repeat(32);
  const bytes = new Uint8Array([1, 2, 3]);
  const valid = [
    { msg: 'credit', credit: { tasks: 0 } },
    { msg: 'credit', credit: { tasks: 1024 } },
    { msg: 'heartbeat', heartbeat: { busy: 3 } },
    { msg: 'results', results: { results: [] } },
    { msg: 'results', results: { results: [{ key, leaseId: 'e-1', attempt: 1, result: bytes }, { key, leaseId: 'x', attempt: 2, result: bytes, extra: 1 }] } },
    { msg: 'hello', hello: { name: 'w', threads: 2, simVersion: SIM_VERSION, protocolVersion: 1 } },
  ];
  for (const m of valid) t.deepEqual(parseWorkerMessage(m), parseInbound(workerMessageSchema, m, 'worker'), JSON.stringify(m));
  const invalid = [
    { msg: 'credit', credit: { tasks: -1 } },
    { msg: 'credit', credit: { tasks: 1.5 } },
    { msg: 'credit', credit: { tasks: 1e9 } },
    { msg: 'credit' },
    { msg: 'heartbeat', heartbeat: { busy: Number.NaN } },
    { msg: 'results', results: { results: [{ key: key.toUpperCase(), leaseId: 'e', attempt: 1, result: bytes }] } },
    { msg: 'results', results: { results: [{ key, leaseId: '', attempt: 1, result: bytes }] } },
    { msg: 'results', results: { results: [{ key, leaseId: 'e', attempt: 0, result: bytes }] } },
    { msg: 'results', results: { results: [null] } },
    { msg: 'results', results: {} },
    null,
    { msg: 'nonsense' },
  ];
  for (const m of invalid) {
    const expected = t.throws(() => parseInbound(workerMessageSchema, m, 'worker'), { instanceOf: ProtocolError });
    t.is(t.throws(() => parseWorkerMessage(m), { instanceOf: ProtocolError }).message, expected.message, JSON.stringify(m));
  }
});

test('the hand-checked coordinator messages are parsed exactly as the schema parses them, and refused with its message', (t) => {
  const key = 'cd'.repeat(32);
  const cfg = configToWire(config);
  const valid = [
    { msg: 'lease', lease: { leaseId: 'e-1', tasks: [] } },
    { msg: 'lease', lease: { leaseId: 'e-1', tasks: [{ key, attempt: 1, config: cfg }, { key, attempt: 7, config: {}, extra: 1 }], extra: 2 } },
    { msg: 'ack', ack: { accepted: [key, key], rejected: [] } },
    { msg: 'ack', ack: { accepted: [], rejected: [key], extra: 1 } },
    { msg: 'welcome', welcome: { workerId: 'w-1', heartbeatMs: 1000, leaseMs: 30_000 } },
    { msg: 'drain', drain: { reason: 'bye' } },
  ];
  for (const m of valid) t.deepEqual(parseCoordinatorMessage(m), parseInbound(coordinatorMessageSchema, m, 'coordinator'), JSON.stringify(m));
  const invalid = [
    { msg: 'lease', lease: { leaseId: '', tasks: [] } },
    { msg: 'lease', lease: { leaseId: 'x'.repeat(201), tasks: [] } },
    { msg: 'lease', lease: { leaseId: 'e', tasks: [{ key: key.toUpperCase(), attempt: 1, config: cfg }] } },
    { msg: 'lease', lease: { leaseId: 'e', tasks: [{ key, attempt: 0, config: cfg }] } },
    { msg: 'lease', lease: { leaseId: 'e', tasks: [{ key, attempt: 1.5, config: cfg }] } },
    { msg: 'lease', lease: { leaseId: 'e', tasks: Array.from({ length: LIMITS.maxCredits + 1 }, () => ({ key, attempt: 1, config: cfg })) } },
    { msg: 'lease', lease: { leaseId: 'e', tasks: [null] } },
    { msg: 'lease', lease: { leaseId: 'e' } },
    { msg: 'ack', ack: { accepted: ['nothex'], rejected: [] } },
    { msg: 'ack', ack: { accepted: [] } },
    { msg: 'ack', ack: { accepted: [1], rejected: [] } },
    { msg: 'lease' },
    null,
  ];
  for (const m of invalid) {
    const expected = t.throws(() => parseInbound(coordinatorMessageSchema, m, 'coordinator'), { instanceOf: ProtocolError });
    t.is(t.throws(() => parseCoordinatorMessage(m), { instanceOf: ProtocolError }).message, expected.message, JSON.stringify(m));
  }
});
