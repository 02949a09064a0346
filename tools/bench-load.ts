// Load on one coordinator: N simulated lightweight workers (default 200), each
// its own gRPC connection over loopback, serve a sweep of tiny tasks (V = 3,
// T = 2, one step: microseconds of compute, so the figures are the
// coordinator's). The coordinator is a separate `sdpo coordinator` process so
// its RSS is its own. Bounded in workers, tasks and time (--max-seconds).
//
//   node --import tsx --conditions=@sdpo/source tools/bench-load.ts [--workers 200] [--credits 4] [--tasks 120120] [--max-seconds 120]
//
// The default 120,120 tasks take about 30 s: some 150–250 status calls, so their
// p99 is not just the slowest one.
//
// Prints tasks/s, lease latency p50/p99 (a Credit sent with nothing held →
// the Lease it brings), coordinator RSS (peak of samples), and `status`
// (ListSweeps) latency p50/p99 under that load, measured from a separate
// process (tools/bench-load-probe.ts) so this one's busy loop does not count.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import {
  createSweepClient, decodeConfigBytes, encodeResultsMessage, encodeRunResult, gridToWire, LIMITS, parseGridData, PROTOCOL_VERSION, sdpoProto,
  type CoordinatorMessage__Output, type WorkerMessage, type WorkerServiceClient,
} from '@sdpo/protocol';
import { runSimulation, SIM_VERSION, type RunConfigInput } from '@sdpo/sim';
import { killOnExit, loadLine, REPO, rssMiB, spawnSdpo, waitOutput } from './bench-sweep-helpers.js';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '200' }, credits: { type: 'string', default: '4' },
    tasks: { type: 'string', default: '120120' }, 'max-seconds': { type: 'string', default: '120' },
  },
});
const nWorkers = Math.min(1000, Number(values.workers));
const credits = Math.min(LIMITS.maxCredits, Number(values.credits));
const maxMs = Number(values['max-seconds']) * 1000;

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** CPU seconds (user + system) a process has used so far (Linux /proc; 100 ticks/s). */
const cpuSeconds = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};

const dir = mkdtempSync(join(tmpdir(), 'sdpo-bench-load-'));
const coord = spawnSdpo(['coordinator', '--listen', '127.0.0.1:0', '--store', join(dir, 's.db'), '--metrics', '127.0.0.1:0']);
const [, address] = await waitOutput(coord, /listening on (\S+)/);
const [, metricsAt] = await waitOutput(coord, /metrics on (\S+)/);
const proto = sdpoProto();

// ---- simulated workers -----------------------------------------------------------
const leaseLatency: number[] = [];
let sampleFrom = Number.POSITIVE_INFINITY;
let completed = 0;
const calls: grpc.ClientDuplexStream<WorkerMessage, CoordinatorMessage__Output>[] = [];
const clients: grpc.Client[] = [];
let welcomed = 0;
function simulatedWorker(i: number) {
  // A local subchannel pool gives each simulated worker its own TCP connection, as separate hosts would have.
  const client = new proto.WorkerService(address!, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }) as unknown as WorkerServiceClient & grpc.Client;
  clients.push(client);
  const call = client.Connect();
  calls.push(call);
  let creditAt = 0;
  call.write({ hello: { name: `sim-${i}`, threads: 1, simVersion: SIM_VERSION, protocolVersion: PROTOCOL_VERSION } });
  call.on('data', (m: CoordinatorMessage__Output) => {
    if (m.welcome) {
      welcomed++;
      creditAt = performance.now();
      call.write({ credit: { tasks: credits } });
    } else if (m.lease) {
      // Credits granted before the sweep existed waited for the submit, not for the coordinator: not samples.
      if (creditAt >= sampleFrom) leaseLatency.push(performance.now() - creditAt);
      creditAt = 0;
      const results = m.lease.tasks.map((t) => ({ key: t.key, leaseId: m.lease!.leaseId, attempt: t.attempt, result: encodeRunResult(runSimulation(decodeConfigBytes(t.config as unknown as Uint8Array) as RunConfigInput)) }));
      // Encoded as the real worker does (the stream's serializer passes the bytes through).
      call.write(encodeResultsMessage(results) as unknown as WorkerMessage);
    } else if (m.ack) {
      completed += m.ack.accepted.length;
      // Everything held is returned: the next credit starts a fresh lease-latency sample.
      creditAt = performance.now();
      call.write({ credit: { tasks: m.ack.accepted.length + m.ack.rejected.length } });
    }
  });
  call.on('error', () => undefined);
}
for (let i = 0; i < nWorkers; i++) simulatedWorker(i);
const connectDeadline = Date.now() + 60_000;
while (welcomed < nWorkers && Date.now() < connectDeadline) await new Promise((r) => setTimeout(r, 50));

