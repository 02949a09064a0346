// A 1,000,000-task submit while a coordinator process serves another sweep
// (280,000 one-step runs) to one worker process (two threads): prints the
// served rate before and during the submit, the submit's time, and the latency
// of `status` (GetSweep of the served sweep) while it goes in.
//
//   node --import tsx --conditions=@sdpo/source tools/bench-submit-while-serving.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSweepClient, gridToWire, parseGridData } from '@sdpo/protocol';
import { loadLine, median, spawnSdpo, waitOutput } from './bench-sweep-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sdpo-bench-mixed-'));
const coordinator = spawnSdpo(['coordinator', '--listen', '127.0.0.1:0', '--store', join(dir, 's.db')]);
const [, address] = await waitOutput(coordinator, /listening on (\S+)/);
const client = createSweepClient(address!, { deadlineMs: 600_000 });
// Connected first: the status calls time the coordinator, not the client's connection set-up.
await client.list();
const fixed = { steps: 1, vocab: 3, length: 2, group: 2 };
const served = parseGridData({ name: 'served', axes: { seed: { from: 0, to: 1000 }, method: ['reinforce', 'rloo', 'grpo', 'sdpo', 'hybrid', 'hint-reinforce', 'oracle'], feedback: ['critique', 'continuous', 'ordinal', 'binary'], noise: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] }, fixed });
const big = parseGridData({ name: 'big', axes: { seed: { from: 100_000, to: 110_000 }, method: ['reinforce', 'rloo', 'grpo', 'sdpo', 'hybrid'], feedback: ['critique', 'continuous', 'ordinal', 'binary'], noise: [0, 0.1, 0.2, 0.3, 0.5] }, fixed });
await client.submit(gridToWire(served));
const worker = spawnSdpo(['worker', '--coordinator', address!, '--threads', '2']);
const done = async () => (await client.get('served')).done;
// Past the worker's warm-up, then the served rate alone over 3 s.
await new Promise((r) => setTimeout(r, 6000));
let d0 = await done();
let t0 = performance.now();
await new Promise((r) => setTimeout(r, 3000));
const before = ((await done()) - d0) / ((performance.now() - t0) / 1000);
d0 = await done();
t0 = performance.now();
let submitting = true;
const submitted = client.submit(gridToWire(big)).finally(() => (submitting = false));
const lat: number[] = [];
while (submitting) {
  const a = performance.now();
  await client.get('served');
  lat.push(performance.now() - a);
  await new Promise((r) => setTimeout(r, 100));
}
await submitted;
const submitS = (performance.now() - t0) / 1000;
const during = ((await done()) - d0) / submitS;
lat.sort((a, b) => a - b);
console.log(`served alone: ${before.toFixed(0)} tasks/s; 1,000,000-task submit meanwhile: ${submitS.toFixed(1)} s, served during it: ${during.toFixed(0)} tasks/s`);
console.log(`status (GetSweep) during the submit: median ${median(lat).toFixed(1)} ms, p90 ${lat[Math.floor(lat.length * 0.9)]!.toFixed(1)} ms, max ${lat[lat.length - 1]!.toFixed(1)} ms (${lat.length} calls, 100 ms apart)`);
console.log(loadLine());
client.close();
worker.kill('SIGKILL');
coordinator.kill('SIGKILL');
await new Promise((r) => coordinator.once('exit', r));
rmSync(dir, { recursive: true, force: true });
process.exit(0);
