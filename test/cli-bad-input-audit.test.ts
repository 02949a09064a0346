// The CLI's answers to bad input found by an audit: each exits 2 with a message
// that names the flag and the file, prints no stack trace, and writes nothing;
// and `status --watch` without a name, EPIPE on stdout, Ctrl-C during `run`.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIMITS } from '@sdpo/protocol';
import { makeTestCerts, type TestCerts } from './helpers/certs.js';
import { escapeRegExp, exitWithin, killIfRunning, runCli, spawnCli, startCluster, tempDir, testScratch, waitFor, writeFile, type CliProcess } from './helpers/cli.js';
import { scalar } from './helpers/store.js';

const STACK = /\n\s+at |internal error|Unhandled/;
/** A loopback port nothing listens on: a command that tried to connect would fail otherwise than asserted. */
const NOWHERE = '127.0.0.1:1';

/** The exit code of `p`, or 'still running' (after killing it) when it has not exited within `ms`: a refusal must come at once. */
async function codeWithin(p: CliProcess, ms = 60_000): Promise<number | null | 'still running'> {
  const r = await exitWithin(p, ms);
  killIfRunning(p);
  return r === 'still running' ? r : r.code;
}

/** Runs `sdpo ARGS…` and returns its exit code (or 'still running') and output. */
async function runWithin(args: readonly string[], ms = 60_000, env: Record<string, string> = {}) {
  const p = spawnCli(args, env);
  const code = await codeWithin(p, ms);
  return { code, stdout: p.stdout, stderr: p.stderr };
}

// One store with one finished sweep, and throwaway certificates, shared by the tests below (they only read them).
let fixture: { dir: string; store: string; certs: TestCerts; notPem: string; cleanup: () => void };
const SWEEP = 'small';
const GRID = `name: ${SWEEP}\naxes:\n  seed: [0, 1]\n  method: [reinforce, sdpo]\nfixed:\n  feedback: continuous\n  noise: 0\n  steps: 5\n  vocab: 4\n  length: 3\n`;

test.before(async () => {
  const { dir, cleanup } = tempDir();
  const store = join(dir, 'store.db');
  const r = await runCli(['run', writeFile(dir, 'small.yaml', GRID), '--store', store, '--threads', '1']);
  if (r.code !== 0) throw new Error(`the fixture run failed: ${r.stderr}`);
  fixture = { dir, store, certs: makeTestCerts(dir), notPem: writeFile(dir, 'not-pem.txt', 'this is not a PEM file\n'), cleanup };
});

test.after.always(() => fixture?.cleanup());

// ---- 1. TLS flags -------------------------------------------------------------

test('a coordinator given --tls-ca without --tls-cert/--tls-key refuses to start (exit 2) instead of serving plaintext', async (t) => {
  const { dir } = testScratch(t);
  const r = await runWithin(['coordinator', '--listen', '127.0.0.1:0', '--store', join(dir, 's.db'), '--tls-ca', fixture.certs.ca]);
  t.is(r.code, 2, r.stdout + r.stderr);
  t.regex(r.stderr, /--tls-ca needs --tls-cert and --tls-key/);
  t.notRegex(r.stdout, /listening/);
  t.notRegex(r.stderr, STACK);
  t.false(existsSync(join(dir, 's.db')), 'no store created');
});

test('TLS flags naming a file that is not PEM exit 2 naming the flag and the file, for the coordinator, the worker and clients', async (t) => {
  const { dir } = testScratch(t);
  const c = fixture.certs;
  const store = join(dir, 's.db');
  const cases: [string, string[], string][] = [
    ['coordinator --tls-cert', ['coordinator', '--listen', '127.0.0.1:0', '--store', store, '--tls-cert', fixture.notPem, '--tls-key', c.serverKey], 'tls-cert'],
    ['coordinator --tls-key', ['coordinator', '--listen', '127.0.0.1:0', '--store', store, '--tls-cert', c.serverCert, '--tls-key', fixture.notPem], 'tls-key'],
    ['coordinator --tls-ca', ['coordinator', '--listen', '127.0.0.1:0', '--store', store, '--tls-cert', c.serverCert, '--tls-key', c.serverKey, '--tls-ca', fixture.notPem], 'tls-ca'],
    ['worker --tls-ca', ['worker', '--coordinator', NOWHERE, '--tls-ca', fixture.notPem], 'tls-ca'],
    ['status --tls-ca', ['status', '--coordinator', NOWHERE, '--tls-ca', fixture.notPem], 'tls-ca'],
    ['worker --tls-key', ['worker', '--coordinator', NOWHERE, '--tls-ca', c.ca, '--tls-cert', c.clientCert, '--tls-key', fixture.notPem], 'tls-key'],
  ];
  for (const [what, args, flag] of cases) {
    const r = await runWithin(args, 30_000);
    t.is(r.code, 2, `${what}: ${r.stderr}`);
    t.regex(r.stderr, new RegExp(`--${flag}: ${escapeRegExp(fixture.notPem)} is not a PEM file \\(no '-----BEGIN `), what);
    t.notRegex(r.stderr, STACK, what);
  }
  t.false(existsSync(store), 'no store created');
});

