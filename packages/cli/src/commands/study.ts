import { resolve } from 'node:path';
import { openStore } from '@sdpo/coordinator';
import { parseGridData, type SweepDefinition } from '@sdpo/protocol';
import { PRESET_NAMES, type PresetName, type RunResult } from '@sdpo/sim';
import { countFlag, numberFlag, parseFlags } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import { createLogger, DEFAULT_STORE, progressReporter, runGridEmbedded, submissionError, WORKER_LIMITS, type EmbeddedOutcome } from '../embedded.js';
import { prepareOutDir } from '../out.js';
import { renderReportOutcome, writeStudyReport } from './report.js';

const HELP = `usage: sdpo study [--preset NAME] [--no-sensitivity] [--out DIR] [--store FILE] [--threads N] [--bootstrap N] [--json]

Runs a study preset on this machine (embedded coordinator + local worker pool),
then writes the report and prints the claims table and the report's path.
Finished runs are kept in the store: rerunning resumes, and a second study
reuses every stored result.

  --preset NAME      ${PRESET_NAMES.join(' | ')} (default: default)
  --no-sensitivity   with the default preset, skip the κ × lr sensitivity sweep
                     (it is run by default: the report's κ crossover needs it)
  --out DIR          report folder (default ./report-<preset>)
  --store FILE       SQLite store (default ${DEFAULT_STORE})
  --threads N        pool threads (default: available cores)
  --bootstrap N      bootstrap resamples for the aggregates (default 10000)
  --json             print the outcome as JSON on stdout

Exit codes: 0 done, 1 some tasks failed, 2 bad input, 130 interrupted.`;

/** The sweep a preset runs as: named after it, so a rerun resumes the same sweep. */
function presetSweep(preset: PresetName): SweepDefinition {
  return parseGridData({ name: `preset-${preset}`, preset }, `preset ${preset}`);
}

export default async function study(argv: string[]): Promise<number> {
  const s = { type: 'string' } as const;
  const { values, positionals } = parseFlags(
    argv,
    {
      preset: s, out: s, store: s, threads: s, bootstrap: s,
      'no-sensitivity': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
    'study',
    true,
  );
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new CliError(`study: unexpected argument '${positionals[0]}'\n\n${HELP}`);
  const preset = (values.preset ?? 'default') as PresetName;
  if (!PRESET_NAMES.includes(preset)) throw new CliError(`--preset: unknown preset '${values.preset}' (presets: ${PRESET_NAMES.join(', ')})`);
  const threads = countFlag('threads', values.threads, WORKER_LIMITS.threads);
  const bootstrap = numberFlag('bootstrap', values.bootstrap);
  if (bootstrap !== undefined && (!Number.isInteger(bootstrap) || bootstrap < 1)) throw new CliError(`--bootstrap: expected a positive integer, got ${values.bootstrap}`);
  const storePath = values.store ?? DEFAULT_STORE;
  const out = resolve(values.out ?? `report-${preset}`);
  // Checked before the sweeps run: a bad --out must not surface only after the whole study.
  prepareOutDir('out', values.out ?? out);

  const sweeps = [presetSweep(preset)];
  if (preset === 'default' && !values['no-sensitivity']) sweeps.push(presetSweep('sensitivity'));

  const ac = new AbortController();
  const onSignal = () => {
    if (ac.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping (Ctrl-C again to force)…\n');
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const outcomes: EmbeddedOutcome[] = [];
  try {
    for (const def of sweeps) {
      const progress = progressReporter({ quiet: values.json === true });
      try {
        outcomes.push(
          await runGridEmbedded(def, {
            storePath, signal: ac.signal, onProgress: (p) => progress.update(p), logger: createLogger('warn'),
            ...(threads !== undefined ? { threads } : {}),
          }).catch(submissionError),
        );
      } finally {
        progress.stop();
      }
      if (outcomes.at(-1)!.interrupted) break;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const last = outcomes.at(-1)!;
  if (last.interrupted) {
    process.stderr.write(`interrupted: ${last.sweepName} ${last.done}/${last.total} done and stored in ${storePath}; run the same command again to resume\n`);
    return 130;
  }
  for (const o of outcomes) {
    process.stderr.write(`${o.sweepName}: ${o.done}/${o.total} results (${o.computed} computed, ${o.cached} from the store)${o.failed ? `, ${o.failed} failed` : ''}\n`);
  }

  const store = openStore(storePath);
  let runs: RunResult[];
  let sensitivity: RunResult[] | undefined;
  try {
    runs = store.sweepResults(sweeps[0]!.name);
    sensitivity = sweeps[1] ? store.sweepResults(sweeps[1].name) : undefined;
  } finally {
    store.close();
  }
  process.stderr.write(`analysing ${runs.length + (sensitivity?.length ?? 0)} runs and writing the report…\n`);
  const report = await writeStudyReport({ name: sweeps[0]!.name, runs, ...(sensitivity ? { sensitivity } : {}), out, bootstrapResamples: bootstrap });
  const failed = outcomes.reduce((n, o) => n + o.failed, 0);
  if (values.json) process.stdout.write(JSON.stringify({ sweeps: outcomes, report }) + '\n');
  else process.stdout.write(renderReportOutcome(report) + (failed ? `\n${failed} task(s) failed: see \`sdpo status\`\n` : ''));
  return failed > 0 ? EXIT.failed : EXIT.ok;
}
