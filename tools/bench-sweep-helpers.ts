// Shared bits of the sweep benchmarks: spawning the CLI, reading RSS, medians.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../', import.meta.url));

/** Every process a benchmark started: killed when the benchmark exits, however it exits. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
// A closed pipe (`bench … | head`) or Ctrl-C would otherwise leave coordinators behind.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGPIPE'] as const) process.on(sig, () => process.exit(130));
process.stdout.on('error', () => process.exit(141));

/** Kills `child` when the benchmark exits, unless it has exited by then. */
export function killOnExit<C extends ChildProcess>(child: C): C {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Starts `sdpo ARGS…` from the TypeScript sources; it is killed when the benchmark exits. */
export function spawnSdpo(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): ChildProcess & { out: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', '--conditions=@sdpo/source', 'packages/cli/src/main.ts', ...args], {
    cwd: REPO, env: { ...process.env, SDPO_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { out: { stdout: string; stderr: string } };
  killOnExit(child);
  child.out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (child.out.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (child.out.stderr += d.toString()));
  return child;
}

/** Waits until `re` matches the child's stdout. */
export async function waitOutput(child: ChildProcess & { out: { stdout: string } }, re: RegExp, timeoutMs = 120_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = re.exec(child.out.stdout);
    if (m) return m;
    if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}) before ${re}`);
    if (Date.now() > deadline) throw new Error(`timeout waiting for ${re}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resident set size of a process in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? Number.NaN : n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** One line describing the machine's load, printed with every figure. */
export function loadLine(): string {
  const [a, b, c] = loadavg();
  return `load average ${a!.toFixed(2)} ${b!.toFixed(2)} ${c!.toFixed(2)} (1/5/15 min)`;
}
