import { parseFlags } from '../args.js';
import { CONNECT_FLAGS, CONNECT_HELP, sweepClient } from '../connect.js';
import { CliError, EXIT } from '../errors.js';
import { clientError } from '../embedded.js';

const HELP = `usage: sdpo drain WORKER [--reason TEXT] [--coordinator HOST:PORT] [--json]

Tells a connected worker (by id, or every worker with that name, as
\`sdpo status\` lists them) to drain: it takes no more tasks, finishes and
reports what it holds, and exits 0. The same as sending it SIGTERM, from
wherever the coordinator is reachable.

  --reason TEXT            logged by the worker and the coordinator
  --json                   print the workers told, as JSON
${CONNECT_HELP}`;

export default async function drain(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { ...CONNECT_FLAGS, reason: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    'drain',
    true,
  );
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const worker = positionals[0];
  if (!worker || positionals.length > 1) throw new CliError(`drain: one worker id or name expected\n\n${HELP}`);
  const { client, address } = sweepClient(values);
  try {
    const res = await client.drainWorker(worker, values.reason ?? 'sdpo drain').catch((e: unknown) => clientError(e, address));
    if (values.json) process.stdout.write(JSON.stringify(res.workers) + '\n');
    else for (const w of res.workers) process.stdout.write(`draining ${w.name} (${w.workerId}): ${w.inFlight} task(s) in flight, ${w.completed} completed\n`);
    return EXIT.ok;
  } finally {
    client.close();
  }
}
