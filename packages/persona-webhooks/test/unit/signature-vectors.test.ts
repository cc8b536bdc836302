// The shared vectors (signed by Python's hmac module) against both HMAC engines and every body shape.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PersonaWebhookError, WebhookVerificationError } from '../../src/errors.js';
import type { RawBody } from '../../src/signature/body.js';
import type { HmacEngine } from '../../src/signature/hmac.js';
import { hmacEngine as nodeEngine } from '../../src/signature/hmac-node.js';
import { hmacEngine as webEngine } from '../../src/signature/hmac-web.js';
import { createSignatureVerifier } from '../../src/signature/verify.js';
import { loadSignatureVectors, type SignatureVector } from '../vectors/index.js';

const vectors = loadSignatureVectors();

/** Every shape a raw body can arrive in, built from the vector's bytes. */
function bodyShapes(v: SignatureVector): [string, unknown][] {
  if (!(v.body instanceof Uint8Array)) return [['parsed object', v.body]];
  const bytes = v.body;
  // A view in the middle of a larger buffer, as Node's pooled Buffers are: offsets must be honoured.
  const pool = new Uint8Array(bytes.length + 16).fill(0x7b);
  pool.set(bytes, 7);
  const shapes: [string, unknown][] = [
    ['Buffer', Buffer.from(bytes)],
    ['Uint8Array', new Uint8Array(bytes)],
    ['ArrayBuffer', bytes.slice().buffer],
    ['Uint8Array view at an offset', pool.subarray(7, 7 + bytes.length)],
    ['Buffer view at an offset', Buffer.from(pool.buffer, 7, bytes.length)],
  ];
  if (v.bodyText !== undefined) shapes.push(['string', v.bodyText]);
  return shapes;
}

describe('the shared signature vectors', () => {
  it('cover every verification error code and both outcomes', () => {
    const codes = new Set(vectors.map((v) => (v.expected.ok ? 'ok' : v.expected.code)));
    for (const code of [
      'ok',
      'missing_header',
      'malformed_header',
      'no_signatures',
      'signature_mismatch',
      'timestamp_too_old',
      'timestamp_in_future',
      'body_not_raw',
      'no_secret',
      'invalid_options',
    ]) {
      assert.ok(codes.has(code), `no vector expects ${code}`);
    }
  });

  it('keep bodies whose bytes are not valid UTF-8 as bytes only', () => {
    const invalid = vectors.filter((v) => v.body instanceof Uint8Array && v.bodyText === undefined);
    assert.ok(invalid.length > 0);
  });
});

for (const engine of [nodeEngine, webEngine] satisfies HmacEngine[]) {
  const verifySignature = createSignatureVerifier(engine);
  describe(`the ${engine.name} engine on the shared vectors`, () => {
    for (const v of vectors) {
      it(v.name, async () => {
        for (const [shape, body] of bodyShapes(v)) {
          const attempt = verifySignature({
            body: body as RawBody,
            header: v.header,
            secret: v.secrets,
            now: v.now * 1000,
            ...v.options,
          });
          if (v.expected.ok) {
            const result = await attempt.catch((error: unknown) => {
              assert.fail(`${shape}: expected success, got ${(error as PersonaWebhookError).code}`);
            });
            assert.deepEqual(result, { timestamp: v.expected.timestamp, secretIndex: v.expected.secretIndex }, shape);
          } else {
            const code = v.expected.code;
            await assert.rejects(
              attempt,
              (error: unknown) => {
                assert.ok(error instanceof PersonaWebhookError, `${shape}: not a PersonaWebhookError`);
                assert.equal(error.code, code, shape);
                if (code !== 'invalid_options') assert.ok(error instanceof WebhookVerificationError, shape);
                return true;
              },
              shape,
            );
          }
        }
      });
    }
  });
}
