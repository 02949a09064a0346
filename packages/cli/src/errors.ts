/**
 * Exit codes of every command (orchestration spec §6: 0 done, 1 failed tasks, 2 bad input).
 * 3, ours: the coordinator could not be reached, went away, or could not write its store before
 * the command was done, so a script can tell "tasks failed" from "ask again later" (before, both were 1).
 */
export const EXIT = { ok: 0, failed: 1, badInput: 2, unreachable: 3 } as const;

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
