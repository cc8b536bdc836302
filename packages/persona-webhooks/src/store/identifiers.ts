import { PersonaWebhookError } from '../errors.js';

/** Default name of the events table (SQLite and PostgreSQL). */
export const DEFAULT_TABLE = 'persona_webhook_events';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/**
 * Checks a table or schema name before it is put into SQL text (names cannot be bound as parameters).
 * Only plain identifiers pass: letters, digits and underscores, at most 48 characters.
 */
export function checkIdentifier(kind: 'table' | 'schema', name: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new PersonaWebhookError(
      'invalid_options',
      `${kind} must be a plain identifier (letters, digits, underscores; at most 48 characters), got ${JSON.stringify(String(name)).slice(0, 60)}`,
    );
  }
  return name;
}
