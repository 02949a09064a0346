// Dispatch throughput: 20,020 one-step runs on a tiny task (V = 3, T = 2, so
// compute is microseconds and the figure is the orchestration's own cost)
// through a coordinator (this process) and one worker process over loopback.
//
// Sweeps of the same shape run back to back on the same two processes: first
// "cold" (seeds 100–104), right after start-up, then `--warm` (default 3)
// "warm" ones (seeds 0–4, 200–204, 300–304, …: nothing is cached from
// another). A cold sweep this short is largely V8 warm-up: its functions are compiled by TurboFan on background threads
// while it runs (in the worker's main thread and in each pool thread's own
// isolate), which showed as ~1.4 s of CPU on the worker's V8 helper threads.
// A long-lived worker pays that once, so the warm figure is the throughput a
// cluster sees; both are printed, the warm ones with their median.
//
//   node --import tsx --conditions=@sdpo/source tools/bench-sweep-dispatch.ts [--threads 2] [--credits 512] [--warm 3]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startCoordinator } from '@sdpo/coordinator';
import { parseGridData } from '@sdpo/protocol';
import { loadLine, median, spawnSdpo } from './bench-sweep-helpers.js';

const { values } = parseArgs({ options: { threads: { type: 'string', default: '2' }, credits: { type: 'string', default: '512' }, warm: { type: 'string', default: '3' }, 'worker-cpu-prof': { type: 'string' } } });
const dir = mkdtempSync(join(tmpdir(), 'sdpo-bench-dispatch-'));
const noise = Array.from({ length: 143 }, (_, i) => i / 1000);
const grid = (name: string, firstSeed: number) =>
  parseGridData({
    name,
    axes: { seed: [0, 1, 2, 3, 4].map((s) => firstSeed + s), method: ['reinforce', 'rloo', 'grpo', 'sdpo', 'hybrid', 'hint-reinforce', 'oracle'], feedback: ['critique', 'continuous', 'ordinal', 'binary'], noise },
    fixed: { steps: 1, vocab: 3, length: 2, group: 2 },
  });
const coordinator = await startCoordinator({ storePath: join(dir, 's.db'), listen: '127.0.0.1:0', logger: pino({ level: 'warn' }) });
const worker = spawnSdpo(['worker', '--coordinator', `127.0.0.1:${coordinator.port}`, '--threads', values.threads!, '--credits', values.credits!], {}, values['worker-cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['worker-cpu-prof']}`] : []);
// Let the worker connect (and its pool threads load) before the clock starts.
await new Promise<void>((resolve) => {
  const check = () => {
    if (worker.exitCode !== null) throw new Error(`worker exited: ${worker.out.stderr}`);
    if (coordinator.scheduler.workerViews().length > 0) resolve();
    else setTimeout(check, 50);
  };
  check();
});
await new Promise((r) => setTimeout(r, 1500));

/** One sweep's throughput (tasks/s) and CPU per task (µs) of the coordinator and the worker process. */
interface Figures {
  readonly rate: number;
  readonly coordUs: number;
  readonly workerUs: number;
}

async function sweep(label: string, name: string, firstSeed: number): Promise<Figures> {
  const def = grid(name, firstSeed);
  const load0 = loadLine();
  const workerCpu0 = workerCpuSeconds(worker.pid!);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { progress } = await coordinator.scheduler.submit(def);
  const tSubmit = performance.now() - t0;
  await new Promise<void>((resolve) => {
    const onProgress = () => {
      if (coordinator.scheduler.progress(name).state !== 'running') {
        coordinator.scheduler.off('progress', onProgress);
        resolve();
      }
    };
    coordinator.scheduler.on('progress', onProgress);
  });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // Only the sweep's share: the worker's start-up (module loading in every thread) is left out.
  const workerCpu = workerCpuSeconds(worker.pid!) - workerCpu0;
  const p = coordinator.scheduler.progress(name);
  const sweepId = coordinator.store.db.prepare('SELECT id FROM sweeps WHERE name = ?').pluck().get(name) as number;
  const wallMs = coordinator.store.db.prepare('SELECT sum(r.wall_ms) FROM tasks t JOIN results r ON r.id = t.result WHERE t.sweep_id = ? AND t.state = 1').pluck().get(sweepId) as number;
  const rate = p.done / wall;
  console.log(`${label}: ${p.done}/${progress.total} tasks (${p.computed} computed) in ${wall.toFixed(2)} s = ${rate.toFixed(0)} tasks/s`);
  console.log(`  after the submit (${tSubmit.toFixed(0)} ms, included above): ${(p.done / (wall - tSubmit / 1000)).toFixed(0)} tasks/s; worker threads ${values.threads}, credits ${values.credits}; sum of per-task compute ${(wallMs / 1000).toFixed(2)} s`);
  const coordCpu = (cpu.user + cpu.system) / 1e6;
  const figures = { rate, coordUs: (coordCpu * 1e6) / p.done, workerUs: (workerCpu * 1e6) / p.done };
  console.log(`  coordinator CPU ${coordCpu.toFixed(2)} s (${figures.coordUs.toFixed(0)} µs/task, submit included); worker process CPU ${workerCpu.toFixed(2)} s (${figures.workerUs.toFixed(0)} µs/task, all threads)`);
  console.log(`  at start: ${load0}; at end: ${loadLine()}`);
  return figures;
}

const cold = await sweep('cold (first sweep after start-up)', 'dispatch-cold', 100);
const warm: Figures[] = [];
for (let i = 0; i < Number(values.warm); i++) warm.push(await sweep(`dispatch (warm sweep ${i + 1}, same processes)`, `dispatch-${i + 1}`, i === 0 ? 0 : 100 * (i + 1)));
const med = (f: (x: Figures) => number) => median(warm.map(f)).toFixed(0);
console.log(`dispatch: cold ${cold.rate.toFixed(0)} tasks/s; warm median ${med((x) => x.rate)} tasks/s (${warm.map((x) => x.rate.toFixed(0)).join(', ')}), CPU per task: coordinator ${med((x) => x.coordUs)} µs, worker ${med((x) => x.workerUs)} µs`);
worker.kill('SIGTERM');
await new Promise((r) => worker.once('exit', r));
await coordinator.close();
rmSync(dir, { recursive: true, force: true });

/** CPU seconds (user + system, every thread) of a process so far. */
function workerCpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
