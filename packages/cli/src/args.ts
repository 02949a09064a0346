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

/** Reads the file a flag names, or a {@link CliError} that names the flag and the reason. */
export function readFlagFile(flag: string, path: string | undefined): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CliError(`--${flag}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/**
 * The bearer token and TLS material of `--token-file`, `--tls-cert`, `--tls-key`
 * and `--tls-ca`. The token comes from its file or SDPO_TOKEN, never from a
 * flag's value, so it stays out of process listings and shell history.
 */
export function readSecrets(values: { readonly [flag: string]: unknown }) {
  const path = (flag: string) => (typeof values[flag] === 'string' ? (values[flag] as string) : undefined);
  return {
    token: readFlagFile('token-file', path('token-file'))?.toString('utf8').trim() ?? process.env['SDPO_TOKEN'],
    cert: readFlagFile('tls-cert', path('tls-cert')),
    key: readFlagFile('tls-key', path('tls-key')),
    ca: readFlagFile('tls-ca', path('tls-ca')),
  };
}
