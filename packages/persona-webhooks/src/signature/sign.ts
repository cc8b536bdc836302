import { PersonaWebhookError } from '../errors.js';
import { type RawBody, toSignedBytes } from './body.js';
import { formatSignatureHeader } from './header.js';
import type { HmacEngine } from './hmac.js';
import { collectSecrets, type SecretOptions } from './verify.js';

export interface SignPayloadOptions extends SecretOptions {
  /** The exact body that will be sent. */
  body: RawBody;
  /** Unix seconds (or a `Date`) to put in `t`. Default: now. */
  timestamp?: number | Date;
}

const MAX_TIMESTAMP_SECONDS = 999_999_999_999;

/**
 * Builds `signPayload` on one HMAC engine.
 * @internal
 * @example
 * ```ts
 * const signPayload = createPayloadSigner(hmacEngine)
 * ```
 */
export function createPayloadSigner(engine: HmacEngine) {
  return async function signPayload(options: SignPayloadOptions): Promise<string> {
    const secrets = collectSecrets(options);
    const body = toSignedBytes(options.body);
    const ts = options.timestamp;
    const seconds =
      ts === undefined ? Math.floor(Date.now() / 1000) : ts instanceof Date ? Math.floor(ts.getTime() / 1000) : ts;
    if (!Number.isSafeInteger(seconds) || seconds < 0) {
      throw new PersonaWebhookError('invalid_options', 'timestamp must be whole unix seconds (or a Date).');
    }
    // The header grammar accepts at most 12 digits; 13 is almost always Date.now() in milliseconds.
    if (seconds > MAX_TIMESTAMP_SECONDS) {
      throw new PersonaWebhookError(
        'invalid_options',
        `timestamp ${seconds} is too large for unix seconds: pass seconds (Math.floor(Date.now() / 1000)) or a Date, not milliseconds.`,
      );
    }
    const t = String(seconds);
    const sets = [];
    for (const secret of secrets) sets.push({ timestamp: t, signatures: [await engine.sign(secret, t, body)] });
    return formatSignatureHeader(sets);
  };
}
