import { existsSync } from 'node:fs';
import { openStore, type SweepRow } from '@sdpo/coordinator';
import { createSweepClient, type SweepInfo__Output } from '@sdpo/protocol';
import { parseFlags } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import { formatTable } from '../table.js';
import { clientError, DEFAULT_STORE, infoToProgress, progressReporter } from '../embedded.js';
import { CONNECT_FLAGS, CONNECT_HELP, connectOptions } from '../connect.js';

const HELP = `usage: sdpo status [NAME] [--watch] [--json] [--coordinator HOST:PORT | --store FILE]

Shows sweeps with their counts (and, from a coordinator, connected workers,
throughput and ETA). Asks the coordinator when --coordinator (or env
SDPO_COORDINATOR) is given; otherwise reads the store (default ${DEFAULT_STORE}).

  --watch   follow NAME until it finishes (progress bar on a TTY)
  --json    machine-readable output
  --store FILE             read this store instead of asking a coordinator
${CONNECT_HELP.replace(/\(default [^,]*, or env SDPO_COORDINATOR\)/, '(or env SDPO_COORDINATOR)')}

Exit codes with NAME: 0 no failed tasks, 1 some tasks failed (state 'failed' =
completed with failures), 2 bad input.`;

type Row = { name: string; state: string; total: number; done: number; failed: number; cancelled: number; cached: number; computed: number; rate?: number; etaSeconds?: number; workers?: number; failures?: unknown[] };

const fromRow = (r: SweepRow): Row => ({ name: r.name, state: r.state, total: r.total, done: r.done, failed: r.failed, cancelled: r.cancelled, cached: r.cached, computed: r.computed });
const fromInfo = (i: SweepInfo__Output): Row => ({
  name: i.name, state: i.state, total: i.total, done: i.done, failed: i.failed, cancelled: i.cancelled, cached: i.cached, computed: i.computed,
  rate: i.rate, etaSeconds: i.etaSeconds, workers: i.workers, failures: i.failures,
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
  const name = positionals[0];
  if (values.watch && !name) throw new CliError('status --watch: name the sweep to follow');
  const { address, options } = values.store && !values.coordinator ? { address: undefined, options: {} } : connectOptions(values, undefined);
  if (address) {
    const client = createSweepClient(address, options);
    try {
      if (name && values.watch) {
        const progress = progressReporter({ quiet: values.json === true });
        let last: SweepInfo__Output | undefined;
        await client.watch(name, (i) => {
          last = i;
          progress.update(infoToProgress(i));
          if (values.json) process.stdout.write(JSON.stringify(fromInfo(i)) + '\n');
        }).catch((e: unknown) => clientError(e, address));
        progress.stop();
        return last && last.failed > 0 ? EXIT.failed : EXIT.ok;
      }
      if (name) {
        const i = await client.get(name).catch((e: unknown) => clientError(e, address));
        process.stdout.write(values.json ? JSON.stringify(fromInfo(i)) + '\n' : table([fromInfo(i)], true) + '\n' + failuresText(i.failures));
        return i.failed > 0 ? EXIT.failed : EXIT.ok;
      }
      const list = await client.list().catch((e: unknown) => clientError(e, address));
      if (values.json) process.stdout.write(JSON.stringify({ sweeps: list.sweeps.map(fromInfo), workers: list.workers }) + '\n');
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
  const read = (): Row[] => {
    const store = openStore(storePath);
    try {
      if (!name) return store.listSweeps().map(fromRow);
      const row = store.getSweep(name);
      if (!row) throw new CliError(`status: no sweep named '${name}' in ${storePath}`);
      return [{ ...fromRow(row), failures: row.failed ? store.failedTasks(name, 20) : [] }];
    } finally {
      store.close();
    }
  };
  if (values.watch) {
    const progress = progressReporter({ quiet: values.json === true });
    for (;;) {
      const r = read()[0]!;
      progress.update({ ...r, inFlight: 0, workers: 0, rate: 0, etaSeconds: Number.NaN, createdAt: '', finishedAt: null, simVersion: '', definition: { name: r.name, grid: { axes: {}, fixed: {} }, maxAttempts: 1 } } as never);
      if (r.state !== 'running') {
        progress.stop();
        return r.failed > 0 ? EXIT.failed : EXIT.ok;
      }
      await new Promise((res) => setTimeout(res, 1000));
    }
  }
  const rows = read();
  if (values.json) process.stdout.write(JSON.stringify(name ? rows[0] : { sweeps: rows }) + '\n');
  else process.stdout.write(table(rows, false) + '\n' + failuresText(rows[0]?.failures as never));
  return name && rows[0]!.failed > 0 ? EXIT.failed : EXIT.ok;
}

function failuresText(f: { index: number; key: string; code: string; message: string }[] | undefined): string {
  if (!f || f.length === 0) return '';
  return `\nfailed tasks:\n${f.map((x) => `  #${x.index} ${x.key.slice(0, 12)} ${x.code}: ${x.message.split('\n')[0]}`).join('\n')}\n`;
}