test('a certificate and a key that do not belong together exit 2 naming both flags and files', async (t) => {
  const { dir } = testScratch(t);
  const c = fixture.certs;
  for (const args of [
    ['coordinator', '--listen', '127.0.0.1:0', '--store', join(dir, 's.db'), '--tls-cert', c.serverCert, '--tls-key', c.clientKey],
    ['worker', '--coordinator', NOWHERE, '--tls-ca', c.ca, '--tls-cert', c.clientCert, '--tls-key', c.serverKey],
  ]) {
    const r = await runWithin(args, 30_000);
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, /cannot use the TLS files --tls-cert .*--tls-key .*: key values mismatch/, args[0]);
    t.regex(r.stderr, new RegExp(escapeRegExp(args.at(-1)!)), args[0]);
    t.notRegex(r.stderr, STACK, args[0]);
  }
});

test('a coordinator address without a port (or with port 0) exits 2 naming --coordinator or SDPO_COORDINATOR, instead of trying port 443 and exiting 3', async (t) => {
  const { dir } = testScratch(t);
  const gridFile = writeFile(dir, 'g.yaml', GRID);
  const commands = [['status'], ['cancel', SWEEP], ['submit', gridFile], ['export', SWEEP], ['worker'], ['drain', 'w1']];
  const runs = [
    ...commands.map((c) => ({ args: [...c, '--coordinator', '127.0.0.1'], env: {}, from: '--coordinator', address: '127.0.0.1' })),
    { args: ['status', '--coordinator', 'localhost:0'], env: {}, from: '--coordinator', address: 'localhost:0' },
    { args: ['worker'], env: { SDPO_COORDINATOR: 'localhost' }, from: 'SDPO_COORDINATOR', address: 'localhost' },
  ];
  const results = await Promise.all(runs.map((x) => runWithin(x.args, 30_000, x.env)));
  runs.forEach((x, i) => {
    const r = results[i]!;
    const what = `${x.args.join(' ')} ${JSON.stringify(x.env)}`;
    t.is(r.code, 2, `${what}: ${r.stderr}`);
    t.regex(r.stderr, new RegExp(`${x.from}: expected HOST:PORT with a port from 1 to 65535, got '${escapeRegExp(x.address)}'`), what);
    t.notRegex(r.stderr, STACK, what);
  });
});

// ---- 2. export --out -------------------------------------------------------------

test('export --out into a missing directory or onto a directory exits 2 naming --out and the path, before reading anything', async (t) => {
  const { dir } = testScratch(t);
  const missing = join(dir, 'no', 'such', 'dir', 'x.csv');
  for (const [args, expect] of [
    [['export', SWEEP, '--store', fixture.store, '--out', missing], new RegExp(`--out: cannot write ${escapeRegExp(missing)}: the directory ${escapeRegExp(join(dir, 'no'))} does not exist`)],
    // With --coordinator the path is checked before connecting (nothing listens at NOWHERE).
    [['export', SWEEP, '--coordinator', NOWHERE, '--out', missing], new RegExp(`--out: cannot write ${escapeRegExp(missing)}`)],
    [['export', SWEEP, '--store', fixture.store, '--out', dir], new RegExp(`--out: ${escapeRegExp(dir)} is a directory; name a file`)],
  ] as const) {
    const r = await runWithin(args);
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, expect);
    t.notRegex(r.stderr, STACK);
    t.is(r.stdout, '');
  }
  t.false(existsSync(join(dir, 'no')));
});

// ---- 3. report / study --out -------------------------------------------------------

