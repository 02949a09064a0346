import { existsSync } from 'node:fs';
import { openStore, type SweepRow } from '@sdpo/coordinator';
import type { SweepInfo__Output } from '@sdpo/protocol';
import { parseFlags } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import { formatTable } from '../table.js';
import { clientError, DEFAULT_STORE, progressReporter, type ProgressView } from '../embedded.js';
import { CONNECT_FLAGS, CONNECT_HELP, connectOptions, openClient } from '../connect.js';

const HELP = `usage: sdpo status [NAME] [--watch] [--json] [--coordinator HOST:PORT | --store FILE]

Shows sweeps with their counts (and, from a coordinator, connected workers,
throughput and ETA). Asks the coordinator when --coordinator (or env
SDPO_COORDINATOR) is given; otherwise reads the store (default ${DEFAULT_STORE}).

  --watch   follow NAME until it finishes (progress bar on a TTY, else progress lines);
            without NAME, every sweep known at the start, until all have finished
            (a progress line per sweep and update); Ctrl-C stops watching (exit 130)
  --json    machine-readable output; with --watch, JSON Lines: one object per
            sweep and update
  --store FILE             read this store instead of asking a coordinator
${CONNECT_HELP.replace(/\(default [^,]*, or env SDPO_COORDINATOR\)/, '(or env SDPO_COORDINATOR)')}

Exit codes with NAME or --watch: 0 no failed tasks, 1 some tasks failed (state
'failed' = completed with failures), 2 bad input, 3 the coordinator could not be
reached or stopped before the sweep finished.`;

type Row = { name: string; state: string; total: number; done: number; failed: number; cancelled: number; cached: number; computed: number; rate?: number; etaSeconds?: number; workers?: number; failures?: unknown[] };

const fromRow = (r: SweepRow): Row => ({ name: r.name, state: r.state, total: r.total, done: r.done, failed: r.failed, cancelled: r.cancelled, cached: r.cached, computed: r.computed });
const fromInfo = (i: SweepInfo__Output): Row => ({
  name: i.name, state: i.state, total: i.total, done: i.done, failed: i.failed, cancelled: i.cancelled, cached: i.cached, computed: i.computed,
  rate: i.rate, etaSeconds: i.etaSeconds, workers: i.workers, failures: i.failures,
});

const finished = (r: Row): boolean => r.state !== 'running';
const view = (r: Row): ProgressView => ({
  name: r.name, state: r.state as ProgressView['state'], total: r.total, done: r.done, failed: r.failed,
  rate: r.rate ?? 0, etaSeconds: r.etaSeconds ?? Number.NaN, workers: r.workers ?? 0,
});

function table(rows: Row[], live: boolean): string {
  const header = ['sweep', 'state', 'done', 'total', 'failed', 'cached', 'computed', ...(live ? ['rate/s', 'eta s'] : [])];
  return formatTable(header, rows.map((r) => [
    r.name, r.state, String(r.done), String(r.total), String(r.failed), String(r.cached), String(r.computed),
    ...(live ? [(r.rate ?? 0).toFixed(1), Number.isFinite(r.etaSeconds) && r.state === 'running' ? String(Math.round(r.etaSeconds!)) : '—'] : []),
  ]));
}

