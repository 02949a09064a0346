/** Exit codes of every command (orchestration spec §6). */
export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;

/** An error meant for the user: printed as its message alone, no stack, with an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.badInput,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
