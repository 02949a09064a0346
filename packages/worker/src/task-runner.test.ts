import test from 'ava';
import { encodeLeaseMessage, encodeRunResult, packConfigs, splitLeaseMessage } from '@sdpo/protocol/stream-codec';
import { resolveRunConfig, runSimulation } from '@sdpo/sim';
import runChunk from './task-runner.js';

test('a chunk runs the configs of a Lease from their bytes; a malformed or invalid config fails only its own task, with its reason', (t) => {
  const good = [
    resolveRunConfig({ seed: 1, method: 'sdpo', feedback: 'critique', noise: 0.1, steps: 3, vocab: 3, length: 2 }),
    resolveRunConfig({ seed: 2, method: 'reinforce', feedback: 'binary', noise: 0, steps: 2, vocab: 4, length: 2 }),
  ];
  const key = 'ab'.repeat(32);
  const lease = splitLeaseMessage(encodeLeaseMessage('l-1', [
    { key, attempt: 1, config: good[0]! },
    // An invalid value: the run schema refuses it where the task runs.
    { key, attempt: 1, config: { ...good[1]!, noise: -1 } },
    { key, attempt: 1, config: good[1]! },
  ]))!;
  // Malformed bytes: a field number no RunConfig has (99, varint).
  const malformed = new Uint8Array([...lease.tasks[0]!.config, 0x98, 0x06, 0x01]);
  const configs = [lease.tasks[0]!.config, lease.tasks[1]!.config, malformed, lease.tasks[2]!.config];
  const outcome = runChunk({ configs: packConfigs(configs) });
  const slice = (i: number) => outcome.results.bytes.subarray(outcome.results.offsets[i], outcome.results.offsets[i + 1]);
  t.deepEqual(outcome.failures.map((f) => [f.index, f.code]), [[1, 'INVALID_CONFIG'], [2, 'INVALID_MESSAGE']]);
  t.regex(outcome.failures[0]!.message, /noise/);
  t.regex(outcome.failures[1]!.message, /^leased config: malformed protobuf \(unexpected field 99 with wire type 0\)/);
  t.is(slice(1).length + slice(2).length, 0);
  // The others ran, and their results are runSimulation's, bit for bit (wall time aside).
  for (const [i, config] of [[0, good[0]!], [3, good[1]!]] as const) {
    const expected = runSimulation(config);
    const withWall = encodeRunResult({ ...expected, timing: { wallMs: outcome.wallMs[i]! } });
    t.deepEqual(Buffer.from(slice(i)), Buffer.from(withWall));
  }
});
