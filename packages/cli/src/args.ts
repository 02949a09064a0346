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
