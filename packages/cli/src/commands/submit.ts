import { gridToWire } from '@sdpo/protocol';
import { parseFlags } from '../args.js';
import { CONNECT_FLAGS, CONNECT_HELP, sweepClient } from '../connect.js';
import { CliError, EXIT } from '../errors.js';
import { cancelledSweep, clientError, infoToProgress, loadGridOrExit, progressLine, progressReporter } from '../embedded.js';

const HELP = `usage: sdpo submit GRID [--coordinator HOST:PORT] [--watch] [--json]

Validates a grid file locally, then submits it to a running coordinator.
Submitting the same name and grid again is a no-op (it reports the sweep);
the same name with another grid is refused (exit 2).

  --watch                  follow progress until the sweep finishes
  --json                   print the sweep's status as JSON
${CONNECT_HELP}`;

export default async function submit(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { ...CONNECT_FLAGS, watch: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    'submit',
    true,
  );
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new CliError(`submit: one grid file expected\n\n${HELP}`);
  const def = loadGridOrExit(positionals[0], 'submit');
  const { client, address } = sweepClient(values);
  try {
    let info = await client.submit(gridToWire(def)).catch((e: unknown) => clientError(e, address));
    if (info.state === 'cancelled') throw cancelledSweep(def.name);
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
