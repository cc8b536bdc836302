import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { type HmacEngine, isHexSha256, type SignedBytes } from './hmac.js';

// A KeyObject per secret spares createHmac from turning the secret string into bytes on every call.
// Secrets are few (one, two while rotating); the bound only guards against a caller passing many.
const keys = new Map<string, KeyObject>();
const MAX_CACHED_KEYS = 16;

function key(secret: string): KeyObject {
  let cached = keys.get(secret);
  if (cached === undefined) {
    cached = createSecretKey(Buffer.from(secret, 'utf8'));
    if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value as string);
    keys.set(secret, cached);
  }
  return cached;
}

function digest(secret: string, timestamp: string, body: SignedBytes): Buffer {
  // Two updates instead of a concatenation: the body is never copied.
  return createHmac('sha256', key(secret)).update(`${timestamp}.`).update(body).digest();
}

// Candidates are decoded into one reused buffer: this engine is synchronous, so no two calls interleave.
const candidateBytes = Buffer.alloc(32);

/** HMAC-SHA256 through node:crypto (Node, Bun, Deno): the fastest path.
 *
 * @example
 * ```ts
 * const verifySignature = createSignatureVerifier(hmacEngine)
 * ```
 */
export const hmacEngine: HmacEngine = {
  name: 'node',
  sign(secret, timestamp, body) {
    return digest(secret, timestamp, body).toString('hex');
  },
  matches(secret, timestamp, body, candidates) {
    const expected = digest(secret, timestamp, body);
    let matched = false;
    for (const candidate of candidates) {
      // The grammar first: Buffer#write(…, 'hex') keeps only each character's low byte, so a full-width
      // digit (U+FF10…) would decode to the same byte as its ASCII twin and a re-encoded signature would pass.
      if (
        isHexSha256(candidate) &&
        candidateBytes.write(candidate, 0, 'hex') === 32 &&
        timingSafeEqual(expected, candidateBytes)
      ) {
        matched = true;
      }
    }
    return matched;
  },
};