test('report --out naming a regular file (or a path under one) exits 2 naming --out before the analysis, and leaves the file as it was', async (t) => {
  const { dir } = testScratch(t);
  const file = writeFile(dir, 'taken', 'precious\n');
  for (const [out, expect] of [
    [file, new RegExp(`--out: cannot write the report to ${escapeRegExp(file)}: ${escapeRegExp(file)} is not a directory`)],
    [join(file, 'sub'), new RegExp(`--out: cannot write the report to ${escapeRegExp(join(file, 'sub'))}: ${escapeRegExp(file)} is not a directory`)],
  ] as const) {
    const r = await runWithin(['report', SWEEP, '--store', fixture.store, '--out', out, '--bootstrap', '10']);
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, expect);
    t.notRegex(r.stderr, STACK);
    t.is(r.stdout, '');
  }
  t.is(readFileSync(file, 'utf8'), 'precious\n');
});

// Node's recursive mkdir retries forever under /proc (mkdir there fails with ENOENT although /proc exists).
(existsSync('/proc/self') ? test : test.skip)('report --out under /proc fails at once with exit 2 naming --out instead of hanging', async (t) => {
  const r = await runWithin(['report', SWEEP, '--store', fixture.store, '--out', '/proc/sdpo-report', '--bootstrap', '10'], 60_000);
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /--out: cannot write the report to \/proc\/sdpo-report: cannot create the directory \/proc\/sdpo-report \(ENOENT\)/);
  t.notRegex(r.stderr, STACK);
});

test('study --out naming a regular file exits 2 before running anything (no store created)', async (t) => {
  const { dir } = testScratch(t);
  const file = writeFile(dir, 'taken', 'precious\n');
  const store = join(dir, 'store.db');
  const r = await runWithin(['study', '--preset', 'smoke', '--store', store, '--out', file, '--threads', '1']);
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, new RegExp(`--out: cannot write the report to ${escapeRegExp(file)}: ${escapeRegExp(file)} is not a directory`));
  t.false(existsSync(store), 'nothing was run');
  t.is(readFileSync(file, 'utf8'), 'precious\n');
});

// ---- 4. protocol limits on worker / run / study flags -------------------------------

test('worker --name, --threads and --credits past the protocol limits exit 2 naming the flag, before connecting', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--name', 'n'.repeat(300)], /--name: at most 200 characters \(got 300\)/],
    [['--credits', String(LIMITS.maxCredits + 1)], new RegExp(`--credits: at most ${LIMITS.maxCredits} \\(got ${LIMITS.maxCredits + 1}\\)`)],
    // Checked before any thread starts (not a pool of 5000 threads first).
    [['--threads', '5000'], /--threads: at most 4096 \(got 5000\)/],
  ];
  for (const [flags, expect] of cases) {
    const r = await runWithin(['worker', '--coordinator', NOWHERE, ...flags], 30_000);
    t.is(r.code, 2, `${flags[0]}: ${r.stderr}`);
    t.regex(r.stderr, expect);
    t.notRegex(r.stderr, STACK);
  }
});

test('run and study --threads past the protocol limit exit 2 naming --threads and create no store', async (t) => {
  const { dir } = testScratch(t);
  const store = join(dir, 'store.db');
  for (const args of [['run', writeFile(dir, 'g.yaml', GRID)], ['study', '--preset', 'smoke', '--out', join(dir, 'report')]]) {
    const r = await runWithin([...args, '--store', store, '--threads', '5000'], 30_000);
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, /--threads: at most 4096 \(got 5000\)/);
    t.false(existsSync(store), `${args[0]}: no store created`);
  }
});

// ---- 5. status --watch ----------------------------------------------------------------

test('status NAME --watch --json --store prints the sweep as one JSON line per update, ending when it is finished', async (t) => {
  const r = await runWithin(['status', SWEEP, '--watch', '--json', '--store', fixture.store]);
  t.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; state: string; done: number; total: number });
  t.is(lines.length, 1);
  t.like(lines[0], { name: SWEEP, state: 'done', done: 4, total: 4 });
});

