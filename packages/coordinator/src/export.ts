import { CURVE_KEYS, SUMMARY_KEYS, type RunResult } from '@sdpo/sim';

/** What `sdpo export` writes: summaries as CSV or JSON Lines, or every curve as JSON Lines. */
export type ExportKind = 'csv' | 'jsonl' | 'curves';

/** One stored result as exports list it (grid order). */
export interface ExportRow {
  readonly index: number;
  readonly key: string;
  readonly result: RunResult;
}

const CONFIG_COLUMNS = ['seed', 'method', 'feedback', 'noise', 'vocab', 'length', 'group', 'steps', 'lr', 'kappa', 'emaRate', 'divergence', 'jsdBeta', 'binaryQuantile', 'evalEvery'] as const;
/** The nested config fields, one column each (both can be grid axes, so rows may differ only there). */
const NESTED_COLUMNS = [
  ['weights', 'local'], ['weights', 'coherence'], ['weights', 'global'], ['hybrid', 'alphaMin'], ['hybrid', 'alphaMax'], ['hybrid', 'warmup'],
] as const;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The first line of an export (the CSV header), or '' for JSON Lines. */
export function exportHeader(kind: ExportKind): string {
  return kind === 'csv' ? ['index', 'key', ...CONFIG_COLUMNS, ...NESTED_COLUMNS.map(([a, b]) => `${a}.${b}`), ...SUMMARY_KEYS, 'wallMs', 'simVersion'].join(',') + '\n' : '';
}

/**
 * One result's line: a CSV row; `{index, key, simVersion, config, summary, timing}`
 * for summaries as JSON Lines; `{index, key, config, curves}` with every series of
 * the simulation spec §7 for curves.
 */
export function exportLine(kind: ExportKind, { index, key, result }: ExportRow): string {
  if (kind === 'csv') {
    const nested = NESTED_COLUMNS.map(([a, b]) => (result.config[a] as Readonly<Record<string, number>>)[b]);
    const cells = [index, key, ...CONFIG_COLUMNS.map((k) => result.config[k]), ...nested, ...SUMMARY_KEYS.map((k) => result.summary[k]), result.timing.wallMs, result.simVersion];
    return cells.map(csvCell).join(',') + '\n';
  }
  if (kind === 'jsonl') {
    return JSON.stringify({ index, key, simVersion: result.simVersion, config: result.config, summary: result.summary, timing: result.timing }) + '\n';
  }
  const curves = Object.fromEntries(CURVE_KEYS.map((k) => [k, result.curves[k]]));
  return JSON.stringify({ index, key, config: result.config, curves }) + '\n';
}
