/** The bytes a signature covers: a string is signed as its UTF-8 encoding. */
export type SignedBytes = string | Uint8Array;

/**
 * An HMAC-SHA256 implementation. Two exist: node:crypto (`hmac-node.ts`) and Web Crypto
 * (`hmac-web.ts`); the package's `#hmac` import condition picks one per runtime.
 *
 * @example
 * ```ts
 * const ok = await engine.matches(secret, '1764686826', body, ['9f2c…'])
 * ```
 */
export interface HmacEngine {
  readonly name: 'node' | 'web';
  /** Hex HMAC-SHA256 of `${timestamp}.${body}` under `secret`. */
  sign(secret: string, timestamp: string, body: SignedBytes): string | Promise<string>;
  /** Whether that HMAC equals any of `candidates` (hex), compared in constant time. */
  matches(
    secret: string,
    timestamp: string,
    body: SignedBytes,
    candidates: readonly string[],
  ): boolean | Promise<boolean>;
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/**
 * A v1 value can only match if it is 64 hex digits; anything else is a mismatch, never an exception.
 *
 * @example
 * ```ts
 * isHexSha256('ab'.repeat(32)) // true
 * isHexSha256('zz'.repeat(32)) // false
 * ```
 */
export function isHexSha256(value: string): boolean {
  return value.length === 64 && HEX_SHA256.test(value);
}
