import { createHash } from 'node:crypto';
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
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * The task key of a fully resolved config (orchestration spec §2): SHA-256 of
 * the canonical JSON of `{config, simVersion}`, 64 hex digits. A new
 * simVersion gives new keys, so stale cached results are never reused.
 */
export function taskKey(config: RunConfig, simVersion: string): string {
  return createHash('sha256').update(canonicalJson({ config, simVersion })).digest('hex');
}
