import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { openStore, StoreError } from '@sdpo/coordinator';
import { buildReport, writeReport } from '@sdpo/report';
import type { RunResult } from '@sdpo/sim';
import { numberFlag, parseFlags } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import { DEFAULT_STORE } from '../embedded.js';
import { prepareOutDir } from '../out.js';
import { formatTable } from '../table.js';

const HELP = `usage: sdpo report NAME [--out DIR] [--sensitivity NAME] [--store FILE] [--bootstrap N] [--bootstrap-seed N] [--json]

Analyses a sweep's stored results and writes the study report into DIR
(default ./report-NAME): index.html (self-contained, opens from disk),
report.md, summary.json (every number), runs.csv (runs-sensitivity.csv too with --sensitivity) and figures/*.svg.

  --out DIR            report folder (created if missing)
  --sensitivity NAME   a κ-sensitivity sweep to add (crossover table and figure)
  --store FILE         SQLite store (default ${DEFAULT_STORE})
  --bootstrap N        bootstrap resamples for the aggregates (default 10000)
  --bootstrap-seed N   seed of the bootstrap (default 0; same seed, same intervals)
  --json               print what was written as JSON on stdout`;

function intFlag(name: string, value: string | undefined, min: number): number | undefined {
  const n = numberFlag(name, value);
  if (n !== undefined && (!Number.isInteger(n) || n < min)) throw new CliError(`--${name}: expected an integer ≥ ${min}, got '${value}'`);
  return n;
}

export default async function report(argv: string[]): Promise<number> {
  const s = { type: 'string' } as const;
  const { values, positionals } = parseFlags(
    argv,
    { out: s, sensitivity: s, store: s, bootstrap: s, 'bootstrap-seed': s, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    'report',
    true,
  );
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const name = positionals[0];
  if (!name || positionals.length > 1) throw new CliError(`report: one sweep name expected\n\n${HELP}`);
  const bootstrapResamples = intFlag('bootstrap', values.bootstrap, 1);
  const bootstrapSeed = intFlag('bootstrap-seed', values['bootstrap-seed'], 0);
  const storePath = values.store ?? DEFAULT_STORE;
  if (!existsSync(storePath)) throw new CliError(`report: no store at ${storePath} (pass --store FILE)`);
  const out = resolve(values.out ?? `report-${name}`);

  let runs: RunResult[];
  let sensitivity: RunResult[] | undefined;
  const store = openStore(storePath);
  try {
    for (const n of [name, values.sensitivity]) {
      if (n !== undefined && !store.getSweep(n)) throw new CliError(`report: no sweep named '${n}' in ${storePath}`);
    }
    runs = store.sweepResults(name);
    sensitivity = values.sensitivity === undefined ? undefined : store.sweepResults(values.sensitivity);
  } catch (err) {
    if (err instanceof StoreError) throw new CliError(`report: ${err.message}`);
    throw err;
  } finally {
    store.close();
  }
  if (runs.length === 0) throw new CliError(`report: sweep '${name}' has no stored results yet; run it first (sdpo run / sdpo study)`, EXIT.failed);
  // Before the analysis (seconds to minutes on big sweeps), not after it.
  prepareOutDir('out', values.out ?? out);

  const outcome = await writeStudyReport({ name, runs, ...(sensitivity ? { sensitivity } : {}), out, bootstrapResamples, bootstrapSeed });
  process.stdout.write(values.json ? JSON.stringify(outcome) + '\n' : renderReportOutcome(outcome));
  return EXIT.ok;
}

/** One claim as `report` and `study` print it. */
export interface ClaimRow {
  readonly id: number;
  readonly verdict: string;
  readonly statement: string;
  readonly estimate: number | null;
  readonly ci: { readonly lo: number; readonly hi: number } | null;
  readonly p: number | null;
  readonly n: number;
}

/** What {@link writeStudyReport} wrote and the verdicts it found. */
export interface ReportOutcome {
  readonly name: string;
  readonly out: string;
  readonly files: readonly string[];
  readonly runs: number;
  readonly sensitivityRuns: number;
  readonly claims: readonly ClaimRow[];
  readonly warnings: number;
}

/** Analyses runs, writes the report folder and returns what `report` and `study` print. */
export async function writeStudyReport(input: {
  readonly name: string;
  readonly runs: readonly RunResult[];
  readonly sensitivity?: readonly RunResult[];
  readonly out: string;
  readonly bootstrapResamples?: number | undefined;
  readonly bootstrapSeed?: number | undefined;
}): Promise<ReportOutcome> {
  const { bootstrapResamples, bootstrapSeed, sensitivity } = input;
  const files = await buildReport({
    name: input.name,
    runs: input.runs,
    ...(sensitivity && sensitivity.length > 0 ? { sensitivity } : {}),
    options: { analyze: { ...(bootstrapResamples !== undefined ? { bootstrapResamples } : {}), ...(bootstrapSeed !== undefined ? { bootstrapSeed } : {}) } },
  });
  const written = await writeReport(input.out, files).catch((err: unknown) => {
    // The folder was checked before the analysis; this is a later failure (disk full, removed meanwhile).
    throw new CliError(`--out: cannot write the report to ${input.out} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, EXIT.failed);
  });
  const summary = JSON.parse(files['summary.json']) as { analysis: { claims: ClaimRow[]; warnings: unknown[] } };
  return {
    name: input.name, out: input.out, files: written, runs: input.runs.length, sensitivityRuns: sensitivity?.length ?? 0,
    claims: summary.analysis.claims.map((c) => ({ id: c.id, verdict: c.verdict, statement: c.statement, estimate: c.estimate, ci: c.ci, p: c.p, n: c.n })),
    warnings: summary.analysis.warnings.length,
  };
}

const num = (x: number | null): string => (x === null ? '—' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(3));

/** The human-readable lines for a written report: path, claims table, warnings. */
export function renderReportOutcome(o: ReportOutcome): string {
  const lines = [
    `${o.name}: report of ${o.runs} runs${o.sensitivityRuns ? ` (+ ${o.sensitivityRuns} sensitivity runs)` : ''} written to ${o.out}`,
    `  open ${resolve(o.out, 'index.html')}`,
    ...(o.claims.length > 0
      ? ['', formatTable(['#', 'verdict', 'estimate', '95% CI', 'p', 'claim'], o.claims.map((c) => [
          String(c.id), c.verdict, num(c.estimate), c.ci ? `[${num(c.ci.lo)}, ${num(c.ci.hi)}]` : '—', c.p === null ? '—' : c.p < 1e-4 ? '<1e-4' : c.p.toFixed(4), c.statement,
        ]))]
      : []),
    ...(o.warnings > 0 ? ['', `${o.warnings} warning(s): see the report's Warnings section`] : []),
  ];
  return lines.join('\n') + '\n';
}
