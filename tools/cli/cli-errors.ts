/** Exit codes of the CLI: 0 done, 1 the work failed (a service, NATS, a dead letter), 2 the command line was wrong. */
export const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2 });

/** A failure the operator can act on; `message` is printed as is (no stack). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The command line asks for something impossible (exit 2). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}

/** One line of an unknown error, never its stack. */
export function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, bad port, timeout) is on its cause.
    const why = cause instanceof Error ? ((cause as { code?: string }).code ?? cause.message) : undefined;
    return why && !err.message.includes(why) ? `${err.message} (${why})` : err.message;
  }
  return String(err);
}
