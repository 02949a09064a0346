import { createServer, type Server } from 'node:http';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Scheduler } from './scheduler.js';

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labels = (l: Record<string, string>) => `{${Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}`;
const num = (x: number) => (Number.isFinite(x) ? String(x) : Number.isNaN(x) ? 'NaN' : x > 0 ? '+Inf' : '-Inf');

/**
 * The coordinator's state in the Prometheus text exposition format (0.0.4):
 * per-sweep task counts and throughput, per-worker completed tasks (a
 * counter: rates come from `rate()`), in-flight tasks and threads, and the
 * process's resident memory.
 */
export function renderMetrics(scheduler: Scheduler, loopDelay?: IntervalHistogram): string {
  const out: string[] = [];
  const family = (name: string, type: 'gauge' | 'counter', help: string, rows: [Record<string, string>, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of rows) out.push(`${name}${Object.keys(l).length ? labels(l) : ''} ${num(v)}`);
  };
  const sweeps = scheduler.list();
  const workers = scheduler.workerViews();
  family('sdpo_sweep_tasks', 'gauge', 'Tasks of a sweep by state (total, done, failed, cancelled, cached, computed, in_flight).',
    sweeps.flatMap((s) => (['total', 'done', 'failed', 'cancelled', 'cached', 'computed', 'inFlight'] as const).map((k): [Record<string, string>, number] => [
      { sweep: s.name, state: k === 'inFlight' ? 'in_flight' : k }, s[k],
    ])));
  family('sdpo_sweep_running', 'gauge', '1 while a sweep is running, else 0.', sweeps.map((s) => [{ sweep: s.name, state: s.state }, s.state === 'running' ? 1 : 0]));
  family('sdpo_sweep_results_per_second', 'gauge', 'Results per second over the last minute.', sweeps.filter((s) => s.state === 'running').map((s) => [{ sweep: s.name }, s.rate]));
  family('sdpo_workers', 'gauge', 'Connected workers.', [[{}, workers.length]]);
  family('sdpo_worker_completed_tasks_total', 'counter', 'Tasks a worker completed since it connected.', workers.map((w) => [{ worker: w.workerId, name: w.name }, w.completed]));
  family('sdpo_worker_in_flight_tasks', 'gauge', 'Tasks leased to a worker and not yet returned.', workers.map((w) => [{ worker: w.workerId, name: w.name }, w.inFlight]));
  family('sdpo_worker_threads', 'gauge', 'Pool threads a worker announced.', workers.map((w) => [{ worker: w.workerId, name: w.name }, w.threads]));
  family('process_resident_memory_bytes', 'gauge', 'Resident memory of the coordinator process.', [[{}, process.memoryUsage.rss()]]);
  if (loopDelay) {
    // How late the event loop ran its timers since the endpoint started: how long a request could wait to be served.
    family('sdpo_event_loop_delay_seconds', 'gauge', 'Event loop delay since the metrics endpoint started (quantiles and max).', [
      [{ quantile: '0.5' }, loopDelay.percentile(50) / 1e9], [{ quantile: '0.99' }, loopDelay.percentile(99) / 1e9], [{ quantile: '1' }, loopDelay.max / 1e9],
    ]);
  }
  return out.join('\n') + '\n';
}

/** Serves `GET /metrics` on `host:port` (port 0 = any free port); resolves with the bound port. */
export async function startMetricsServer(scheduler: Scheduler, host: string, port: number, log: Logger): Promise<{ server: Server; port: number }> {
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; try /metrics\n');
      return;
    }
    try {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(renderMetrics(scheduler, loopDelay));
    } catch (err) {
      log.error({ err: (err as Error).message }, 'metrics rendering failed');
      res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
    }
  });
  server.once('close', () => loopDelay.disable());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host.replace(/^\[|\]$/g, ''), () => resolve());
  });
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : port };
}
