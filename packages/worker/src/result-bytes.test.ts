import test from 'ava';
import { packageDefinition, resultFromWire, resultToWire } from '@sdpo/protocol';
import { resolveRunConfig, runSimulation, SIM_VERSION, type RunResult } from '@sdpo/sim';
import { encodeResultsMessage, encodeRunResult } from './result-bytes.js';

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
  t.deepEqual(back.results.results.map((x) => resultFromWire(x.result)), results);
});
