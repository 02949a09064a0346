import { startWorker } from '@sdpo/worker';
import { countFlag, parseFlags, throwIfTlsError } from '../args.js';
import { CONNECT_FLAGS, CONNECT_HELP, connectOptions } from '../connect.js';
import { CliError, EXIT } from '../errors.js';
import { createLogger, WORKER_LIMITS } from '../embedded.js';

const HELP = `usage: sdpo worker [--coordinator HOST:PORT] [--threads N] [options]

Joins a coordinator and runs its tasks in a thread pool until stopped.
SIGTERM (or SIGINT) drains: no more tasks are taken, held ones finish and
their results are sent, then the worker exits 0 (if the coordinator does not
answer, it leaves after 5 s, and 10 s more for acknowledgements); a second
signal stops at once. Reconnects with capped
exponential backoff when the coordinator goes away.

  --threads N              pool threads (default: available cores; at most ${WORKER_LIMITS.threads})
  --credits N              tasks held at once (default 2 × threads; at most ${WORKER_LIMITS.credits})
  --name NAME              shown in status and logs (default host-pid; at most ${WORKER_LIMITS.name} characters)
${CONNECT_HELP}

Fault injection, for tests only (environment):
  SDPO_FAULT_INJECT=throw:FIELD=VALUE[,FIELD=VALUE]  tasks whose config matches every
                           field (e.g. throw:seed=1) fail with FAULT_INJECTED
  SDPO_FAULT_INJECT=crash:FIELD=VALUE[,…]  such tasks kill the worker process (SIGKILL)
  SDPO_TEST_SIM_VERSION, SDPO_TEST_PROTOCOL_VERSION  claim other versions in the
                           handshake (the coordinator refuses them)`;

export default async function worker(argv: string[]): Promise<number> {
  const s = { type: 'string' } as const;
  const { values } = parseFlags(
    argv,
    { ...CONNECT_FLAGS, threads: s, credits: s, name: s, help: { type: 'boolean', short: 'h' } },
    'worker',
  );
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const threads = countFlag('threads', values.threads, WORKER_LIMITS.threads);
  const credits = countFlag('credits', values.credits, WORKER_LIMITS.credits);
  if (values.name !== undefined && values.name.length > WORKER_LIMITS.name) {
    throw new CliError(`--name: at most ${WORKER_LIMITS.name} characters (got ${values.name.length})`);
  }
  const { address, options } = connectOptions(values);
  const logger = createLogger('info');
  // Test-only overrides of the versions claimed in the handshake (to exercise the coordinator's refusal).
  const advSim = process.env['SDPO_TEST_SIM_VERSION'];
  const advProto = process.env['SDPO_TEST_PROTOCOL_VERSION'];
  let w: ReturnType<typeof startWorker>;
  try {
    w = startWorker({
      ...(advSim || advProto ? { advertise: { ...(advSim ? { simVersion: advSim } : {}), ...(advProto ? { protocolVersion: Number(advProto) } : {}) } } : {}),
      coordinator: address!, logger, ...options,
      ...(threads !== undefined ? { threads } : {}), ...(credits !== undefined ? { credits } : {}),
      ...(values.name ? { name: values.name } : {}),
    });
  } catch (err) {
    throwIfTlsError(err, values);
    throw err;
  }
  // The first signal drains; a second one stops at once (held tasks go back to the coordinator).
  let signals = 0;
  const onSignal = (sig: string) => {
    if (++signals > 1) {
      logger.warn({ signal: sig }, 'second signal: stopping without finishing the held tasks');
      void w.stop();
      return;
    }
    logger.info({ signal: sig }, 'draining');
    void w.drain(sig);
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  try {
    await w.done;
  } catch (err) {
    // A refused token is bad input, as for every other command (gRPC 16 UNAUTHENTICATED).
    const token = (err as { grpcCode?: number }).grpcCode === 16;
    throw new CliError(`worker: ${(err as Error).message}${token ? '; pass --token-file or set SDPO_TOKEN' : ''}`, token ? EXIT.badInput : EXIT.failed);
  }
  logger.info({ completed: w.stats.completed, failed: w.stats.failed }, 'worker left');
  return EXIT.ok;
}
