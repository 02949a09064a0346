#!/usr/bin/env node
// Benchmark of one simulation run (spec defaults), cached vs cold task, and heap growth per run.
//
//   from source: node --import tsx --conditions=@sdpo/source tools/bench-sim.ts
//   after build: npx tsc -b packages/sim && node --import tsx tools/bench-sim.ts   (resolves @sdpo/sim to dist)
//
// Prints medians (never asserts on time). The machine may be shared: the load average is printed.
import { loadavg, cpus } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  adamStep, applyUpdate, buildTask, clearTaskCache, computeProbs, computeUpdate, createRunState, exactMetrics, exp,
  parseRunConfig, parseRunConfigWithSchema, resolveRunConfig, runSimulation, sampleBatch, wasmKernelsLoaded, type RunConfigInput,
} from '@sdpo/sim';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const args = new Map<string, string>();
for (const a of process.argv.slice(2)) {
  const [k, v] = a.replace(/^--/, '').split('=');
  if (k !== undefined) args.set(k, v ?? 'true');
}
const RUNS = Number(args.get('runs') ?? 300);
const COLD_RUNS = Number(args.get('cold-runs') ?? 60);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
};
const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

function time(n: number, f: () => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f();
    out.push(performance.now() - t0);
  }
  return out;
}

/** CPU time (user + system) per call in ms, in batches so the µs clock resolution does not matter. */
function cpuTime(n: number, batch: number, f: () => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    for (let j = 0; j < batch; j++) f();
    const c = process.cpuUsage(c0);
    out.push((c.user + c.system) / 1000 / batch);
  }
  return out;
}

const configs: [string, RunConfigInput][] = [
  ['default (sdpo, critique, σ=0.1, seed 0)', { seed: 0, method: 'sdpo', feedback: 'critique', noise: 0.1 }],
  ['reinforce (critique, σ=0.1, seed 0)', { seed: 0, method: 'reinforce', feedback: 'critique', noise: 0.1 }],
  // Binary needs τ, hence the R table, which the other channels never build.
  ['sdpo, binary (σ=0.1, seed 0)', { seed: 0, method: 'sdpo', feedback: 'binary', noise: 0.1 }],
];

/** Speed reference: ns per Math.exp in a tight loop, and per the kernels' own exp (libm.ts) in the same loop. */
function expCalibration(): string {
  const xs = new Float64Array(4096);
  for (let i = 0; i < xs.length; i++) xs[i] = Math.sin(i) * 3;
  let sink = 0;
  const math: number[] = [];
  const own: number[] = [];
  for (let r = 0; r < 7; r++) {
    let t0 = performance.now();
    for (let k = 0; k < 200; k++) for (let i = 0; i < xs.length; i++) sink += Math.exp(xs[i]!);
    math.push(((performance.now() - t0) * 1e6) / (200 * xs.length));
    t0 = performance.now();
    for (let k = 0; k < 200; k++) for (let i = 0; i < xs.length; i++) sink += exp(xs[i]!);
    own.push(((performance.now() - t0) * 1e6) / (200 * xs.length));
  }
  if (sink === 42) console.log('');
  return `${median(math).toFixed(1)} ns per Math.exp, ${median(own).toFixed(1)} ns per libm exp`;
}

console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`runs per measurement: cached ${RUNS}, cold ${COLD_RUNS}; times are per run, single thread`);
console.log(`speed reference: ${expCalibration()} (higher than usual means a busy machine)`);
console.log(`WebAssembly kernels: ${wasmKernelsLoaded ? 'loaded (rows "JS only": the same runs without them)' : 'NOT available here: every row runs JavaScript only'}\n`);

// Warm up the JIT on every path before measuring.
for (let i = 0; i < 100; i++) for (const [, c] of configs) runSimulation(c);
for (let i = 0; i < 100; i++) for (const [, c] of configs) runSimulation(c, { kernels: false });
for (let i = 0; i < 5; i++) runSimulation(configs[0]![1], { cache: false });

