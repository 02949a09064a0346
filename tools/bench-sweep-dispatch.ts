// Dispatch throughput: 20,020 one-step runs on a tiny task (V = 3, T = 2, so
// compute is microseconds and the figure is the orchestration's own cost)
// through a coordinator (this process) and one worker process over loopback.
//
//   node --import tsx --conditions=@sdpo/source tools/bench-sweep-dispatch.ts [--threads 2] [--credits 512]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startCoordinator } from '@sdpo/coordinator';
import { parseGridData } from '@sdpo/protocol';
import { loadLine, spawnSdpo } from './bench-sweep-helpers.js';

const { values } = parseArgs({ options: { threads: { type: 'string', default: '2' }, credits: { type: 'string', default: '512' }, 'worker-cpu-prof': { type: 'string' } } });
const dir = mkdtempSync(join(tmpdir(), 'sdpo-bench-dispatch-'));
const noise = Array.from({ length: 143 }, (_, i) => i / 1000);
const def = parseGridData({
  name: 'dispatch',
  axes: { seed: [0, 1, 2, 3, 4], method: ['reinforce', 'rloo', 'grpo', 'sdpo', 'hybrid', 'hint-reinforce', 'oracle'], feedback: ['critique', 'continuous', 'ordinal', 'binary'], noise },
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
const load0 = loadLine();
const workerCpu0 = workerCpuSeconds(worker.pid!);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const { progress } = await coordinator.scheduler.submit(def);
const tSubmit = performance.now() - t0;
await new Promise<void>((resolve) => {
  const onProgress = () => {
    if (coordinator.scheduler.progress('dispatch').state !== 'running') {
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
const p = coordinator.scheduler.progress('dispatch');
const wallMs = coordinator.store.db.prepare('SELECT sum(wall_ms) FROM results').pluck().get() as number;
worker.kill('SIGTERM');
await new Promise((r) => worker.once('exit', r));
await coordinator.close();
rmSync(dir, { recursive: true, force: true });
console.log(`dispatch: ${p.done}/${progress.total} tasks (${p.computed} computed) in ${wall.toFixed(2)} s = ${(p.done / wall).toFixed(0)} tasks/s`);
console.log(`  after the submit (${tSubmit.toFixed(0)} ms, included above): ${(p.done / (wall - tSubmit / 1000)).toFixed(0)} tasks/s; worker threads ${values.threads}, credits ${values.credits}; sum of per-task compute ${(wallMs / 1000).toFixed(2)} s`);
const coordCpu = (cpu.user + cpu.system) / 1e6;
console.log(`  coordinator CPU ${coordCpu.toFixed(2)} s (${((coordCpu * 1e6) / p.done).toFixed(0)} µs/task, submit included); worker process CPU ${workerCpu.toFixed(2)} s (${((workerCpu * 1e6) / p.done).toFixed(0)} µs/task, all threads)`);
console.log(`  at start: ${load0}; at end: ${loadLine()}`);

function workerCpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
