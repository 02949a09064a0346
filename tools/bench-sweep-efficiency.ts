// Parallel efficiency of an embedded run: the default preset (5,040 runs) on
// this machine through a loopback coordinator and one worker pool, as
// `sdpo run` does it. Prints wall time, the ideal time (sum of per-task
// compute / threads) and their ratio (target ≥ 0.90).
//
//   node --import tsx --conditions=@sdpo/source tools/bench-sweep-efficiency.ts [--threads 2] [--seeds 30] [--credits N]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startCoordinator } from '@sdpo/coordinator';
import { parseGridData } from '@sdpo/protocol';
import { PRESETS } from '@sdpo/sim';
import { startWorker } from '@sdpo/worker';
import { loadLine } from './bench-sweep-helpers.js';

const { values } = parseArgs({ options: { threads: { type: 'string', default: String(availableParallelism()) }, seeds: { type: 'string', default: '30' }, credits: { type: 'string' } } });
const threads = Number(values.threads);
const dir = mkdtempSync(join(tmpdir(), 'sdpo-bench-eff-'));
const logger = pino({ level: 'warn' });
const def = parseGridData({ name: 'preset-default', preset: 'default', axes: { seed: { from: 0, to: Number(values.seeds) } } });
const coordinator = await startCoordinator({ storePath: join(dir, 's.db'), listen: '127.0.0.1:0', logger, resume: false });
const load0 = loadLine();
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const main0 = mainThreadCpuSeconds();
const { progress } = await coordinator.scheduler.submit(def);
const worker = startWorker({ coordinator: `127.0.0.1:${coordinator.port}`, threads, logger, exitOnDisconnect: true, ...(values.credits ? { credits: Number(values.credits) } : {}) });
let lastPrint = 0;
let tFirst = Number.NaN;
let mainFirst = Number.NaN;
await new Promise<void>((resolve) => {
  const onProgress = () => {
    const p = coordinator.scheduler.progress(def.name);
    if (p.done > 0 && Number.isNaN(tFirst)) {
      tFirst = (performance.now() - t0) / 1000;
      mainFirst = mainThreadCpuSeconds();
    }
    if (Date.now() - lastPrint > 10_000) {
      lastPrint = Date.now();
      process.stderr.write(`  ${p.done}/${p.total} (${p.rate.toFixed(1)}/s)\n`);
    }
    if (p.state !== 'running') {
      coordinator.scheduler.off('progress', onProgress);
      resolve();
    }
  };
  coordinator.scheduler.on('progress', onProgress);
});
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const mainCpu = mainThreadCpuSeconds() - main0;
const sumMs = coordinator.store.db.prepare('SELECT sum(wall_ms) FROM results').pluck().get() as number;
await worker.stop();
await coordinator.close();
rmSync(dir, { recursive: true, force: true });
const ideal = sumMs / 1000 / threads;
console.log(`efficiency: ${progress.total} runs of the default preset on ${threads} threads: wall ${wall.toFixed(1)} s, ideal ${ideal.toFixed(1)} s (sum of per-task compute ${(sumMs / 1000).toFixed(1)} s / ${threads}), ratio ${(ideal / wall).toFixed(3)}`);
const cpuS = (cpu.user + cpu.system) / 1e6;
// CPU beyond the runs' own compute is the orchestration's (main thread, messaging, store), give or take the runs' waits.
console.log(`  mean per-task compute ${(sumMs / progress.total).toFixed(1)} ms; process CPU ${cpuS.toFixed(1)} s (all threads, ${((cpuS * 1000) / progress.total).toFixed(2)} ms/task)`);
console.log(`  first result after ${tFirst.toFixed(2)} s (pool start-up included); main thread CPU until then ${(mainFirst - main0).toFixed(2)} s`);
console.log(`  main thread CPU ${mainCpu.toFixed(1)} s (${((mainCpu * 1000) / progress.total).toFixed(2)} ms/task: coordinator, worker main loop, gRPC, store)`);
console.log(`  at start: ${load0}; at end: ${loadLine()}`);

/** CPU time of this process's main thread (Linux /proc), s. */
function mainThreadCpuSeconds(): number {
  const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
