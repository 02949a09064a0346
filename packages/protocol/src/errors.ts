/** One problem in an input, located by a path of keys (or a line for YAML syntax). */
export interface Issue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Stable error codes of the protocol package. */
export type ProtocolErrorCode = 'INVALID_GRID' | 'GRID_SYNTAX' | 'GRID_TOO_LARGE' | 'INVALID_MESSAGE' | 'INVALID_RESULT';

/** An input problem: a stable `code`, every issue with its path, and the source it came from. */
export class ProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    readonly issues: readonly Issue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProtocolError';
  }
}

/** `a.b[2]`-style rendering of a path. */
export function formatPath(path: readonly (string | number)[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s === '' ? '(root)' : s;
}

/** Issues as `path: message` lines. */
export function formatIssueLines(issues: readonly Issue[]): string {
  return issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`).join('\n');
}
