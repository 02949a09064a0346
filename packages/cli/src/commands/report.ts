import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { openStore, StoreError } from '@sdpo/coordinator';
import { buildReport, writeReport } from '@sdpo/report';
import type { RunResult } from '@sdpo/sim';
import { numberFlag, parseFlags } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import { DEFAULT_STORE } from '../embedded.js';

const HELP = `usage: sdpo report NAME [--out DIR] [--sensitivity NAME] [--store FILE] [--bootstrap N] [--bootstrap-seed N] [--json]

Analyses a sweep's stored results and writes the study report into DIR
(default ./report-NAME): index.html (self-contained, opens from disk),
report.md, summary.json (every number), runs.csv and figures/*.svg.

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

  const files = await buildReport({
    name,
    runs,
    ...(sensitivity && sensitivity.length > 0 ? { sensitivity } : {}),
    options: { analyze: { ...(bootstrapResamples !== undefined ? { bootstrapResamples } : {}), ...(bootstrapSeed !== undefined ? { bootstrapSeed } : {}) } },
  });
  const written = await writeReport(out, files);
  const summary = JSON.parse(files['summary.json']) as { analysis: { claims: { id: number; verdict: string; statement: string }[]; warnings: unknown[] } };
  if (values.json) {
    process.stdout.write(JSON.stringify({ out, files: written, runs: runs.length, claims: summary.analysis.claims.map((c) => ({ id: c.id, verdict: c.verdict })) }) + '\n');
  } else {
    const lines = [
      `${name}: report of ${runs.length} runs${sensitivity ? ` (+ ${sensitivity.length} sensitivity runs)` : ''} written to ${out}`,
      `  open ${resolve(out, 'index.html')}`,
      ...(summary.analysis.claims.length > 0 ? ['', 'claims:'] : []),
      ...summary.analysis.claims.map((c) => `  ${String(c.id).padStart(2)}. ${c.verdict.padEnd(14)} ${c.statement}`),
      ...(summary.analysis.warnings.length > 0 ? ['', `${summary.analysis.warnings.length} warning(s): see the report's Warnings section`] : []),
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }
  return EXIT.ok;
}
