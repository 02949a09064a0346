import { CliError, EXIT } from './errors.js';

/** A command: gets its own argv (after the command name), returns the exit code. */
export type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  study: { summary: 'run a study preset embedded and write its report (the main command)', load: async () => (await import('./commands/study.js')).default },
  report: { summary: 'analyse a stored sweep and write the study report (HTML, Markdown, JSON, CSV)', load: async () => (await import('./commands/report.js')).default },
  sim: { summary: 'run one simulation and print its summary', load: async () => (await import('./commands/sim.js')).default },
  run: { summary: 'run a grid file on this machine (embedded coordinator + worker pool)', load: async () => (await import('./commands/run.js')).default },
  coordinator: { summary: 'serve sweeps to workers over gRPC, with a SQLite store', load: async () => (await import('./commands/coordinator.js')).default },
  worker: { summary: 'join a coordinator and run its tasks in a thread pool', load: async () => (await import('./commands/worker.js')).default },
  submit: { summary: 'submit a grid file to a running coordinator', load: async () => (await import('./commands/submit.js')).default },
  status: { summary: 'show sweeps, counts, workers, throughput and ETA', load: async () => (await import('./commands/status.js')).default },
  cancel: { summary: 'cancel a running sweep', load: async () => (await import('./commands/cancel.js')).default },
  drain: { summary: 'tell a connected worker to finish what it holds and leave', load: async () => (await import('./commands/drain.js')).default },
  export: { summary: 'export a sweep\'s results as CSV or JSON Lines', load: async () => (await import('./commands/export.js')).default },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return ['usage: sdpo <command> [options]', '', 'commands:', ...rows, '', 'Run `sdpo <command> --help` for its options.'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? EXIT.badInput : EXIT.ok;
  }
  const entry = COMMANDS[name];
  if (!entry) throw new CliError(`unknown command '${name}'\n\n${usage()}`);
  return (await entry.load())(rest);
}

// grpc-js gives TLS the address's host as the server name, an IP address too (grpc/grpc-node#1919), and
// Node warns about that once (DEP0123) when a worker or client reaches a coordinator by IP over TLS. The
// user did nothing wrong and nothing changes (the certificate is still checked against the IP): not printed.
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
process.emitWarning = ((...args: unknown[]) => {
  const [, typeOrOptions, code] = args;
  if ((typeof typeOrOptions === 'object' && typeOrOptions !== null ? (typeOrOptions as { code?: unknown }).code : code) === 'DEP0123') return;
  emitWarning(...args);
}) as typeof process.emitWarning;

// A reader that went away (`sdpo status | head -2`) ends the command quietly, for every
// command: there is no one left to tell. Stored results are committed as they arrive.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') process.stderr.write(`sdpo: cannot write to stdout (${err.code ?? err.message})\n`);
  process.exit(err.code === 'EPIPE' ? EXIT.ok : EXIT.failed);
});

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof CliError) {
    process.stderr.write(`sdpo: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else if (err instanceof Error && err.name === 'StoreError') {
    // A store file that is not ours, from another version, or without the sweep asked for
    // (@sdpo/coordinator's StoreError, matched by name: commands load it lazily).
    process.stderr.write(`sdpo: ${err.message}\n`);
    process.exitCode = EXIT.badInput;
  } else {
    // An internal fault: say so plainly; the stack is there for a bug report.
    process.stderr.write(`sdpo: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env['SDPO_DEBUG']) process.stderr.write(`${err instanceof Error ? err.stack : ''}\n`);
    process.exitCode = EXIT.failed;
  }
}
