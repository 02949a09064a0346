import { CoordinatorError, startCoordinator } from '@sdpo/coordinator';
import { LIMITS } from '@sdpo/protocol';
import { numberFlag, parseFlags, readSecrets, throwIfTlsError } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import { createLogger, DEFAULT_COORDINATOR, DEFAULT_STORE } from '../embedded.js';

const HELP = `usage: sdpo coordinator [--listen HOST:PORT] [--store FILE] [options]

Serves sweeps to workers over gRPC and keeps every result in a SQLite store.
Unfinished sweeps in the store resume at start. Stops on SIGINT/SIGTERM;
workers keep retrying and resume with the next coordinator on this store.

  --listen HOST:PORT     address to listen on (default ${DEFAULT_COORDINATOR}; port 0 = any free port)
  --store FILE           SQLite store (default ${DEFAULT_STORE})
  --lease-ms N           lease period (default 60000)
  --heartbeat-ms N       heartbeat period asked of workers (default 5000)
  --max-lost N           a task whose worker is lost (process died, lease expired) N times
                         while running it fails with WORKER_LOST (default 5; below 3, tasks
                         that shared a crashing task's worker may fail with it)
  --token-file FILE      bearer token clients must send (or env SDPO_TOKEN);
                         required off loopback unless --insecure
  --insecure             allow a non-loopback listen address without a token
  --tls-cert FILE --tls-key FILE [--tls-ca FILE]   TLS; with --tls-ca, client certificates are required
  --metrics HOST:PORT    serve Prometheus metrics at http://HOST:PORT/metrics (plain HTTP;
                         loopback only unless --insecure)

Prints 'listening on HOST:PORT' (and 'metrics on HOST:PORT') on stdout once ready.`;

export default async function coordinator(argv: string[]): Promise<number> {
  const s = { type: 'string' } as const;
  const { values } = parseFlags(
    argv,
    {
      listen: s, store: s, 'lease-ms': s, 'heartbeat-ms': s, 'max-lost': s, 'token-file': s, insecure: { type: 'boolean' },
      'tls-cert': s, 'tls-key': s, 'tls-ca': s, metrics: s, help: { type: 'boolean', short: 'h' },
    },
    'coordinator',
  );
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const listen = values.listen ?? DEFAULT_COORDINATOR;
  const { token, cert, key, ca } = readSecrets(values);
  if ((cert === undefined) !== (key === undefined)) throw new CliError('--tls-cert and --tls-key go together');
  // Mutual TLS checks clients against the CA only over a TLS server's own certificate and key;
  // ignoring --tls-ca would serve plaintext to anyone while the user believes clients are checked.
  if (ca !== undefined && cert === undefined) throw new CliError('--tls-ca needs --tls-cert and --tls-key: mutual TLS needs the server\'s own certificate and key');
  // Within what a worker accepts in its Welcome (else every worker refuses it and reconnects forever),
  // and a heartbeat well inside the lease (else healthy workers' leases expire).
  const leaseMs = periodFlag('lease-ms', values['lease-ms'], LIMITS.leaseMs);
  const heartbeatMs = periodFlag('heartbeat-ms', values['heartbeat-ms'], LIMITS.heartbeatMs);
  if ((heartbeatMs ?? 5000) * 2 > (leaseMs ?? 60_000)) {
    throw new CliError(`--heartbeat-ms (${heartbeatMs ?? 5000}) must be at most half of --lease-ms (${leaseMs ?? 60_000}): a lease is extended by the worker's heartbeats`);
  }
  const maxLost = numberFlag('max-lost', values['max-lost']);
  if (maxLost !== undefined && (!Number.isInteger(maxLost) || maxLost < 1)) throw new CliError(`--max-lost: expected a positive integer, got ${values['max-lost']}`);
  const logger = createLogger('info');
  // Test-only: big grids always wait for the submit thread (to exercise its path from the first submit).
  const threadWait = process.env['SDPO_TEST_SUBMIT_THREAD_WAIT'];
  let running;
  try {
    running = await startCoordinator({
      storePath: values.store ?? DEFAULT_STORE, listen, logger,
      ...(token ? { token } : {}), ...(values.insecure ? { insecure: true } : {}),
      ...(cert && key ? { tls: { cert, key, ...(ca ? { ca } : {}) } } : {}),
      ...(leaseMs !== undefined ? { leaseMs } : {}), ...(heartbeatMs !== undefined ? { heartbeatMs } : {}),
      ...(maxLost !== undefined ? { maxLost } : {}),
      ...(values.metrics !== undefined ? { metrics: values.metrics } : {}),
      ...(threadWait ? { submitThreadWait: Number(threadWait) } : {}),
    });
  } catch (err) {
    if (err instanceof CoordinatorError) throw new CliError(`coordinator: ${err.message}`);
    if (cert) throwIfTlsError(err, values);
    if (err instanceof Error && /bind|address|listen/i.test(err.message)) throw new CliError(`coordinator: cannot listen on ${listen}: ${err.message}`);
    throw err;
  }
  const host = listen.slice(0, listen.lastIndexOf(':'));
  process.stdout.write(`listening on ${host}:${running.port}\n`);
  if (running.metricsPort !== undefined) process.stdout.write(`metrics on ${values.metrics!.slice(0, values.metrics!.lastIndexOf(':'))}:${running.metricsPort}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      logger.info('shutting down');
      void running.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return EXIT.ok;
}

/** An integer period flag in ms within `bounds`, or a CliError naming the flag. */
function periodFlag(name: string, value: string | undefined, bounds: { readonly min: number; readonly max: number }): number | undefined {
  const n = numberFlag(name, value);
  if (n !== undefined && (!Number.isInteger(n) || n < bounds.min || n > bounds.max)) {
    throw new CliError(`--${name}: expected an integer from ${bounds.min} to ${bounds.max} (ms), got ${value}`);
  }
  return n;
}
