// One log-safe line for an error, for every log line and recorded failure of the service and the dashboard.
import { scrubMessage } from 'persona-webhooks';
import { maskCredentials } from '../cli/mask.js';

/**
 * One log-safe line for an error: its class, code and first message line (credentials masked, then quoted
 * text, addresses, URLs and long numbers removed by `scrubMessage`), and the same for its cause.
 *
 * @example
 * ```ts
 * describeError(new StoreUnavailableError('SQLite store unavailable (SQLITE_BUSY)'))
 * // 'StoreUnavailableError [store_unavailable]: SQLite store unavailable (SQLITE_BUSY)'
 * ```
 */
export function describeError(error: unknown, depth = 0): string {
  // A thrown string may hold anything (a response body, a person's name): scrubbed like a message; other values
  // are named by their type only.
  if (!(error instanceof Error)) {
    return typeof error === 'string'
      ? `non-error thrown (string): ${safeFirstLine(error)}`
      : `non-error thrown (${error === null ? 'null' : typeof error})`;
  }
  const code = (error as { code?: unknown }).code;
  const head = `${error.name}${typeof code === 'string' ? ` [${code}]` : ''}`;
  const line = safeFirstLine(error.message);
  const cause = depth < 2 && error.cause !== undefined ? `; cause: ${describeError(error.cause, depth + 1)}` : '';
  return `${head}: ${line}${cause}`;
}

/** The first line of `text`, credentials masked, then what is likely personal taken out. */
function safeFirstLine(text: string): string {
  return scrubMessage(maskCredentials(text.split('\n')[0] ?? ''));
}
