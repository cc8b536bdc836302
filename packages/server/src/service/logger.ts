// Structured JSON logs (pino). Only ids, names, codes, counts and durations are logged: never a body,
// a payload field, a header value or a secret.

import { type Logger, pino } from 'pino';
import type { ServiceConfig } from '../config.js';

// One log-safe line for an error; in a module of its own so that the dashboard can use it without pino.
export { describeError } from './describe-error.js';
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
