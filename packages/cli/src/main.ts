import { CliError, EXIT } from './errors.js';

/** A command: gets its own argv (after the command name), returns the exit code. */
export type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  sim: { summary: 'run one simulation and print its summary', load: async () => (await import('./commands/sim.js')).default },
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

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof CliError) {
    process.stderr.write(`sdpo: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    // An internal fault: say so plainly; the stack is there for a bug report.
    process.stderr.write(`sdpo: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env['SDPO_DEBUG']) process.stderr.write(`${err instanceof Error ? err.stack : ''}\n`);
    process.exitCode = EXIT.failed;
  }
}
