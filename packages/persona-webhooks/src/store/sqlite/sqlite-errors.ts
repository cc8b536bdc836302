// Which SQLite failures mean "the database cannot take this write now" (503: Persona retries the delivery)
// and which are bugs or refused input (passed through unchanged).
import { PersonaWebhookError, StoreUnavailableError } from '../../errors.js';

const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|PROTOCOL|CORRUPT|NOTADB|NOMEM|INTERRUPT)/;

/** Maps a better-sqlite3 error to `StoreUnavailableError` when the database is unavailable; else returns it. */
export function sqliteStoreError(error: unknown): unknown {
  if (error instanceof PersonaWebhookError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  if (/no such table/i.test(message)) {
    // 503, not 500: Persona keeps retrying until the schema exists, so nothing is lost meanwhile.
    return new StoreUnavailableError(
      'SQLite store: the events table does not exist: call store.migrate() (or apply migrationSql()) at start-up',
      { cause: error },
    );
  }
  if ((typeof code === 'string' && UNAVAILABLE_CODES.test(code)) || /database connection is not open/i.test(message)) {
    return new StoreUnavailableError(
      `SQLite store unavailable (${typeof code === 'string' ? code : 'closed'}): the event was not stored`,
      { cause: error },
    );
  }
  return error;
}
