import { CoordinatorError, splitHostPort } from '@sdpo/coordinator';
import { createSweepClient, type ClientOptions, type SweepClient } from '@sdpo/protocol';
import { readSecrets, throwIfTlsError } from './args.js';
import { DEFAULT_COORDINATOR } from './embedded.js';
import { CliError } from './errors.js';

const s = { type: 'string' } as const;

/** The flags of every command that talks to a coordinator. */
export const CONNECT_FLAGS = { coordinator: s, 'token-file': s, 'tls-ca': s, 'tls-cert': s, 'tls-key': s } as const;

/** Help lines for {@link CONNECT_FLAGS}. */
export const CONNECT_HELP = `  --coordinator HOST:PORT  (default ${DEFAULT_COORDINATOR}, or env SDPO_COORDINATOR)
  --token-file FILE        bearer token (or env SDPO_TOKEN)
  --tls-ca FILE            TLS: the CA that signed the coordinator's certificate
  --tls-cert FILE --tls-key FILE   client certificate for mutual TLS`;

/** Where to connect and how (token, TLS), from {@link CONNECT_FLAGS}; `address` undefined only if `fallback` is. */
export function connectOptions(
  values: { readonly [flag: string]: unknown },
  fallback: string | undefined = DEFAULT_COORDINATOR,
): { address: string | undefined; options: ClientOptions } {
  const { token, cert, key, ca } = readSecrets(values);
  if ((cert === undefined) !== (key === undefined)) throw new CliError('--tls-cert and --tls-key go together (a client certificate and its key)');
  const given = typeof values['coordinator'] === 'string' ? values['coordinator'] : undefined;
  const env = process.env['SDPO_COORDINATOR'];
  const address = given ?? env ?? fallback;
  // Without a port, grpc-js would try 443 and report only that nothing answers (exit 3).
  if (address !== undefined && address !== fallback) {
    const from = given !== undefined ? '--coordinator' : 'SDPO_COORDINATOR';
    let port = 0;
    try {
      port = splitHostPort(address, from).port;
    } catch (err) {
      if (!(err instanceof CoordinatorError)) throw err;
    }
    if (port === 0) throw new CliError(`${from}: expected HOST:PORT with a port from 1 to 65535, got '${address}'`);
  }
  return {
    address,
    options: {
      ...(token ? { token } : {}),
      ...(ca || cert ? { tls: { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) } } : {}),
    },
  };
}

/** A SweepService client; TLS files OpenSSL cannot use (a key that is not the certificate's) are bad input naming the flags. */
export function openClient(address: string, options: ClientOptions, values: { readonly [flag: string]: unknown }): SweepClient {
  try {
    return createSweepClient(address, options);
  } catch (err) {
    throwIfTlsError(err, values);
    throw err;
  }
}

/** A SweepService client for the coordinator the flags name. */
export function sweepClient(values: { readonly [flag: string]: unknown }): { client: SweepClient; address: string } {
  const { address, options } = connectOptions(values);
  return { client: openClient(address!, options, values), address: address! };
}
