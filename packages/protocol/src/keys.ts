import * as crypto from 'node:crypto';
import type { RunConfig } from '@sdpo/sim';

/**
 * JSON with object keys sorted at every depth, no whitespace: equal values give
 * equal text. Numbers use JavaScript's shortest round-trip form.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) s += (i ? ',' : '') + canonicalJson(value[i]);
    return `${s}]`;
  }
  const obj = value as Record<string, unknown>;
  let s = '{';
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    if (v !== undefined) s += (s.length > 1 ? ',' : '') + JSON.stringify(k) + ':' + canonicalJson(v);
  }
  return `${s}}`;
}

/**
 * SHA-256 of `text` as 64 hex digits. `crypto.hash` (Node ≥ 20.12) is one
 * call (~2 µs); a `createHash` object per key cost 6–27 µs, a large share of
 * submitting a task.
 */
export const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text, 'hex') : (text) => crypto.createHash('sha256').update(text).digest('hex');

/**
 * The task key of a fully resolved config (orchestration spec §2): SHA-256 of
 * the canonical JSON of `{config, simVersion}`, 64 hex digits. A new
 * simVersion gives new keys, so stale cached results are never reused.
 */
export function taskKey(config: RunConfig, simVersion: string): string {
  return sha256Hex(canonicalJson({ config, simVersion }));
}
