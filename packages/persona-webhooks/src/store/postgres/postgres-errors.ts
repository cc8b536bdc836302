// Which PostgreSQL failures mean "the database is not there right now" (503: Persona retries the delivery)
// and which are bugs or refused input (passed through unchanged).
import { PersonaWebhookError, StoreUnavailableError } from '../../errors.js';

// SQLSTATE classes that mean "the database is not there right now": connection exception (08),
// insufficient resources (53), operator intervention such as shutdown or statement timeout (57), system error (58).
const UNAVAILABLE_SQLSTATE = /^(08|53|57|58)/;
const NETWORK_MESSAGE =
  /connect|connection|terminated|timeout|timed out|socket|closed|ECONN|EPIPE|ENOTFOUND|EAI_AGAIN/i;

/** Maps a `pg` error to `StoreUnavailableError` when the database is unavailable; else returns it. */
export function postgresStoreError(error: unknown): unknown {
  if (error instanceof PersonaWebhookError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === '42P01' || code === '3F000') {
    // 503, not 500: Persona keeps retrying until the schema exists, so nothing is lost meanwhile.
    return new StoreUnavailableError(
      'PostgreSQL store: the events table does not exist: call store.migrate() (or apply migrationSql()) at start-up',
      { cause: error },
    );
  }
  const isSqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
  const unavailable = isSqlState
    ? UNAVAILABLE_SQLSTATE.test(code)
    : (typeof code === 'string' && /^E[A-Z]+$/.test(code)) || NETWORK_MESSAGE.test(message);
  if (!unavailable) return error;
  return new StoreUnavailableError(
    `PostgreSQL store unavailable (${typeof code === 'string' ? code : 'no connection'}): nothing was stored`,
    { cause: error },
  );
}
