import { type HmacEngine, isHexSha256, type SignedBytes } from './hmac.js';

const encoder = new TextEncoder();
// Importing a key costs more than a small HMAC; secrets are few, so a tiny cache suffices.
const keys = new Map<string, Promise<CryptoKey>>();
const MAX_CACHED_KEYS = 16;

function key(secret: string): Promise<CryptoKey> {
  let cached = keys.get(secret);
  if (cached === undefined) {
    cached = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value as string);
    keys.set(secret, cached);
  }
  return cached;
}

function signedData(timestamp: string, body: SignedBytes): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${timestamp}.`);
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  const data = new Uint8Array(prefix.length + bytes.length);
  data.set(prefix, 0);
  data.set(bytes, prefix.length);
  return data;
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function toHex(bytes: ArrayBuffer): string {
  let hex = '';
  for (const b of new Uint8Array(bytes)) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** HMAC-SHA256 through Web Crypto (Cloudflare Workers, browsers, Deno, Bun, Node).
 *
 * @example
 * ```ts
 * const verifySignature = createSignatureVerifier(hmacEngine)
 * ```
 */
export const hmacEngine: HmacEngine = {
  name: 'web',
  async sign(secret, timestamp, body) {
    return toHex(await crypto.subtle.sign('HMAC', await key(secret), signedData(timestamp, body)));
  },
  async matches(secret, timestamp, body, candidates) {
    const valid = candidates.filter(isHexSha256);
    if (valid.length === 0) return false;
    const k = await key(secret);
    const data = signedData(timestamp, body);
    let matched = false;
    // subtle.verify compares in constant time.
    for (const candidate of valid) {
      if (await crypto.subtle.verify('HMAC', k, fromHex(candidate), data)) matched = true;
    }
    return matched;
  },
};
