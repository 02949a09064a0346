import test from 'ava';
import { resolveRunConfig, type Method } from './config.js';
import { applyUpdate, computeUpdate, createRunState, sampleBatch, type RunState } from './run.js';
import { buildTask } from './task.js';

const weights = { local: 1, coherence: 1, global: 1 };

/** Two run states on different landscapes, fed the same sampled batch and feedback for a few steps. */
function twin(method: Method, feedback: 'critique' | 'continuous' | 'binary'): [RunState, RunState] {
  const config = resolveRunConfig({ seed: 1, method, feedback, noise: 0.1 });
  const a = createRunState(config, buildTask({ seed: 1, vocab: 8, length: 6, weights }));
  const b = createRunState(config, buildTask({ seed: 2, vocab: 8, length: 6, weights }));
  return [a, b];
}

function stepBoth(a: RunState, b: RunState): void {
  sampleBatch(a);
  sampleBatch(b);
  // Overwrite b's batch with a's: identical sequences and feedback, different task.
  b.batch.seqs.set(a.batch.seqs);
  b.batch.fhat.set(a.batch.fhat);
  b.batch.hints.set(a.batch.hints);
  computeUpdate(a);
  computeUpdate(b);
}

for (const feedback of ['critique', 'continuous', 'binary'] as const) {
  for (const method of ['sdpo', 'hybrid'] as const) {
    test(`${method}'s update depends only on sequences and feedback, not on the task (${feedback})`, (t) => {
      const [a, b] = twin(method, feedback);
      t.notDeepEqual(a.task.local, b.task.local);
      for (let k = 0; k < 8; k++) {
        stepBoth(a, b);
        t.deepEqual(b.grad, a.grad);
        t.deepEqual(b.adv, a.adv);
        t.is(b.lastKl, a.lastKl);
        applyUpdate(a);
        applyUpdate(b);
        t.deepEqual(b.theta, a.theta);
        t.deepEqual(b.teacher, a.teacher);
      }
    });
  }
}

test('the same two-task setup does detect a method that reads the task (oracle)', (t) => {
  const [a, b] = twin('oracle', 'continuous');
  stepBoth(a, b);
  t.notDeepEqual(b.grad, a.grad);
});
