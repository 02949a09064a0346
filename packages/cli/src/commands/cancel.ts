import { parseFlags } from '../args.js';
import { CONNECT_FLAGS, CONNECT_HELP, sweepClient } from '../connect.js';
import { CliError, EXIT } from '../errors.js';
import { clientError, infoToProgress, progressLine } from '../embedded.js';

const HELP = `usage: sdpo cancel NAME [--coordinator HOST:PORT] [--json]

Cancels a running sweep: pending tasks are dropped and running ones revoked.
Stored results stay (and serve as cache).

  --json                   print the sweep's status as JSON
${CONNECT_HELP}`;

export default async function cancel(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { ...CONNECT_FLAGS, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    'cancel',
    true,
  );
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const name = positionals[0];
  if (!name || positionals.length > 1) throw new CliError(`cancel: one sweep name expected\n\n${HELP}`);
  const { client, address } = sweepClient(values);
  try {
    const info = await client.cancel(name).catch((e: unknown) => clientError(e, address));
    process.stdout.write(values.json ? JSON.stringify(info) + '\n' : `${info.state}: ${progressLine(infoToProgress(info))}\n`);
    return EXIT.ok;
  } finally {
    client.close();
  }
}
