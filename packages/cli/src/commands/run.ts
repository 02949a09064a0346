import { openStore } from '@sdpo/coordinator';
import { countFlag, parseFlags } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import { formatTable } from '../table.js';
import { DEFAULT_STORE, loadGridOrExit, progressReporter, rewardMatrix, runGridEmbedded, submissionError, createLogger, WORKER_LIMITS } from '../embedded.js';

const HELP = `usage: sdpo run GRID [--store FILE] [--threads N] [--json]

Runs every task of a grid file (YAML or JSON) on this machine: an embedded
coordinator and a local worker pool in one process, talking gRPC over
127.0.0.1. Results go to the store (default ${DEFAULT_STORE}); tasks whose
result is already stored (any sweep) are reused. Ctrl-C stops cleanly and
running the same command again resumes.

  --store FILE   SQLite store (default ${DEFAULT_STORE})
  --threads N    pool threads (default: available cores)
  --json         print the outcome as JSON on stdout

Exit codes: 0 done, 1 some tasks failed, 2 bad input, 130 interrupted.`;

export default async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { store: { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    'run',
    true,
  );
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new CliError(`run: one grid file expected, got ${positionals.length}\n\n${HELP}`);
  const threads = countFlag('threads', values.threads, WORKER_LIMITS.threads);
  const def = loadGridOrExit(positionals[0], 'run');
  const storePath = values.store ?? DEFAULT_STORE;

  const ac = new AbortController();
  const onSigint = () => {
    if (ac.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping (Ctrl-C again to force)…\n');
    ac.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const progress = progressReporter({ quiet: values.json === true });
  let outcome;
  try {
    outcome = await runGridEmbedded(def, {
      storePath, signal: ac.signal, onProgress: (p) => progress.update(p), logger: createLogger('warn'),
      ...(threads !== undefined ? { threads } : {}),
    }).catch(submissionError);
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }

  if (outcome.interrupted) {
    const msg = `interrupted: ${outcome.done}/${outcome.total} done and stored in ${storePath}; run the same command again to resume`;
    if (values.json) process.stdout.write(JSON.stringify({ ...outcome }) + '\n');
    process.stderr.write(msg + '\n');
    return 130;
  }
  const store = openStore(storePath);
  try {
    const matrix = rewardMatrix(store.sweepResults(def.name));
    const failed = outcome.failed > 0 ? store.failedTasks(def.name, 20) : [];
    if (values.json) {
      process.stdout.write(JSON.stringify({ ...outcome, meanFinalReward: matrix.cells, failures: failed }) + '\n');
    } else {
      const head = `${def.name}: ${outcome.state === 'done' ? 'done' : outcome.state === 'failed' ? 'completed with failures' : outcome.state}, ${outcome.done}/${outcome.total} results (${outcome.computed} computed, ${outcome.cached} from the cache)${outcome.failed ? `, ${outcome.failed} failed` : ''}; store ${storePath}`;
      process.stdout.write(`${head}\n\nmean finalReward (method × feedback)\n${formatTable(matrix.header, matrix.rows)}\n`);
      if (failed.length) {
        process.stdout.write(`\nfailed tasks${outcome.failed > failed.length ? ` (first ${failed.length} of ${outcome.failed})` : ''}:\n`);
        for (const f of failed) process.stdout.write(`  #${f.index} ${f.key.slice(0, 12)} ${f.code}: ${f.message.split('\n')[0]}\n`);
      }
    }
  } finally {
    store.close();
  }
  return outcome.failed > 0 ? EXIT.failed : EXIT.ok;
}
