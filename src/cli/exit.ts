/** Exit codes everywhere (contract §2). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A failure the CLI reports as a clean message with an exit code, never a stack trace. */
export class CliExit extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}
