import { formatIssues, parseRunConfig, runSimulation, SUMMARY_KEYS, type RunResult } from '@sdpo/sim';
import { numberFlag, parseFlags } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import { formatTable } from '../table.js';

const HELP = `usage: sdpo sim --method M --feedback F --noise σ --seed N [options] [--json]

Runs one simulation in-process and prints its summary (the full RunResult with --json).

  --method      reinforce | rloo | grpo | sdpo | hybrid | hint-reinforce | oracle
  --feedback    critique | continuous | ordinal | binary
  --noise       feedback noise σ ≥ 0
  --seed        non-negative integer
  --vocab --length --group --steps --lr --kappa --ema-rate --divergence
  --jsd-beta --binary-quantile --eval-every   (see the README's method section)`;

/** Flags named like the run fields, in kebab-case. */
const NUMERIC = {
  noise: 'noise', seed: 'seed', vocab: 'vocab', length: 'length', group: 'group', steps: 'steps', lr: 'lr',
  kappa: 'kappa', 'ema-rate': 'emaRate', 'jsd-beta': 'jsdBeta', 'binary-quantile': 'binaryQuantile', 'eval-every': 'evalEvery',
} as const;

export default async function sim(argv: string[]): Promise<number> {
  const str = { type: 'string' } as const;
  const { values } = parseFlags(
    argv,
    {
      method: str, feedback: str, divergence: str, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      ...Object.fromEntries(Object.keys(NUMERIC).map((k) => [k, str])),
    },
    'sim',
  );
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const v = values as Record<string, string | boolean | undefined>;
  const input: Record<string, unknown> = {};
  for (const key of ['method', 'feedback', 'divergence'] as const) if (typeof v[key] === 'string') input[key] = v[key];
  for (const [flag, field] of Object.entries(NUMERIC)) {
    const n = numberFlag(flag, v[flag] as string | undefined);
    if (n !== undefined) input[field] = n;
  }
  const parsed = parseRunConfig(input);
  if (!parsed.ok) {
    // Name flags the way the user typed them.
    const kebab = (s: string | number) => String(s).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const issues = parsed.issues.map((i) => ({ ...i, path: i.path.length ? [`--${kebab(i.path[0]!)}`, ...i.path.slice(1)] : i.path }));
    throw new CliError(`sim: invalid run config\n${formatIssues(issues)}\n\n${HELP}`);
  }
  const result = runSimulation(parsed.value);
  process.stdout.write(values.json ? JSON.stringify(result) + '\n' : renderSummary(result));
  return EXIT.ok;
}

function renderSummary(r: RunResult): string {
  const c = r.config;
  const head = `${c.method} · ${c.feedback} · σ=${c.noise} · seed ${c.seed} · V=${c.vocab} T=${c.length} G=${c.group} S=${c.steps} (${r.timing.wallMs.toFixed(1)} ms, sim ${r.simVersion})\n`;
  const rows = SUMMARY_KEYS.map((k) => [k, fmt(r.summary[k])]);
  return head + formatTable(['metric', 'value'], rows) + '\n';
}

function fmt(x: number | null): string {
  if (x === null) return '—';
  return Number.isInteger(x) ? String(x) : x.toFixed(4);
}