test('status --watch without a name follows every sweep known at the start until all are finished (or Ctrl-C, exit 130), as JSON Lines with --json, from the coordinator and from the store', async (t) => {
  t.timeout(240_000);
  const cluster = await startCluster(t);
  const grid = (name: string, seeds: number) => writeFile(cluster.dir, `${name}.yaml`, GRID.replace(`name: ${SWEEP}`, `name: ${name}`).replace('seed: [0, 1]', `seed: {from: 0, to: ${seeds}}`));
  for (const [name, seeds] of [['alpha', 3], ['beta', 2]] as const) {
    const s = await runCli(['submit', grid(name, seeds), '--coordinator', cluster.address]);
    t.is(s.code, 0, s.stderr);
  }
  // No worker yet: both sweeps are running at 0 done while the watchers start.
  const watchers = {
    coordinatorJson: spawnCli(['status', '--watch', '--json', '--coordinator', cluster.address]),
    storeJson: spawnCli(['status', '--watch', '--json', '--store', cluster.storePath]),
    coordinatorLines: spawnCli(['status', '--watch', '--coordinator', cluster.address]),
  };
  cluster.procs.push(...Object.values(watchers));
  for (const w of [watchers.coordinatorJson, watchers.storeJson]) {
    await waitFor('both sweeps reported running', () => /"name":"alpha".*"state":"running"/.test(w.stdout) && /"name":"beta".*"state":"running"/.test(w.stdout), 60_000);
  }
  const interrupted = spawnCli(['status', '--watch', '--store', cluster.storePath]);
  cluster.procs.push(interrupted);
  for (const w of [watchers.coordinatorLines, interrupted]) {
    await waitFor('both progress lines', () => /alpha: 0\/6 done/.test(w.stderr) && /beta: 0\/4 done/.test(w.stderr), 60_000);
  }
  t.is(watchers.coordinatorJson.child.exitCode, null, 'the watch waits while sweeps run');
  interrupted.child.kill('SIGINT');
  t.is(await codeWithin(interrupted), 130, `Ctrl-C stops a watch: ${interrupted.stderr}`);

  cluster.procs.push(spawnCli(['worker', '--coordinator', cluster.address, '--threads', '1']));
  for (const [what, w] of Object.entries(watchers)) {
    t.is(await codeWithin(w, 120_000), 0, `${what}: ${w.stderr}`);
    t.notRegex(w.stderr, STACK, what);
  }
  for (const what of ['coordinatorJson', 'storeJson'] as const) {
    const rows = watchers[what].stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; state: string; done: number; total: number });
    const last = (name: string) => rows.filter((r) => r.name === name).at(-1);
    t.like(last('alpha'), { state: 'done', done: 6, total: 6 }, what);
    t.like(last('beta'), { state: 'done', done: 4, total: 4 }, what);
    t.true(rows.some((r) => r.state === 'running'), `${what}: the running state was reported too`);
  }
  t.regex(watchers.coordinatorLines.stderr, /alpha: 6\/6 done \(100\.0%\)/);
  t.regex(watchers.coordinatorLines.stderr, /beta: 4\/4 done \(100\.0%\)/);
});

test('a watch whose coordinator dies, and a status with no coordinator to ask, exit 3 (unreachable), not 1 (failed tasks)', async (t) => {
  const cluster = await startCluster(t);
  const s = await runCli(['submit', writeFile(cluster.dir, 'w.yaml', GRID), '--coordinator', cluster.address]);
  t.is(s.code, 0, s.stderr);
  const watch = spawnCli(['status', SWEEP, '--watch', '--json', '--coordinator', cluster.address]);
  cluster.procs.push(watch);
  await waitFor('the sweep reported running', () => /"state":"running"/.test(watch.stdout), 60_000);
  cluster.coordinator.child.kill('SIGKILL');
  t.is(await codeWithin(watch), 3, watch.stderr);
  t.regex(watch.stderr, new RegExp(`cannot reach a coordinator at ${escapeRegExp(cluster.address)}|the watch ended before ${SWEEP} finished`));
  t.notRegex(watch.stderr, STACK);
  const nobody = await runWithin(['status', '--coordinator', NOWHERE], 30_000);
  t.is(nobody.code, 3, nobody.stderr);
  t.regex(nobody.stderr, /cannot reach a coordinator at 127\.0\.0\.1:1/);
});

// ---- 6. EPIPE on stdout ----------------------------------------------------------------

test('a reader that closes stdout early (sdpo status | head) ends the command quietly with exit 0', async (t) => {
  for (const args of [['status', '--store', fixture.store], ['export', SWEEP, '--store', fixture.store]]) {
    const p = spawnCli(args);
    // The read end closes before the command writes: its first write fails with EPIPE.
    p.child.stdout!.destroy();
    t.is(await codeWithin(p), 0, p.stderr);
    t.is(p.stderr, '', args[0]);
  }
});

// ---- 7. empty token file -----------------------------------------------------------------

