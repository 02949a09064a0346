import test from 'ava';
import { threadId } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { runSimulation, type RunConfigInput, type RunResult } from '@sdpo/sim';

const filename = new URL('./fixtures/sim-worker.ts', import.meta.url).href;
type Reply = { threadId: number; result: RunResult };

const withoutTiming = (r: RunResult): Omit<RunResult, 'timing'> => {
  const { timing: _timing, ...rest } = r;
  return rest;
};

test('the same config run in two different worker threads and on the main thread gives deeply equal results', async (t) => {
  // Two single-thread pools guarantee two distinct threads.
  const pools = [new Piscina({ filename, minThreads: 1, maxThreads: 1 }), new Piscina({ filename, minThreads: 1, maxThreads: 1 })];
  try {
    const configs: RunConfigInput[] = [
      { seed: 3, method: 'sdpo', feedback: 'critique', noise: 0.1 },
      { seed: 4, method: 'hybrid', feedback: 'binary', noise: 0.3, steps: 60 },
      { seed: 5, method: 'reinforce', feedback: 'ordinal', noise: 0.2, steps: 60 },
    ];
    for (const config of configs) {
      const [a, b] = (await Promise.all(pools.map((p) => p.run(config)))) as [Reply, Reply];
      t.not(a.threadId, b.threadId);
      t.not(a.threadId, threadId);
      t.deepEqual(withoutTiming(b.result), withoutTiming(a.result));
      t.deepEqual(withoutTiming(runSimulation(config)), withoutTiming(a.result));
    }
  } finally {
    await Promise.all(pools.map((p) => p.destroy()));
  }
});
