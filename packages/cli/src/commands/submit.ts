import { createSweepClient, gridToWire } from '@sdpo/protocol';
import { parseFlags } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import { clientError, DEFAULT_COORDINATOR, infoToProgress, loadGridOrExit, progressLine, progressReporter } from '../embedded.js';

const HELP = `usage: sdpo submit GRID [--coordinator HOST:PORT] [--watch] [--json]

Validates a grid file locally, then submits it to a running coordinator.
Submitting the same name and grid again is a no-op (it reports the sweep);
the same name with another grid is refused (exit 2).

  --coordinator HOST:PORT  (default ${DEFAULT_COORDINATOR}, or env SDPO_COORDINATOR)
  --watch                  follow progress until the sweep finishes
  --json                   print the sweep's status as JSON
  --token-file FILE        bearer token (or env SDPO_TOKEN)`;

export default async function submit(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { coordinator: { type: 'string' }, watch: { type: 'boolean' }, json: { type: 'boolean' }, 'token-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    'submit',
    true,
  );
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new CliError(`submit: one grid file expected\n\n${HELP}`);
  const def = loadGridOrExit(positionals[0], 'submit');
  const address = values.coordinator ?? process.env['SDPO_COORDINATOR'] ?? DEFAULT_COORDINATOR;
  const token = await readToken(values['token-file']);
  const client = createSweepClient(address, token ? { token } : {});
  try {
    let info = await client.submit(gridToWire(def)).catch((e: unknown) => clientError(e, address));
    if (values.watch) {
      const progress = progressReporter({ quiet: values.json === true });
      await client.watch(def.name, (i) => {
        info = i;
        progress.update(infoToProgress(i));
      }).catch((e: unknown) => clientError(e, address));
      progress.stop();
    }
    process.stdout.write(values.json ? JSON.stringify(info) + '\n' : `submitted ${progressLine(infoToProgress(info))} (${info.cached} from the cache)\n`);
    return values.watch && info.failed > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    client.close();
  }
}

/** Reads a token file (or SDPO_TOKEN). */
export async function readToken(path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return process.env['SDPO_TOKEN'];
  const { readFile } = await import('node:fs/promises');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    throw new CliError(`--token-file: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