test('an empty or whitespace-only --token-file exits 2 naming the flag and the file', async (t) => {
  const { dir } = testScratch(t);
  const empty = writeFile(dir, 'empty-token', '');
  const blank = writeFile(dir, 'blank-token', ' \n\t\n');
  for (const [args, file] of [
    [['status', '--coordinator', NOWHERE, '--token-file', empty], empty],
    [['worker', '--coordinator', NOWHERE, '--token-file', blank], blank],
    [['coordinator', '--listen', '127.0.0.1:0', '--store', join(dir, 's.db'), '--token-file', blank], blank],
  ] as const) {
    const r = await runWithin(args, 30_000, { SDPO_TOKEN: '' });
    t.is(r.code, 2, `${args[0]}: ${r.stderr}`);
    t.regex(r.stderr, new RegExp(`--token-file: the token file ${escapeRegExp(file)} is empty`));
    t.notRegex(r.stdout, /listening/);
  }
  t.false(existsSync(join(dir, 's.db')));
});

// ---- 8. Ctrl-C during an embedded run --------------------------------------------------------

test('Ctrl-C during an embedded run logs no task failures for the tasks it abandons, exits 130 and keeps what was stored', async (t) => {
  t.timeout(240_000);
  const { dir, procs } = testScratch(t);
  const store = join(dir, 'store.db');
  const file = writeFile(dir, 'long.yaml', 'name: long\naxes:\n  seed: {from: 0, to: 400}\n  method: [sdpo]\nfixed:\n  feedback: continuous\n  noise: 0\n  steps: 2000\n');
  const run = spawnCli(['run', file, '--store', store, '--threads', '1']);
  procs.push(run);
  await waitFor('a result stored', () => {
    try {
      return existsSync(store) && scalar(store, "SELECT done FROM sweeps WHERE name = 'long'") >= 1;
    } catch {
      return false; // the run is still creating the store's tables
    }
  }, 120_000, 100);
  run.child.kill('SIGINT');
  t.is(await codeWithin(run, 60_000), 130, run.stderr);
  t.regex(run.stderr, /interrupted: \d+\/400 done/);
  t.notRegex(run.stderr, /task failed|aborted/);
  const stored = scalar(store, "SELECT done FROM sweeps WHERE name = 'long'");
  t.true(stored >= 1 && stored < 400, `stored ${stored}`);
});

test('submitting or running a grid under the name of a cancelled sweep exits 2 saying so, instead of reporting it submitted and doing nothing', async (t) => {
  const { dir, storePath, address, coordinator } = await startCluster(t);
  // No worker: the sweep stays running until it is cancelled.
  const grid = writeFile(dir, 'c.yaml', GRID.replace(`name: ${SWEEP}`, 'name: gone'));
  const submitted = await runCli(['submit', grid, '--coordinator', address]);
  t.is(submitted.code, 0, submitted.stderr);
  t.is((await runCli(['cancel', 'gone', '--coordinator', address])).code, 0);
  const again = await runCli(['submit', grid, '--coordinator', address]);
  t.is(again.code, 2, again.stderr);
  t.regex(again.stderr, /the sweep 'gone' was cancelled, and a cancelled sweep is not resumed: submit the grid under another name/);
  t.notRegex(again.stdout, /submitted/);
  coordinator.child.kill('SIGTERM');
  await coordinator.exited;
  // The same in one process, on that store.
  const run = await runCli(['run', grid, '--store', storePath, '--threads', '1']);
  t.is(run.code, 2, run.stderr);
  t.regex(run.stderr, /the sweep 'gone' was cancelled/);
  t.notRegex(run.stderr, STACK);
  t.is(scalar<string>(storePath, "SELECT state FROM sweeps WHERE name = 'gone'"), 'cancelled');
});

test('a heartbeat or lease period a worker would refuse, or a heartbeat that does not fit twice in the lease, exits 2 naming the flag', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const store = join(dir, 'never.db');
  const cases: [string[], RegExp][] = [
    // Before: "listening", then every worker refused the Welcome and reconnected forever.
    [['--heartbeat-ms', '5'], /--heartbeat-ms: expected an integer from 10 to 3600000 \(ms\), got 5/],
    [['--lease-ms', '1000.5'], /--lease-ms: expected an integer from 100 to 86400000 \(ms\), got 1000\.5/],
    // Before: healthy workers' leases expired over and over, and good tasks failed as WORKER_LOST.
    [['--lease-ms', '1000'], /--heartbeat-ms \(5000\) must be at most half of --lease-ms \(1000\)/],
  ];
  for (const [flags, re] of cases) {
    const r = await runWithin(['coordinator', '--listen', '127.0.0.1:0', '--store', store, ...flags]);
    t.is(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, re);
    t.notRegex(r.stderr, STACK);
  }
  t.false(existsSync(store));
});
