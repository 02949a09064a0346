// Parallel efficiency of an embedded run: the default preset (5,040 runs) on
// this machine through runGridEmbedded, the code `sdpo run` and `sdpo study`
// use (a loopback coordinator and one worker pool in this process; coordinator
// start and close included). Prints wall time, the ideal time (sum of per-task
// compute / threads) and their ratio (target ≥ 0.90).
//
// Measures the built packages, as the installed CLI runs them: run it without
// the source condition, after `npm run build`. The pool threads then start
// without tsx, as the CLI's do.
//
//   npm run build && node --import tsx tools/bench-sweep-efficiency.ts [--threads 2] [--seeds 30]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { runGridEmbedded } from '@sdpo/cli';
import { openStore } from '@sdpo/coordinator';
import { parseGridData } from '@sdpo/protocol';
import { loadLine } from './bench-sweep-helpers.js';

const { values } = parseArgs({ options: { threads: { type: 'string', default: String(availableParallelism()) }, seeds: { type: 'string', default: '30' } } });
const threads = Number(values.threads);
const dir = mkdtempSync(join(tmpdir(), 'sdpo-bench-eff-'));
const storePath = join(dir, 's.db');
const def = parseGridData({ name: 'preset-default', preset: 'default', axes: { seed: { from: 0, to: Number(values.seeds) } } });
const load0 = loadLine();
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const main0 = mainThreadCpuSeconds();
let tFirst = Number.NaN;
let tLast = Number.NaN;
const outcome = await runGridEmbedded(def, {
  storePath, threads, logger: pino({ level: 'warn' }),
  // Built code needs no loader in the threads; from the sources (the @sdpo/source condition) it does.
  ...(import.meta.resolve('@sdpo/cli').endsWith('.js') ? { poolExecArgv: [] } : {}),
  onProgress: (p) => {
    if (p.done > 0 && Number.isNaN(tFirst)) tFirst = (performance.now() - t0) / 1000;
    if (p.state !== 'running') tLast = (performance.now() - t0) / 1000;
  },
});
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const mainCpu = mainThreadCpuSeconds() - main0;
const store = openStore(storePath);
const sumMs = store.db.prepare('SELECT sum(wall_ms) FROM results').pluck().get() as number;
store.close();
rmSync(dir, { recursive: true, force: true });
const ideal = sumMs / 1000 / threads;
console.log(`efficiency: ${outcome.done} runs of the default preset on ${threads} threads: wall ${wall.toFixed(1)} s, ideal ${ideal.toFixed(1)} s (sum of per-task compute ${(sumMs / 1000).toFixed(1)} s / ${threads}), ratio ${(ideal / wall).toFixed(3)}`);
const cpuS = (cpu.user + cpu.system) / 1e6;
// CPU beyond the runs' own compute is the orchestration's (main thread, messaging, store), give or take the runs' waits.
console.log(`  mean per-task compute ${(sumMs / outcome.done).toFixed(1)} ms; process CPU ${cpuS.toFixed(1)} s (all threads, ${((cpuS * 1000) / outcome.done).toFixed(2)} ms/task)`);
console.log(`  first result after ${tFirst.toFixed(2)} s (coordinator start, submit and pool start-up); after the last, ${(wall - tLast).toFixed(2)} s to stop the pool and close the store`);
console.log(`  main thread CPU ${mainCpu.toFixed(1)} s (${((mainCpu * 1000) / outcome.done).toFixed(2)} ms/task: coordinator, worker main loop, gRPC, store)`);
console.log(`  at start: ${load0}; at end: ${loadLine()}`);

/** CPU time of this process's main thread (Linux /proc), s. */
function mainThreadCpuSeconds(): number {
  const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
