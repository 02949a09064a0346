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

test('a run does not depend on the runs before it in its thread (their recycled buffers and cached streams)', async (t) => {
  // Same shape (so the later runs reuse the earlier runs' state buffers), different methods and channels.
  const configs: RunConfigInput[] = [
    { seed: 1, method: 'sdpo', feedback: 'critique', noise: 0.1, steps: 30 },
    { seed: 1, method: 'reinforce', feedback: 'binary', noise: 0.2, steps: 30 },
    { seed: 2, method: 'hybrid', feedback: 'ordinal', noise: 0.3, steps: 30 },
    { seed: 1, method: 'sdpo', feedback: 'critique', noise: 0.1, steps: 30 },
  ];
  // Each config alone in a fresh thread, and all of them in one thread, in order.
  const fresh = configs.map(() => new Piscina({ filename, minThreads: 1, maxThreads: 1 }));
  const shared = new Piscina({ filename, minThreads: 1, maxThreads: 1 });
  try {
    const alone = (await Promise.all(configs.map((c, i) => fresh[i]!.run(c)))) as Reply[];
    const { results } = (await shared.run(configs)) as { results: RunResult[] };
    t.is(results.length, configs.length);
    results.forEach((r, i) => t.deepEqual(withoutTiming(r), withoutTiming(alone[i]!.result), `config ${i}`));
    // The first and last configs are equal, and so are their results; the middle ones differ from them.
    t.notDeepEqual(withoutTiming(results[1]!), withoutTiming(results[0]!));
  } finally {
    await Promise.all([...fresh, shared].map((p) => p.destroy()));
  }
});
