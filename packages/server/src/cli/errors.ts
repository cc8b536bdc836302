/**
 * Exit codes of the `persona-webhooks` CLI. They are part of its interface: scripts branch on them.
 *
 * @example
 * ```ts
 * if (status === EXIT_CODES.config) console.error('fix the configuration')
 * ```
 */
export const EXIT_CODES = {
  /** Everything went as asked. */
  ok: 0,
  /** The operation ran and its answer is "no": a signature did not verify, a delivery was not 2xx, an event was not found. */
  failure: 1,
  /** The command line is wrong: unknown command or option, missing argument, bad value. */
  usage: 2,
  /** The configuration (flags, environment, config file) is invalid or incomplete. */
  config: 3,
  /** The database could not be reached or is not migrated. */
  database: 4,
  /** An input file or stdin could not be read. */
  input: 5,
} as const;

/** One of the values of `EXIT_CODES`. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/**
 * An error the CLI reports as one line and an exit code, never as a stack trace.
 *
 * @example
 * ```ts
 * throw new CliError('usage', 'missing --url: the address to post events to')
 * ```
 */
export class CliError extends Error {
  readonly kind: keyof typeof EXIT_CODES;
  readonly exitCode: ExitCode;
  constructor(kind: keyof typeof EXIT_CODES, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.kind = kind;
    this.exitCode = EXIT_CODES[kind];
  }
}

/**
 * The first line of an error's message, for one-line logs and CLI errors (never a stack or a payload).
 *
 * @example
 * ```ts
 * firstLine(new Error('connect ECONNREFUSED\n    at …')) // 'connect ECONNREFUSED'
 * ```
 */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? '';
}