// ---- the sweep and status probes -----------------------------------------------------------
const nTasks = Number(values.tasks);
const noiseN = Math.max(1, Math.ceil(nTasks / 140));
const def = parseGridData({
  name: 'load',
  axes: { seed: [0, 1, 2, 3, 4], method: ['reinforce', 'rloo', 'grpo', 'sdpo', 'hybrid', 'hint-reinforce', 'oracle'], feedback: ['critique', 'continuous', 'ordinal', 'binary'], noise: Array.from({ length: noiseN }, (_, i) => i / 1000) },
  fixed: { steps: 1, vocab: 3, length: 2, group: 2 },
});
const sweeps = createSweepClient(address!);
const statusLatency: number[] = [];
let rssPeak = 0;
const coordCpu0 = cpuSeconds(coord.pid!);
const selfCpu0 = process.cpuUsage();
const t0 = performance.now();
const info = await sweeps.submit(gridToWire(def));
sampleFrom = performance.now();
let running = true;
const prober = killOnExit(spawn(process.execPath, ['--import', 'tsx', '--conditions=@sdpo/source', 'tools/bench-load-probe.ts', address!], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] }));
let probeOut = '';
prober.stdout.on('data', (d: Buffer) => (probeOut += d.toString()));
const probe = (async () => {
  while (running) {
    rssPeak = Math.max(rssPeak, rssMiB(coord.pid!));
    await new Promise((r) => setTimeout(r, 100));
  }
})();
while (completed < info.total && performance.now() - t0 < maxMs) await new Promise((r) => setTimeout(r, 20));
const wall = (performance.now() - t0) / 1000;
const coordCpu = cpuSeconds(coord.pid!) - coordCpu0;
const selfCpu = process.cpuUsage(selfCpu0);
running = false;
await probe;
prober.kill('SIGTERM');
await new Promise((r) => prober.once('exit', r));
statusLatency.push(...probeOut.trim().split('\n').filter(Boolean).map(Number));
const final = await sweeps.get('load');
// The coordinator's own event-loop delay over the run: how long any request could wait to be served there.
const metricsText = await (await fetch(`http://${metricsAt!}/metrics`)).text();
const loopDelayMs = (q: string) => 1000 * Number(new RegExp(`^sdpo_event_loop_delay_seconds\\{quantile="${q}"\\} (\\S+)$`, 'm').exec(metricsText)?.[1]);

for (const c of calls) c.end();
for (const c of clients) c.close();
sweeps.close();
coord.kill('SIGTERM');
await new Promise((r) => coord.once('exit', r));
rmSync(dir, { recursive: true, force: true });

const f = (x: number) => x.toFixed(x < 10 ? 2 : 0);
console.log(`bench-load: ${welcomed}/${nWorkers} simulated workers (credits ${credits}), ${final.done}/${info.total} tasks ${final.state} in ${wall.toFixed(2)} s = ${(final.done / wall).toFixed(0)} tasks/s`);
console.log(`  lease latency (credit → lease, ${leaseLatency.length} samples): p50 ${f(pct(leaseLatency, 50))} ms, p99 ${f(pct(leaseLatency, 99))} ms`);
console.log(`  status (ListSweeps) under load (${statusLatency.length} calls): p50 ${f(pct(statusLatency, 50))} ms, p99 ${f(pct(statusLatency, 99))} ms`);
console.log(`  coordinator event-loop delay: p50 ${f(loopDelayMs('0.5'))} ms, p99 ${f(loopDelayMs('0.99'))} ms, max ${f(loopDelayMs('1'))} ms`);
console.log(`  coordinator RSS peak ${rssPeak.toFixed(0)} MiB; CPU over the sweep: coordinator ${coordCpu.toFixed(1)} s (${((100 * coordCpu) / wall).toFixed(0)}% of one core), simulated workers ${((selfCpu.user + selfCpu.system) / 1e6).toFixed(1)} s`);
console.log(`  ${loadLine()}`);
process.exit(0);
