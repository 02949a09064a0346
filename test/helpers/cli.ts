// Spawns the real `sdpo` CLI (TypeScript sources through tsx) and waits on
// its output or on conditions with deadlines — never on fixed sleeps.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tsx resolves from here, so children run with it as cwd). */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(REPO, 'packages/cli/src/main.ts');

/** A spawned CLI process with its output collected as it arrives. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /**
   * Resolves with the exit code and signal once the process has exited and its
   * stdout and stderr are closed ('close', not 'exit': at 'exit' the last
   * output may still be in the pipes, and a check of it would race).
   */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `sdpo ARGS…` as `node --import tsx --conditions=@sdpo/source packages/cli/src/main.ts`. */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@sdpo/source', MAIN, ...args], {
    cwd: REPO,
    env: { ...process.env, SDPO_LOG_LEVEL: 'warn', FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p: CliProcess = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout!.on('data', (d: Buffer) => (p.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (p.stderr += d.toString()));
  return p;
}

/** Runs `sdpo ARGS…` to completion. */
export async function runCli(args: readonly string[], env: Record<string, string> = {}) {
  const p = spawnCli(args, env);
  const { code } = await p.exited;
  return { code, stdout: p.stdout, stderr: p.stderr };
}

/** How `p` exited, or 'still running' when it has not within `ms` (it is left running: see {@link killIfRunning}). */
export async function exitWithin(p: CliProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([p.exited, new Promise<'still running'>((res) => (timer = setTimeout(() => res('still running'), ms)))]);
  clearTimeout(timer);
  return r;
}

/** `s` as a regular expression that matches it literally (a path in a message). */
export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits for a line of a process's stdout matching `re`; fails fast if the process exits first. */
export async function waitForOutput(p: CliProcess, re: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
  let exited = false;
  void p.exited.then(() => (exited = true));
  return waitFor(`output ${re} (stderr: ${p.stderr.slice(-500)})`, () => {
    const m = re.exec(p.stdout);
    if (m) return m;
    if (exited) throw new Error(`process exited before printing ${re}; stderr:\n${p.stderr}`);
    return undefined;
  }, timeoutMs);
}

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix = 'sdpo-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a file into `dir` and returns its path. */
export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Kills a process if it is still running (test cleanup). */
export function killIfRunning(p: CliProcess | undefined): void {
  if (p && p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
}

/** A coordinator process on 127.0.0.1:0 over a fresh store, with every process it lists killed at teardown. */
export interface TestCluster {
  readonly dir: string;
  readonly storePath: string;
  /** HOST:PORT the coordinator printed. */
  readonly address: string;
  readonly coordinator: CliProcess;
  /** Processes killed (SIGKILL if still running) at teardown; push workers here. */
  readonly procs: CliProcess[];
}

/**
 * A temp directory and a list of processes for one test: at its teardown every
 * listed process still running is killed (SIGKILL) and the directory removed.
 */
export function testScratch(t: { teardown: (fn: () => void) => void }): { dir: string; procs: CliProcess[] } {
  const { dir, cleanup } = tempDir();
  const procs: CliProcess[] = [];
  t.teardown(() => {
    procs.forEach(killIfRunning);
    cleanup();
  });
  return { dir, procs };
}

/** Starts `sdpo coordinator` in a temp dir and waits for its address; cleans up at the test's teardown. */
export async function startCluster(t: { teardown: (fn: () => void) => void }, coordinatorArgs: readonly string[] = [], env: Record<string, string> = {}): Promise<TestCluster> {
  const { dir, procs } = testScratch(t);
  const storePath = join(dir, 'store.db');
  const coordinator = spawnCli(['coordinator', '--listen', '127.0.0.1:0', '--store', storePath, ...coordinatorArgs], env);
  procs.push(coordinator);
  const [, address] = await waitForOutput(coordinator, /listening on (\S+)/);
  return { dir, storePath, address: address!, coordinator, procs };
}
