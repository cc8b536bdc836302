// Reading the code of an expected failure, for tests: `'ok'` when nothing was thrown, else the
// PersonaWebhookError's code (anything else fails the test).
import * as assert from 'node:assert/strict';
import { PersonaWebhookError } from '../../src/errors.js';

function codeOfError(error: unknown): string {
  assert.ok(error instanceof PersonaWebhookError, `not a PersonaWebhookError: ${String(error)}`);
  return error.code;
}

/**
 * The code a call throws, or `'ok'`.
 *
 * @example
 * ```ts
 * assert.equal(codeOf(() => parseEvent('{')), 'invalid_json')
 * ```
 */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return codeOfError(error);
  }
  return 'ok';
}

/**
 * The code a promise rejects with, or `'ok'`.
 *
 * @example
 * ```ts
 * assert.equal(await rejectionCodeOf(verifySignature({ body, header, secret: '' })), 'no_secret')
 * ```
 */
export async function rejectionCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return codeOfError(error);
  }
  return 'ok';
}
