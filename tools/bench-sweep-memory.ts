// Scale: a 1,000,000-task grid submitted to a coordinator process over gRPC.
// Prints the submit time, the coordinator's RSS after submit and while a
// worker is being served, and the latency of `status` (GetSweep) calls.
//
//   node --import tsx --conditions=@sdpo/source tools/bench-sweep-memory.ts [--serve-seconds 20]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSweepClient, gridToWire, parseGridData } from '@sdpo/protocol';
import { loadLine, median, rssMiB, spawnSdpo, waitOutput } from './bench-sweep-helpers.js';

const { values } = parseArgs({ options: { 'serve-seconds': { type: 'string', default: '20' } } });
const dir = mkdtempSync(join(tmpdir(), 'sdpo-bench-mem-'));
const storePath = join(dir, 's.db');
const coordinator = spawnSdpo(['coordinator', '--listen', '127.0.0.1:0', '--store', storePath]);
const [, address] = await waitOutput(coordinator, /listening on (\S+)/);
const pid = coordinator.pid!;
console.log(`coordinator RSS at start: ${rssMiB(pid).toFixed(0)} MiB`);

// 10,000 seeds × 5 methods × 4 channels × 5 noise levels = 1,000,000 tasks, one tiny step each.
const def = parseGridData({
  name: 'million',
  axes: { seed: { from: 0, to: 10_000 }, method: ['reinforce', 'rloo', 'grpo', 'sdpo', 'hybrid'], feedback: ['critique', 'continuous', 'ordinal', 'binary'], noise: [0, 0.1, 0.2, 0.3, 0.5] },
  fixed: { steps: 1, vocab: 3, length: 2, group: 2 },
});
const client = createSweepClient(address!, { deadlineMs: 600_000 });
// Connects first: the status calls below time the coordinator, not the client's connection set-up.
const connect = performance.now();
await client.list();
console.log(`first call (connects the client): ${(performance.now() - connect).toFixed(1)} ms`);
let peak = 0;
let walPeak = 0;
const walMiB = () => {
  try {
    return statSync(`${storePath}-wal`).size / 2 ** 20;
  } catch {
    return 0;
  }
};
const sampler = setInterval(() => {
  peak = Math.max(peak, rssMiB(pid));
  walPeak = Math.max(walPeak, walMiB());
}, 200);
const t0 = performance.now();
let submitting = true;
const submitted = client.submit(gridToWire(def)).finally(() => (submitting = false));
// `status` while the grid goes in (the sweep is listed once it is whole).
const during: number[] = [];
while (submitting) {
  const a = performance.now();
  await client.list();
  during.push(performance.now() - a);
  await new Promise((r) => setTimeout(r, 250));
}
const info = await submitted;
const submitS = (performance.now() - t0) / 1000;
console.log(`submit: ${info.total} tasks in ${submitS.toFixed(1)} s; RSS after submit ${rssMiB(pid).toFixed(0)} MiB (peak during submit ${peak.toFixed(0)} MiB); store ${(statSync(storePath).size / 2 ** 20).toFixed(0)} MiB, its WAL file up to ${walPeak.toFixed(0)} MiB`);
const p90 = [...during].sort((a, b) => a - b)[Math.floor(0.9 * during.length)]!;
console.log(`status (ListSweeps) during the submit: median ${median(during).toFixed(1)} ms, p90 ${p90.toFixed(1)} ms, max ${Math.max(...during).toFixed(1)} ms (call ${during.indexOf(Math.max(...during)) + 1} of ${during.length}); over 100 ms: calls ${during.flatMap((d, i) => (d > 100 ? [i + 1] : [])).join(', ') || 'none'}`);

const statusMs = async (n: number) => {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = performance.now();
    await client.get('million');
    xs.push(performance.now() - a);
  }
  return xs;
};
let xs = await statusMs(20);
console.log(`status (GetSweep) idle: median ${median(xs).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms over ${xs.length} calls`);

const worker = spawnSdpo(['worker', '--coordinator', address!, '--threads', '1', '--credits', '256']);
peak = 0;
walPeak = 0;
const serveMs = Number(values['serve-seconds']) * 1000;
const until = Date.now() + serveMs;
const served: number[] = [];
while (Date.now() < until) {
  served.push(...(await statusMs(1)));
  await new Promise((r) => setTimeout(r, 250));
}
const done = (await client.get('million')).done;
console.log(`serving ${values['serve-seconds']} s with one worker: ${done} tasks done; RSS peak ${peak.toFixed(0)} MiB, now ${rssMiB(pid).toFixed(0)} MiB; WAL file up to ${walPeak.toFixed(0)} MiB`);
console.log(`status (GetSweep) while serving: median ${median(served).toFixed(1)} ms, max ${Math.max(...served).toFixed(1)} ms over ${served.length} calls`);
clearInterval(sampler);
client.close();
worker.kill('SIGTERM');
await new Promise((r) => worker.once('exit', r));
coordinator.kill('SIGTERM');
await new Promise((r) => coordinator.once('exit', r));
rmSync(dir, { recursive: true, force: true });
console.log(loadLine());
