// Structured JSON logs (pino). Only ids, names, codes, counts and durations are logged: never a body,
// a payload field, a header value or a secret.

import { scrubMessage } from 'persona-webhooks';
import { type Logger, pino } from 'pino';
import { maskCredentials } from '../cli/mask.js';
import type { ServiceConfig } from '../config.js';

export type { Logger };

/**
 * Creates the service logger, writing JSON lines to stdout.
 *
 * @example
 * ```ts
 * const log = createLogger('info')
 * log.info({ eventId: 'evt_…', name: 'inquiry.approved' }, 'event stored')
 * ```
 */
export function createLogger(level: ServiceConfig['logLevel'], destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid, service: 'persona-webhooks' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Belt and braces: even if a caller passes one of these by mistake, it is not written out.
      redact: {
        paths: ['secret', 'secrets', 'body', 'payload', 'headers', 'req.headers', '*.secret', '*.body', '*.payload'],
        censor: '[redacted]',
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

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
  if (!(error instanceof Error)) return maskCredentials(String(error)).slice(0, 300);
  const code = (error as { code?: unknown }).code;
  const head = `${error.name}${typeof code === 'string' ? ` [${code}]` : ''}`;
  const line = scrubMessage(maskCredentials(error.message.split('\n')[0] ?? ''));
  const cause = depth < 2 && error.cause !== undefined ? `; cause: ${describeError(error.cause, depth + 1)}` : '';
  return `${head}: ${line}${cause}`;
}
