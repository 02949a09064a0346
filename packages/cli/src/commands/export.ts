import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { openStore, StoreError } from '@sdpo/coordinator';
import { parseFlags } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import { DEFAULT_STORE } from '../embedded.js';

const HELP = `usage: sdpo export NAME [--format csv|jsonl] [--curves] [--store FILE] [--out FILE]

Writes a sweep's stored results in grid order: summaries as CSV (default) or
JSON Lines, or with --curves every curve as JSON Lines. To stdout unless --out.`;

export default async function exportCommand(argv: string[]): Promise<number> {
  const s = { type: 'string' } as const;
  const { values, positionals } = parseFlags(
    argv,
    { format: s, curves: { type: 'boolean' }, store: s, out: s, help: { type: 'boolean', short: 'h' } },
    'export',
    true,
  );
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const name = positionals[0];
  if (!name || positionals.length > 1) throw new CliError(`export: one sweep name expected\n\n${HELP}`);
  const format = values.format ?? (values.curves ? 'jsonl' : 'csv');
  if (format !== 'csv' && format !== 'jsonl') throw new CliError(`--format: expected csv or jsonl, got '${format}'`);
  if (values.curves && format !== 'jsonl') throw new CliError('--curves: curves export as JSON Lines only (--format jsonl)');
  const storePath = values.store ?? DEFAULT_STORE;
  if (!existsSync(storePath)) throw new CliError(`export: no store at ${storePath} (pass --store FILE)`);
  const store = openStore(storePath);
  let out: WriteStream | undefined;
  try {
    if (!store.getSweep(name)) throw new CliError(`export: no sweep named '${name}' in ${storePath}`);
    out = values.out ? createWriteStream(values.out) : undefined;
    // Buffered in chunks: one write per row would dominate on big sweeps.
    let buf = '';
    const write = (chunk: string) => {
      buf += chunk;
      if (buf.length > 1 << 16) {
        (out ?? process.stdout).write(buf);
        buf = '';
      }
    };
    if (values.curves) store.exportCurvesJsonl(name, write);
    else if (format === 'csv') store.exportSummariesCsv(name, write);
    else store.exportSummariesJsonl(name, write);
    (out ?? process.stdout).write(buf);
  } catch (err) {
    if (err instanceof StoreError) throw new CliError(`export: ${err.message}`);
    throw err;
  } finally {
    store.close();
    if (out) await new Promise((res) => out!.end(res));
  }
  return EXIT.ok;
}
