// better-sqlite3 is an optional peer dependency: it compiles a native module at install time (over a minute
// where no prebuilt binary can be fetched), which users in PostgreSQL mode should not pay for. So it is loaded
// here, on first use of SQLite, and its absence is one clear line instead of a module-resolution stack trace.
import type BetterSqlite3 from 'better-sqlite3';
import { CliError } from '../cli/errors.js';

/** What to do when better-sqlite3 is missing; shown by the CLI and documented in docs/server.md. */
export const SQLITE_DRIVER_MISSING =
  'SQLite storage needs the better-sqlite3 package, which is not installed: run `npm install better-sqlite3@12` ' +
  'next to persona-webhooks-server, or use PostgreSQL with --database-url postgres://… (DATABASE_URL)';

function isMissingPackage(error: unknown, name: string): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    error instanceof Error &&
    error.message.includes(`'${name}'`)
  );
}

/**
 * Loads better-sqlite3's `Database` constructor, or throws `CliError('database')` naming the install command
 * when the package is missing. Any other load failure (a native module built for another Node) passes through.
 *
 * @example
 * ```ts
 * const Database = await loadSqliteDriver()
 * const db = new Database('./.data/persona-webhooks.db')
 * ```
 */
export async function loadSqliteDriver(): Promise<typeof BetterSqlite3> {
  try {
    // A CommonJS module: its constructor is the default export (esModuleInterop is off, so TS cannot see that).
    return ((await import('better-sqlite3')) as unknown as { default: typeof BetterSqlite3 }).default;
  } catch (error) {
    if (isMissingPackage(error, 'better-sqlite3')) throw new CliError('database', SQLITE_DRIVER_MISSING);
    throw error;
  }
}
