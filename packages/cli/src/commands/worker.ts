import { startWorker } from '@sdpo/worker';
import { numberFlag, parseFlags, readSecrets } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import { createLogger, DEFAULT_COORDINATOR } from '../embedded.js';

const HELP = `usage: sdpo worker [--coordinator HOST:PORT] [--threads N] [options]

Joins a coordinator and runs its tasks in a thread pool until stopped.
SIGTERM (or SIGINT) drains: no more tasks are taken, held ones finish and
their results are sent, then the worker exits 0. Reconnects with capped
exponential backoff when the coordinator goes away.

  --coordinator HOST:PORT  (default ${DEFAULT_COORDINATOR}, or env SDPO_COORDINATOR)
  --threads N              pool threads (default: available cores)
  --credits N              tasks held at once (default 2 × threads)
  --name NAME              shown in status and logs (default host-pid)
  --token-file FILE        bearer token (or env SDPO_TOKEN)
  --tls-ca FILE [--tls-cert FILE --tls-key FILE]   TLS (client certificate for mutual TLS)

Fault injection, for tests only (environment):
  SDPO_FAULT_INJECT=throw:FIELD=VALUE[,FIELD=VALUE]  tasks whose config matches every
                           field (e.g. throw:seed=1) fail with FAULT_INJECTED
  SDPO_TEST_SIM_VERSION, SDPO_TEST_PROTOCOL_VERSION  claim other versions in the
                           handshake (the coordinator refuses them)`;

export default async function worker(argv: string[]): Promise<number> {
  const s = { type: 'string' } as const;
  const { values } = parseFlags(
    argv,
    { coordinator: s, threads: s, credits: s, name: s, 'token-file': s, 'tls-ca': s, 'tls-cert': s, 'tls-key': s, help: { type: 'boolean', short: 'h' } },
    'worker',
  );
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const int = (flag: string, v: string | undefined) => {
    const n = numberFlag(flag, v);
    if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new CliError(`--${flag}: expected a positive integer, got ${v}`);
    return n;
  };
  const threads = int('threads', values.threads);
  const credits = int('credits', values.credits);
  const { token, cert, key, ca } = readSecrets(values);
  const logger = createLogger('info');
  // Test-only overrides of the versions claimed in the handshake (to exercise the coordinator's refusal).
  const advSim = process.env['SDPO_TEST_SIM_VERSION'];
  const advProto = process.env['SDPO_TEST_PROTOCOL_VERSION'];
  const w = startWorker({
    ...(advSim || advProto ? { advertise: { ...(advSim ? { simVersion: advSim } : {}), ...(advProto ? { protocolVersion: Number(advProto) } : {}) } } : {}),
    coordinator: values.coordinator ?? process.env['SDPO_COORDINATOR'] ?? DEFAULT_COORDINATOR, logger,
    ...(threads !== undefined ? { threads } : {}), ...(credits !== undefined ? { credits } : {}),
    ...(values.name ? { name: values.name } : {}), ...(token ? { token } : {}),
    ...(ca || cert ? { tls: { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) } } : {}),
  });
  const onSignal = (sig: string) => {
    logger.info({ signal: sig }, 'draining');
    void w.drain(sig);
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  try {
    await w.done;
  } catch (err) {
    throw new CliError(`worker: ${(err as Error).message}`, EXIT.failed);
  }
  logger.info({ completed: w.stats.completed, failed: w.stats.failed }, 'worker left');
  return EXIT.ok;
}
