// The package's verification entry points, built on the runtime's HMAC engine (see package.json "imports").
import { hmacEngine } from '#hmac';
import type { VerificationErrorCode } from './errors.js';
import { type PersonaEvent, parseEvent } from './events/parse.js';
import { createPayloadSigner, type SignPayloadOptions } from './signature/sign.js';
import {
  createSignatureCheck,
  createSignatureVerifier,
  type VerifiedSignature,
  type VerifySignatureOptions,
} from './signature/verify.js';

/**
 * Checks a `Persona-Signature` header against the raw body, in constant time, with a replay window.
 * Accepts if any (signature set × secret) matches; the result says which secret did.
 *
 * @throws WebhookVerificationError with a `code` (`signature_mismatch`, `timestamp_too_old`, …)
 * @example
 * ```ts
 * const { timestamp, secretIndex } = await verifySignature({
 *   body: rawBody,                                  // string | Buffer | Uint8Array | ArrayBuffer
 *   header: req.headers['persona-signature'],
 *   secret: process.env.PERSONA_WEBHOOK_SECRET,
 * })
 * ```
 */
export const verifySignature: (options: VerifySignatureOptions) => Promise<VerifiedSignature> =
  createSignatureVerifier(hmacEngine);

const checkSignature = createSignatureCheck(hmacEngine);

/**
 * Produces a `Persona-Signature` header for a body, as Persona would send it: one `t=…,v1=…` set
 * per secret, separated by a space. For tests and tooling.
 *
 * @example
 * ```ts
 * const header = await signPayload({ body, secret: 'wbhsec_test' })
 * // 't=1764686826,v1=9f2c…'
 * ```
 */
export const signPayload: (options: SignPayloadOptions) => Promise<string> = createPayloadSigner(hmacEngine);

/**
 * Verifies the signature, then parses the body into a `PersonaEvent`.
 *
 * @throws WebhookVerificationError (also `invalid_json` / `invalid_event` once the signature is good)
 * @example
 * ```ts
 * const event = await verifyWebhook({ body: await request.text(), header: request.headers.get('persona-signature'), secret })
 * if (event.name === 'inquiry.approved') { ... }
 * ```
 */
export function verifyWebhook(options: VerifySignatureOptions): Promise<PersonaEvent> {
  // One promise for the whole call: on node:crypto the check answers synchronously.
  try {
    const checked = checkSignature(options);
    if (checked instanceof Promise) return checked.then(() => parseEvent(options.body));
    return Promise.resolve(parseEvent(options.body));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The runtime's HMAC engine: `node` (node:crypto) or `web` (Web Crypto). */
export const hmacEngineName: 'node' | 'web' = hmacEngine.name;

export type { VerificationErrorCode };
