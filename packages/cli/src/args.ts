import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './errors.js';

/** Parses flags with node's parseArgs, turning its errors into a {@link CliError} (exit 2). */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[], options: T, command: string, allowPositionals = false,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: boolean; strict: true }>> {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new CliError(`${command}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A numeric flag value: the number, or a {@link CliError} that names the flag. */
export function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new CliError(`--${name}: expected a number, got '${value}'`);
  return n;
}

/** A count flag (threads, credits): an integer from 1 to `max`, or a {@link CliError} that names the flag. */
export function countFlag(name: string, value: string | undefined, max: number): number | undefined {
  const n = numberFlag(name, value);
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name}: expected a positive integer, got ${value}`);
  if (n > max) throw new CliError(`--${name}: at most ${max} (got ${n})`);
  return n;
}

/** Reads the file a flag names, or a {@link CliError} that names the flag and the reason. */
export function readFlagFile(flag: string, path: string | undefined): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CliError(`--${flag}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** What each TLS flag's file must hold: a PEM block of this kind (its `-----BEGIN` line). */
const PEM_BLOCKS = {
  'tls-cert': { re: /-----BEGIN (TRUSTED )?CERTIFICATE-----/, begin: '-----BEGIN CERTIFICATE-----' },
  'tls-ca': { re: /-----BEGIN (TRUSTED )?CERTIFICATE-----/, begin: '-----BEGIN CERTIFICATE-----' },
  'tls-key': { re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, begin: '-----BEGIN PRIVATE KEY-----' },
} as const;

/**
 * Reads a TLS flag's file and checks that it holds PEM of the kind the flag
 * takes: otherwise OpenSSL fails later with "PEM routines::no start line",
 * naming neither the flag nor the file.
 */
function readPemFlag(flag: keyof typeof PEM_BLOCKS, path: string | undefined): Buffer | undefined {
  const pem = readFlagFile(flag, path);
  if (pem !== undefined && !PEM_BLOCKS[flag].re.test(pem.toString('latin1'))) {
    throw new CliError(`--${flag}: ${path} is not a PEM file (no '${PEM_BLOCKS[flag].begin}' line)`);
  }
  return pem;
}

/**
 * The bearer token and TLS material of `--token-file`, `--tls-cert`, `--tls-key`
 * and `--tls-ca`. The token comes from its file or SDPO_TOKEN, never from a
 * flag's value, so it stays out of process listings and shell history. A token
 * file that is empty is refused: taken as "no token", it would silently drop
 * authentication.
 */
export function readSecrets(values: { readonly [flag: string]: unknown }) {
  const path = (flag: string) => (typeof values[flag] === 'string' ? (values[flag] as string) : undefined);
  const tokenFile = path('token-file');
  const fileToken = readFlagFile('token-file', tokenFile)?.toString('utf8').trim();
  if (fileToken === '') throw new CliError(`--token-file: the token file ${tokenFile} is empty; write the token into it, or leave out --token-file`);
  return {
    token: fileToken ?? process.env['SDPO_TOKEN'],
    cert: readPemFlag('tls-cert', path('tls-cert')),
    key: readPemFlag('tls-key', path('tls-key')),
    ca: readPemFlag('tls-ca', path('tls-ca')),
  };
}

/** The TLS flags given with their files, as "--tls-cert FILE and --tls-key FILE", for messages. */
export function tlsFiles(values: { readonly [flag: string]: unknown }): string {
  const given = (['tls-cert', 'tls-key', 'tls-ca'] as const).filter((f) => typeof values[f] === 'string').map((f) => `--${f} ${values[f] as string}`);
  return given.length > 2 ? `${given.slice(0, -1).join(', ')} and ${given.at(-1)}` : given.join(' and ');
}

/**
 * Throws a {@link CliError} naming the TLS flags and files when `err` is an
 * OpenSSL error raised while building TLS credentials (a key that does not
 * match its certificate, a PEM block that does not parse); returns otherwise.
 */
export function throwIfTlsError(err: unknown, values: { readonly [flag: string]: unknown }): void {
  const e = err as { code?: unknown; reason?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && e.code.startsWith('ERR_OSSL')) {
    throw new CliError(`cannot use the TLS files ${tlsFiles(values)}: ${typeof e.reason === 'string' ? e.reason : String(e.message)}`);
  }
}
