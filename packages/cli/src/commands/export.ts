import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { exportHeader, exportLine, openStore, StoreError, type ExportKind } from '@sdpo/coordinator';
import { resultFromWire } from '@sdpo/protocol';
import { parseFlags } from '../args.js';
import { CONNECT_FLAGS, CONNECT_HELP, connectOptions, openClient } from '../connect.js';
import { CliError, EXIT } from '../errors.js';
import { clientError, DEFAULT_STORE } from '../embedded.js';
import { checkOutFile } from '../out.js';

const HELP = `usage: sdpo export NAME [--format csv|jsonl] [--curves] [--out FILE] [--store FILE | --coordinator HOST:PORT]

Writes a sweep's stored results in grid order: summaries as CSV (default) or
JSON Lines, or with --curves every curve as JSON Lines. To stdout unless --out.
Reads the store (default ${DEFAULT_STORE}) unless --coordinator (or env
SDPO_COORDINATOR) is given; then the coordinator streams them.

  --store FILE             read this store
${CONNECT_HELP.replace(/\(default [^,]*, or env SDPO_COORDINATOR\)/, '(or env SDPO_COORDINATOR)')}`;

export default async function exportCommand(argv: string[]): Promise<number> {
  const s = { type: 'string' } as const;
  const { values, positionals } = parseFlags(
    argv,
    { ...CONNECT_FLAGS, format: s, curves: { type: 'boolean' }, store: s, out: s, help: { type: 'boolean', short: 'h' } },
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
  const kind: ExportKind = values.curves ? 'curves' : format;
  const { address, options } = values.store && !values.coordinator ? { address: undefined, options: {} } : connectOptions(values, undefined);
  const storePath = values.store ?? DEFAULT_STORE;
  if (!address && !existsSync(storePath)) throw new CliError(`export: no store at ${storePath} (pass --store FILE, or --coordinator HOST:PORT)`);

  if (values.out !== undefined) checkOutFile('out', values.out);

  // Opened at the first write, so an unknown sweep leaves no empty file behind. An error on
  // the stream (the path changed since the check, the disk filled up) is kept and reported.
  let out: WriteStream | undefined;
  let outError: NodeJS.ErrnoException | undefined;
  const outFailed = () => new CliError(`--out: cannot write ${values.out} (${outError!.code ?? outError!.message})`);
  const sink = (): NodeJS.WritableStream => {
    if (values.out === undefined) return process.stdout;
    if (outError) throw outFailed();
    if (!out) {
      out = createWriteStream(values.out);
      out.on('error', (err) => (outError ??= err));
    }
    return out;
  };
  // Buffered in chunks: one write per row would dominate on big sweeps.
  let buf = exportHeader(kind);
  const write = (chunk: string) => {
    buf += chunk;
    if (buf.length > 1 << 16) {
      sink().write(buf);
      buf = '';
    }
  };
  try {
    if (address) {
      const client = openClient(address, options, values);
      try {
        // Rows arrive in grid order; each is checked like any result from the wire.
        await client.results(name, (r) => write(exportLine(kind, { index: r.index, key: r.key, result: resultFromWire(r.result) })))
          .catch((e: unknown) => clientError(e, address));
      } finally {
        client.close();
      }
    } else {
      const store = openStore(storePath);
      try {
        if (!store.getSweep(name)) throw new CliError(`export: no sweep named '${name}' in ${storePath}`);
        for (const row of store.iterateResults(name)) write(exportLine(kind, row));
      } catch (err) {
        if (err instanceof StoreError) throw new CliError(`export: ${err.message}`);
        throw err;
      } finally {
        store.close();
      }
    }
    sink().write(buf);
  } finally {
    const opened = out;
    if (opened) await new Promise((res) => opened.end(res));
  }
  if (outError) throw outFailed();
  return EXIT.ok;
}
