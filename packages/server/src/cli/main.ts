// Dispatches `persona-webhooks <command> …` and turns every failure into one line and an exit code.

import { readFileSync } from 'node:fs';
import { type CommandSpec, formatHelp, parseCommandLine } from './command.js';
import { CliError, EXIT_CODES, firstLine } from './errors.js';
import { maskCredentials } from './mask.js';
import { createOutput } from './output.js';

/** What `main` reads and writes: the real process by default, replaceable for in-process use. */
export interface MainOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function topHelp(commands: readonly CommandSpec[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'persona-webhooks: receive, inspect and test Persona webhooks',
    '',
    'Usage: persona-webhooks <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run "persona-webhooks <command> --help" for its options, examples and exit codes.',
    '',
    'Examples:',
    '  $ persona-webhooks serve --dev',
    '  $ persona-webhooks trigger inquiry.approved --url http://127.0.0.1:8787/webhooks/persona --secret wbhsec_…',
    "  $ persona-webhooks verify --secret wbhsec_… --header 't=…,v1=…' body.json",
    '',
    'Exit codes: 0 ok, 1 failed (verification, delivery, not found), 2 usage, 3 configuration,',
    '            4 database unreachable, 5 input unreadable.',
    '',
  ].join('\n');
}

/**
 * Runs the CLI and resolves with the exit code (it never calls process.exit itself).
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2), commands)
 * ```
 */
export async function main(
  argv: readonly string[],
  commands: readonly CommandSpec[],
  options: MainOptions = {},
): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    stdout.write(target ? formatHelp(target) : topHelp(commands));
    return name === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  if (name === '--version' || name === '-v') {
    stdout.write(`${version()}\n`);
    return EXIT_CODES.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    const close = commands.find((c) => c.name.startsWith(name.slice(0, 2)));
    stderr.write(
      `persona-webhooks: unknown command "${name}"${close ? ` (did you mean "${close.name}"?)` : ''}; see persona-webhooks --help\n`,
    );
    return EXIT_CODES.usage;
  }
  const json = rest.includes('--json');
  const out = createOutput({ json, stdout: stdout as never, stderr: stderr as never, env });
  try {
    const { values, positionals } = parseCommandLine(command, rest);
    if (values.help === true) {
      stdout.write(formatHelp(command));
      return EXIT_CODES.ok;
    }
    return await command.run({
      values,
      positionals,
      out,
      env,
      cwd: options.cwd ?? process.cwd(),
      stdin: options.stdin ?? process.stdin,
    });
  } catch (error) {
    if (error instanceof CliError) {
      // Last line of defence: whatever a message was built from, no credential leaves in it.
      const message = maskCredentials(error.message);
      if (json) stdout.write(`${JSON.stringify({ error: error.kind, message })}\n`);
      stderr.write(`persona-webhooks ${command.name}: ${message}\n`);
      return error.exitCode;
    }
    const message = maskCredentials(firstLine(error));
    stderr.write(`persona-webhooks ${command.name}: unexpected error: ${message}\n`);
    if (env.PERSONA_DEBUG === '1' && error instanceof Error) stderr.write(`${maskCredentials(error.stack ?? '')}\n`);
    return EXIT_CODES.failure;
  }
}