const ratios: string[] = [];
const rows: string[][] = [['config', 'task', 'wall median ms', 'wall p90 ms', 'CPU median ms', 'runs/s/core (wall)']];
for (const [name, c] of configs) {
  const cached = time(RUNS, () => runSimulation(c));
  const cachedCpu = cpuTime(Math.max(5, RUNS / 20), 20, () => runSimulation(c));
  const coldRun = (): void => {
    clearTaskCache();
    runSimulation(c);
  };
  const cold = time(COLD_RUNS, coldRun);
  const coldCpu = cpuTime(Math.max(5, COLD_RUNS / 10), 10, coldRun);
  // The same runs without the WebAssembly kernels (JavaScript only; bit-identical results), for the ratio.
  const jsOnly = time(RUNS, () => runSimulation(c, { kernels: false }));
  const jsOnlyCpu = cpuTime(Math.max(5, RUNS / 20), 20, () => runSimulation(c, { kernels: false }));
  for (const [kind, xs, cpu] of [['cached', cached, cachedCpu], ['cold', cold, coldCpu], ['cached, JS only', jsOnly, jsOnlyCpu]] as const) {
    const m = median(xs);
    rows.push([name, kind, m.toFixed(3), quantile(xs, 0.9).toFixed(3), median(cpu).toFixed(3), (1000 / m).toFixed(0)]);
  }
  ratios.push(`${name}: ${(median(cached) / median(jsOnly)).toFixed(3)}`);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  '));
console.log(`cached wall median with the kernels / JS only: ${ratios.join('; ')}`);

// Where cold time goes: the task build alone, and config parsing.
const spec = { seed: 0, vocab: 8, length: 6, weights: { local: 1, coherence: 1, global: 1 } };
const build = median(time(COLD_RUNS, () => buildTask(spec)));
const parse = median(time(2000, () => parseRunConfig(configs[0]![1])));
const parseZod = median(time(2000, () => parseRunConfigWithSchema(configs[0]![1])));
const tau = median(time(20, () => buildTask(spec).binaryThreshold(0.75))) - build;
console.log(`\ntask build (V=8, T=6, 262,144 sequences): ${build.toFixed(3)} ms median; binary τ (R table + histogram select) adds ~${tau.toFixed(3)} ms (binary channel only)`);
console.log(`config parse + resolve: ${(parse * 1000).toFixed(1)} µs median (by hand; the zod schema alone: ${(parseZod * 1000).toFixed(1)} µs)`);

// A run's fixed cost: one step on a tiny task (V = 3, T = 2, G = 2), the dispatch benchmark's
// runs, cycling over every method and channel and 5 seeds (tasks cached), as a worker sees them.
{
  const tiny: RunConfigInput[] = [];
  for (let seed = 0; seed < 5; seed++) {
    for (const method of ['reinforce', 'rloo', 'grpo', 'sdpo', 'hybrid', 'hint-reinforce', 'oracle'] as const) {
      for (const feedback of ['critique', 'continuous', 'ordinal', 'binary'] as const) tiny.push({ seed, method, feedback, noise: 0.01, steps: 1, vocab: 3, length: 2, group: 2 });
    }
  }
  for (let i = 0; i < 20; i++) for (const c of tiny) runSimulation(c);
  const perRun = median(time(15, () => { for (let i = 0; i < 20; i++) for (const c of tiny) runSimulation(c); })) * 1000 / (20 * tiny.length);
  console.log(`one-step run on a tiny task (V=3, T=2, G=2; ${tiny.length} configs, tasks cached): ${perRun.toFixed(1)} µs median`);
}

// Per-step components of the default run, mid-training (step 30), each called in a loop.
{
  // In the kernels' memory, as runSimulation places it, so that the components run as they do in a run.
  const s = createRunState(resolveRunConfig(configs[0]![1]), undefined, { place: 'kernels' });
  for (let k = 0; k < 30; k++) {
    sampleBatch(s);
    computeUpdate(s);
    applyUpdate(s);
  }
  const { vocab: V, length: T } = s.config;
  const m = { reward: 0, entropy: 0, topSequenceProb: 0 };
  const n = 5000;
  const perCall = (f: () => void): string => (median(time(5, () => { for (let i = 0; i < n; i++) f(); })) * 1000 / n).toFixed(2);
  console.log('\nper-step components of the default run (µs per call, median of 5 × 5000 calls):');
  console.log(`  full training step (sample, feedback, SDPO update, Adam, EMA): ${perCall(() => { sampleBatch(s); computeUpdate(s); applyUpdate(s); })}`);
  console.log(`  softmax of all ${T * (V + 1)} policy rows, JavaScript (a step refreshes only the visited ones): ${perCall(() => computeProbs(s.theta, V, T, s.student.probs, s.student.logProbs))}`);
  console.log(`  batch + feedback + true credit, rows already fresh: ${perCall(() => sampleBatch(s))}`);
  console.log(`  SDPO teacher + distillation gradient, rows already fresh: ${perCall(() => computeUpdate(s))}`);
  console.log(`  Adam and the teacher EMA on the reachable rows (one sweep): ${perCall(() => adamStep(s.theta, s.grad, s.adamM, s.adamV, 100, 0.05, V, T, s.teacher, 0.05))}`);
  console.log(`  exact metrics (one curve point): ${perCall(() => exactMetrics(s.task, s.student.probs, s.student.logProbs, s.exactScratch, m))}`);
  s.arena.release();
}

// Heap growth: retained bytes per run after a forced GC, cached task.
for (const [name, c] of configs) {
  for (let i = 0; i < 50; i++) runSimulation(c);
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const n = 1000;
  for (let i = 0; i < n; i++) runSimulation(c);
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  console.log(`heap growth, ${name}: ${((after - before) / n).toFixed(1)} bytes/run over ${n} runs (after GC)`);
}
console.log(`\nspeed reference after: ${expCalibration()}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
