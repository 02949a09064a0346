import { createSweepClient } from '@sdpo/protocol';
import { parseFlags } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import { clientError, DEFAULT_COORDINATOR, infoToProgress, progressLine } from '../embedded.js';
import { readToken } from './submit.js';

const HELP = `usage: sdpo cancel NAME [--coordinator HOST:PORT] [--json]

Cancels a running sweep: pending tasks are dropped and running ones revoked.
Stored results stay (and serve as cache).`;

export default async function cancel(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { coordinator: { type: 'string' }, json: { type: 'boolean' }, 'token-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    'cancel',
    true,
  );
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const name = positionals[0];
  if (!name || positionals.length > 1) throw new CliError(`cancel: one sweep name expected\n\n${HELP}`);
  const address = values.coordinator ?? process.env['SDPO_COORDINATOR'] ?? DEFAULT_COORDINATOR;
  const token = await readToken(values['token-file']);
  const client = createSweepClient(address, token ? { token } : {});
  try {
    const info = await client.cancel(name).catch((e: unknown) => clientError(e, address));
    process.stdout.write(values.json ? JSON.stringify(info) + '\n' : `${info.state}: ${progressLine(infoToProgress(info))}\n`);
    return EXIT.ok;
  } finally {
    client.close();
  }
}
