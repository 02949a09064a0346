// Read-only looks into a store file while a coordinator writes it (WAL allows concurrent readers).
import { openStore } from '@sdpo/coordinator';

/** Runs one SQL query that returns a single value. */
export function scalar<T = number>(storePath: string, sql: string, ...args: unknown[]): T {
  const s = openStore(storePath);
  try {
    return s.db.prepare(sql).pluck().get(...args) as T;
  } finally {
    s.close();
  }
}

/** Every stored result as key (hex) → deterministic body (hex), for comparing two stores. */
export function resultBodies(storePath: string): Map<string, string> {
  const s = openStore(storePath);
  try {
    const rows = s.db.prepare('SELECT key, body FROM results').all() as { key: Buffer; body: Buffer }[];
    return new Map(rows.map((r) => [r.key.toString('hex'), r.body.toString('hex')]));
  } finally {
    s.close();
  }
}

/** Runs one SQL query and returns its first column of every row. */
export function column<T = number>(storePath: string, sql: string, ...args: unknown[]): T[] {
  const s = openStore(storePath);
  try {
    return s.db.prepare(sql).pluck().all(...args) as T[];
  } finally {
    s.close();
  }
}
