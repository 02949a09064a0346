import { RUN_FIELDS, SUMMARY_KEYS, type RunResult } from '@sdpo/sim';

type Cell = string | number | boolean | null | undefined;

/** RFC 4180 field: quoted only when it holds a comma, quote or line break. */
function field(v: Cell): string {
  if (v === null || v === undefined) return '';
  // Shortest round-trip form, so a script reading the CSV gets the exact double.
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes rows as CSV (CRLF line ends, per RFC 4180), header first. */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

/** Flattens nested config objects to `parent.child` columns. */
function flatten(prefix: string, v: unknown, out: Map<string, Cell>): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(prefix === '' ? k : `${prefix}.${k}`, x, out);
  } else {
    out.set(prefix, Array.isArray(v) ? JSON.stringify(v) : (v as Cell));
  }
}

/**
 * One row per run: every config field (nested ones as `weights.local`…), the
 * sim version, then every summary field of spec §7. Timing is left out on
 * purpose: everything in the file is deterministic, so two reports of the same
 * study are byte-identical.
 */
export function runsCsv(runs: readonly RunResult[]): string {
  const configCols: string[] = [];
  const seen = new Set<string>();
  const flat = runs.map((r) => {
    const m = new Map<string, Cell>();
    for (const k of RUN_FIELDS) flatten(k, r.config[k], m);
    for (const k of m.keys()) {
      if (!seen.has(k)) {
        seen.add(k);
        configCols.push(k);
      }
    }
    return m;
  });
  const header = [...configCols, 'simVersion', ...SUMMARY_KEYS];
  const rows = runs.map((r, i) => [
    ...configCols.map((c) => flat[i]!.get(c)),
    r.simVersion,
    ...SUMMARY_KEYS.map((k) => r.summary[k]),
  ]);
  return toCsv(header, rows);
}
