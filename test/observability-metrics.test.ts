import test from 'ava';
import { join } from 'node:path';
import { runCli, spawnCli, tempDir, testScratch, waitFor, waitForOutput, writeFile } from './helpers/cli.js';

/** Parses Prometheus text into `name{labels}` → value. */
function parseMetrics(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

test('the coordinator serves Prometheus metrics with per-sweep and per-worker counts, and status lists per-worker counts', async (t) => {
  const { dir, procs } = testScratch(t);
  const c = spawnCli(['coordinator', '--listen', '127.0.0.1:0', '--store', join(dir, 's.db'), '--metrics', '127.0.0.1:0']);
  procs.push(c);
  const [, address] = await waitForOutput(c, /listening on (\S+)/);
  const [, metricsAt] = await waitForOutput(c, /metrics on (\S+)/);
  const w = spawnCli(['worker', '--coordinator', address!, '--threads', '1', '--name', 'scraped']);
  procs.push(w);
  const grid = writeFile(dir, 'g.yaml', 'name: metered\naxes:\n  seed: {from: 0, to: 3}\n  method: [reinforce, sdpo]\nfixed:\n  feedback: continuous\n  noise: 0\n  steps: 5\n  vocab: 4\n  length: 3\n');
  t.is((await runCli(['submit', grid, '--coordinator', address!, '--watch'])).code, 0);

  const scrape = async () => {
    const res = await fetch(`http://${metricsAt}/metrics`);
    t.is(res.status, 200);
    t.regex(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parseMetrics(await res.text());
  };
  // The last results' ack and the worker's counters land together; poll briefly for the count.
  const m = await waitFor('the worker counter', async () => {
    const x = await scrape();
    return [...x].some(([k, v]) => k.startsWith('sdpo_worker_completed_tasks_total{') && k.includes('name="scraped"') && v === 6) ? x : undefined;
  }, 10_000, 100);
  t.is(m.get('sdpo_sweep_tasks{sweep="metered",state="total"}'), 6);
  t.is(m.get('sdpo_sweep_tasks{sweep="metered",state="done"}'), 6);
  t.is(m.get('sdpo_sweep_tasks{sweep="metered",state="failed"}'), 0);
  t.is(m.get('sdpo_sweep_running{sweep="metered",state="done"}'), 0);
  t.is(m.get('sdpo_workers'), 1);
  t.true(m.get('process_resident_memory_bytes')! > 1e6);
  const p50 = m.get('sdpo_event_loop_delay_seconds{quantile="0.5"}')!;
  const max = m.get('sdpo_event_loop_delay_seconds{quantile="1"}')!;
  t.true(p50 > 0 && p50 <= max, `event loop delay p50 ${p50} s, max ${max} s`);
  t.is((await fetch(`http://${metricsAt}/other`)).status, 404);

  const status = await runCli(['status', '--coordinator', address!]);
  t.is(status.code, 0, status.stderr);
  t.regex(status.stdout, /1 worker\(s\)/);
  t.regex(status.stdout, /scraped\s+1\s+0\s+6\s+\d+\.\d\s+20\d\d-/);
  const json = JSON.parse((await runCli(['status', '--coordinator', address!, '--json'])).stdout) as { workers: { name: string; completed: number; rate: number; joinedAt: string }[] };
  t.like(json.workers[0], { name: 'scraped', completed: 6 });
  t.true(json.workers[0]!.rate > 0, 'a per-worker rate (tasks/s since it joined)');
  t.false(Number.isNaN(Date.parse(json.workers[0]!.joinedAt)));

  for (const p of [w, c]) p.child.kill('SIGTERM');
  for (const p of [w, c]) t.is((await p.exited).code, 0, p.stderr);
});

test('the metrics endpoint is refused off loopback unless --insecure', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const r = await runCli(['coordinator', '--listen', '127.0.0.1:0', '--store', join(dir, 's.db'), '--metrics', '0.0.0.0:0']);
  t.is(r.code, 2);
  t.regex(r.stderr, /metrics endpoint is plain unauthenticated HTTP.*needs --insecure/);
});