export default async function status(argv: string[]): Promise<number> {
  const s = { type: 'string' } as const;
  const { values, positionals } = parseFlags(
    argv,
    { ...CONNECT_FLAGS, store: s, watch: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    'status',
    true,
  );
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new CliError(`status: at most one sweep name expected\n\n${HELP}`);
  const name = positionals[0];
  const json = values.json === true;
  const { address, options } = values.store && !values.coordinator ? { address: undefined, options: {} } : connectOptions(values, undefined);
  if (address) {
    const client = openClient(address, options, values);
    try {
      if (values.watch) {
        const names = name ? [name] : (await client.list().catch((e: unknown) => clientError(e, address))).sweeps.map((i) => i.name);
        // One Watch stream per sweep; each ends when its sweep has finished.
        return await watchSweeps(names, json, (onRow) =>
          Promise.all(names.map((n) => client.watch(n, (i) => onRow(fromInfo(i))))).then(() => undefined, (e: unknown) => clientError(e, address)));
      }
      if (name) {
        const i = await client.get(name).catch((e: unknown) => clientError(e, address));
        process.stdout.write(json ? JSON.stringify(fromInfo(i)) + '\n' : table([fromInfo(i)], true) + '\n' + failuresText(i.failures));
        return i.failed > 0 ? EXIT.failed : EXIT.ok;
      }
      const list = await client.list().catch((e: unknown) => clientError(e, address));
      if (json) process.stdout.write(JSON.stringify({ sweeps: list.sweeps.map(fromInfo), workers: list.workers }) + '\n');
      else {
        process.stdout.write(table(list.sweeps.map(fromInfo), true) + '\n');
        process.stdout.write(`\n${list.workers.length} worker(s)\n`);
        if (list.workers.length) {
          process.stdout.write(formatTable(
            ['worker', 'name', 'threads', 'in flight', 'completed', 'rate/s', 'joined'],
            list.workers.map((w) => [w.workerId, w.name, String(w.threads), String(w.inFlight), String(w.completed), w.rate.toFixed(1), w.joinedAt]),
          ) + '\n');
        }
      }
      return EXIT.ok;
    } finally {
      client.close();
    }
  }
  const storePath = values.store ?? DEFAULT_STORE;
  if (!existsSync(storePath)) throw new CliError(`status: no store at ${storePath} (pass --store FILE, or --coordinator HOST:PORT)`);
  /** Every sweep of the store, or the named ones (each must exist), with their first failures if asked. */
  const read = (names?: readonly string[], withFailures = false): Row[] => {
    const store = openStore(storePath);
    try {
      if (!names) return store.listSweeps().map(fromRow);
      return names.map((n) => {
        const row = store.getSweep(n);
        if (!row) throw new CliError(`status: no sweep named '${n}' in ${storePath}`);
        return withFailures ? { ...fromRow(row), failures: row.failed ? store.failedTasks(n, 20) : [] } : fromRow(row);
      });
    } finally {
      store.close();
    }
  };
  if (values.watch) {
    const names = read(name ? [name] : undefined).map((r) => r.name);
    // The store has no change events to wait on: it is read again every second.
    return watchSweeps(names, json, async (onRow) => {
      for (;;) {
        const rows = read(names);
        rows.forEach(onRow);
        if (rows.every(finished)) return;
        await new Promise((res) => setTimeout(res, 1000));
      }
    });
  }
  const rows = name ? read([name], true) : read();
  if (json) process.stdout.write(JSON.stringify(name ? rows[0] : { sweeps: rows }) + '\n');
  else process.stdout.write(table(rows, false) + '\n' + failuresText(rows[0]?.failures as never));
  return name && rows[0]!.failed > 0 ? EXIT.failed : EXIT.ok;
}

/**
 * Follows `names` until every one has finished, for --store and --coordinator
 * alike: `follow` calls back with each update of a sweep and resolves when
 * all have finished. Shows a progress bar for one sweep on a TTY, else a
 * progress line per sweep and update (on stderr); with `json`, one JSON line
 * per sweep and update on stdout instead. Ctrl-C stops watching, exit 130
 * (status only reads: nothing is left half-done). Exit 1 if a sweep has
 * failed tasks, else 0.
 */
async function watchSweeps(names: readonly string[], json: boolean, follow: (onRow: (r: Row) => void) => Promise<void>): Promise<number> {
  if (names.length === 0) {
    if (!json) process.stderr.write('no sweeps to watch\n');
    return EXIT.ok;
  }
  // Bars of several sweeps would overwrite each other on one terminal: several get lines.
  const reporters = new Map(names.map((n) => [n, progressReporter({ quiet: json, ...(names.length > 1 ? { lines: true, everyMs: 1000 } : {}) })]));
  const stopAll = () => reporters.forEach((r) => r.stop());
  const onSignal = () => {
    stopAll();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const last = new Map<string, Row>();
  const printed = new Map<string, string>();
  try {
    await follow((r) => {
      last.set(r.name, r);
      reporters.get(r.name)?.update(view(r));
      const line = JSON.stringify(r);
      if (json && printed.get(r.name) !== line) {
        process.stdout.write(line + '\n');
        printed.set(r.name, line);
      }
    });
  } finally {
    stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const unfinished = names.filter((n) => (last.get(n)?.state ?? 'running') === 'running');
  if (unfinished.length) throw new CliError(`status --watch: the watch ended before ${unfinished.join(', ')} finished (the coordinator stopped?)`, EXIT.unreachable);
  return names.some((n) => last.get(n)!.failed > 0) ? EXIT.failed : EXIT.ok;
}

function failuresText(f: { index: number; key: string; code: string; message: string }[] | undefined): string {
  if (!f || f.length === 0) return '';
  return `\nfailed tasks:\n${f.map((x) => `  #${x.index} ${x.key.slice(0, 12)} ${x.code}: ${x.message.split('\n')[0]}`).join('\n')}\n`;
}
