// Benchmark of @sdpo/aggregator's analyzeStudy on synthetic studies shaped
// like real RunResults (31 curve points): the default study (30 seeds × 7
// methods × 4 channels × 6 noise = 5,040 runs) and a ~100k-run study (595
// seeds: 99,960 runs), both with 10,000 bootstrap resamples. Prints the
// median wall time of REPS runs (default 3 and 1) and the share of the
// bootstrap, plus the process CPU time (which a shared, loaded machine
// inflates less than wall time). Targets: ≤ 10 s and ≤ 60 s. Never asserts on time.
//
//   node --import tsx --conditions=@sdpo/source tools/bench-aggregate.ts [reps5040] [reps100k]
import { analyzeStudy, syntheticRuns } from '@sdpo/aggregator';

const METHODS = ['reinforce', 'rloo', 'grpo', 'sdpo', 'hybrid', 'hint-reinforce', 'oracle'];
const FEEDBACKS = ['critique', 'continuous', 'ordinal', 'binary'];
const NOISES = [0, 0.05, 0.1, 0.2, 0.3, 0.5];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

function bench(label: string, seeds: number, reps: number): void {
  const runs = syntheticRuns({ seeds: Array.from({ length: seeds }, (_, i) => i), methods: METHODS, feedbacks: FEEDBACKS, noises: NOISES });
  const total: number[] = [];
  const cpu: number[] = [];
  const noBoot: number[] = [];
  for (let r = 0; r < reps; r++) {
    let t0 = performance.now();
    const c0 = process.cpuUsage();
    const a = analyzeStudy(runs, { bootstrapResamples: 10000, bootstrapSeed: 7 });
    total.push(performance.now() - t0);
    const c1 = process.cpuUsage(c0);
    cpu.push((c1.user + c1.system) / 1000);
    if (a.cells.length !== METHODS.length * FEEDBACKS.length * NOISES.length) throw new Error('unexpected cell count');
    t0 = performance.now();
    analyzeStudy(runs, { bootstrapResamples: 1, bootstrapSeed: 7 });
    noBoot.push(performance.now() - t0);
  }
  const t = median(total);
  const nb = median(noBoot);
  console.log(
    `${label}: ${runs.length.toLocaleString('en-US')} runs, 10,000 resamples: median ${(t / 1000).toFixed(2)} s over ${reps} run(s)` +
      ` (bootstrap ${((t - nb) / 1000).toFixed(2)} s, everything else ${(nb / 1000).toFixed(2)} s; CPU time ${(median(cpu) / 1000).toFixed(2)} s)`,
  );
}

const reps5040 = Number(process.argv[2] ?? 3);
const reps100k = Number(process.argv[3] ?? 1);
if (reps5040 > 0) bench('default study', 30, reps5040);
if (reps100k > 0) bench('100k study', 595, reps100k);
