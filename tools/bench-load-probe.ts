// The status probe of bench-load, in its own process: the simulated workers
// keep the benchmark's event loop busy, and a probe sharing that loop would
// measure the benchmark's own delays rather than the coordinator's.
//
//   node --import tsx --conditions=@sdpo/source tools/bench-load-probe.ts HOST:PORT
//
// Calls ListSweeps every 100 ms and prints each latency in ms, one per line, until SIGTERM.
import { createSweepClient } from '@sdpo/protocol';

const sweeps = createSweepClient(process.argv[2]!);
let running = true;
process.on('SIGTERM', () => (running = false));
while (running) {
  const s = performance.now();
  await sweeps.list();
  process.stdout.write(`${(performance.now() - s).toFixed(3)}\n`);
  await new Promise((r) => setTimeout(r, 100));
}
sweeps.close();
