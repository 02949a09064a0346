/**
 * Number formatting for tables: enough digits to compare methods, no more.
 * Rewards and correlations live in [−1, 1], so three decimals there; larger
 * magnitudes get fewer; tiny non-zero values switch to two significant figures.
 */
export function fmt(x: number | null | undefined, decimals?: number): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  if (decimals !== undefined) return minus(x.toFixed(decimals));
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a < 0.001) return minus(x.toExponential(1));
  if (a < 10) return minus(x.toFixed(3));
  if (a < 100) return minus(x.toFixed(2));
  if (a < 1000) return minus(x.toFixed(1));
  return minus(x.toFixed(0));
}

/** A p- or q-value: two significant figures, `<1e-10` below that floor. */
export function fmtP(p: number | null | undefined): string {
  if (p === null || p === undefined || Number.isNaN(p)) return '—';
  if (p < 1e-10) return '<1e-10';
  if (p < 0.001) return p.toExponential(1);
  if (p >= 0.995) return '1.00';
  return p < 0.01 ? p.toFixed(4) : p.toFixed(3);
}

/** `mean [lo, hi]`, the interval dropped when it is missing (n < 2). */
export function fmtCI(mean: number | null | undefined, lo?: number | null, hi?: number | null, decimals?: number): string {
  if (lo === null || lo === undefined || hi === null || hi === undefined || !Number.isFinite(lo) || !Number.isFinite(hi)) return fmt(mean, decimals);
  // One precision for the three numbers, set by the largest: an estimate near
  // zero inside a wide interval should read 0.001 [−0.004, 0.006], not 9.9e-4.
  const big = Math.max(Math.abs(lo), Math.abs(hi), Math.abs(mean ?? 0));
  const d = decimals ?? (big < 0.001 ? undefined : big < 10 ? 3 : big < 100 ? 2 : big < 1000 ? 1 : 0);
  return `${fmt(mean, d)} [${fmt(lo, d)}, ${fmt(hi, d)}]`;
}

/** A range `lo to hi` at one precision (set by the larger end). */
export function fmtRange(lo: number, hi: number): string {
  const big = Math.max(Math.abs(lo), Math.abs(hi));
  const d = big < 0.001 ? undefined : big < 10 ? 3 : big < 100 ? 2 : big < 1000 ? 1 : 0;
  // Whole numbers (steps, counts) stay whole.
  return Number.isInteger(lo) && Number.isInteger(hi) ? `${fmt(lo, 0)} to ${fmt(hi, 0)}` : `${fmt(lo, d)} to ${fmt(hi, d)}`;
}

/** A fraction as a percentage with one decimal: 0.2234 → "22.3%". */
export function fmtPct(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return `${minus((x * 100).toFixed(1))}%`;
}

/** Typographic minus, so negative numbers line up with positive ones in a table. */
function minus(s: string): string {
  return s.startsWith('-') ? `−${s.slice(1)}` : s;
}

/** Escapes text for HTML element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Escapes text for a Markdown table cell. */
export function escMd(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
