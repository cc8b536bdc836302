// Property-based tests (fast-check): the grammar never throws a foreign error, signing round-trips on any
// bytes and secrets, and any one-byte change to the body or to t is rejected. Both engines.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PersonaWebhookError, WebhookVerificationError } from '../../src/errors.js';
import type { RawBody } from '../../src/signature/body.js';
import { parseSignatureHeader } from '../../src/signature/header.js';
import type { HmacEngine } from '../../src/signature/hmac.js';
import { hmacEngine as nodeEngine } from '../../src/signature/hmac-node.js';
import { hmacEngine as webEngine } from '../../src/signature/hmac-web.js';
import { createPayloadSigner } from '../../src/signature/sign.js';
import { createSignatureVerifier } from '../../src/signature/verify.js';

const RUNS = 300;

/** Strings built from the header's own alphabet, so that most land near valid syntax. */
const headerLike = fc
  .array(
    fc.oneof(
      fc.constantFrom('t', 'v1', 'v2', '=', ',', ' ', '\t', ', ', 'v1=', 't=', '0', '9', 'ab', 'ff'),
      fc.integer({ min: 0, max: 2 ** 41 }).map(String),
      fc.stringMatching(/^[0-9a-f]{64}$/),
      fc.string({ unit: 'binary', maxLength: 4 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

const anyHeader = fc.oneof(
  headerLike,
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.array(fc.oneof(headerLike, fc.string()), { maxLength: 4 }),
  fc.string({ maxLength: 10_000 }),
);

const secretArb = fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }).filter((s) => s.trim() !== '');
const timestampArb = fc.integer({ min: 0, max: 999_999_999_999 });

function expectVerificationError(error: unknown): void {
  assert.ok(error instanceof WebhookVerificationError, `a foreign error escaped: ${String(error)}`);
}

describe('parseSignatureHeader as a property', () => {
  it('never throws anything but a WebhookVerificationError on any string or array of strings', () => {
    fc.assert(
      fc.property(anyHeader, (header) => {
        try {
          const sets = parseSignatureHeader(header);
          assert.ok(sets.length > 0);
          for (const set of sets) assert.equal(String(set.timestamp), String(Number(set.timestampText)));
        } catch (error) {
          expectVerificationError(error);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws anything but a WebhookVerificationError on any value at all', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withMap: true, withTypedArray: true }), (header) => {
        try {
          parseSignatureHeader(header as string);
        } catch (error) {
          expectVerificationError(error);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

for (const engine of [nodeEngine, webEngine] satisfies HmacEngine[]) {
  const verifySignature = createSignatureVerifier(engine);
  const signPayload = createPayloadSigner(engine);

  describe(`verification properties on the ${engine.name} engine`, () => {
    it('rejects only with a PersonaWebhookError, whatever the header, body and secret', async () => {
      await fc.assert(
        fc.asyncProperty(
          anyHeader,
          fc.oneof(fc.string(), fc.uint8Array({ maxLength: 64 }), fc.anything()),
          fc.oneof(secretArb, fc.anything()),
          async (header, body, secret) => {
            try {
              await verifySignature({ header, body: body as RawBody, secret: secret as string, now: 0 });
            } catch (error) {
              assert.ok(error instanceof PersonaWebhookError, `a foreign error escaped: ${String(error)}`);
            }
          },
        ),
        { numRuns: RUNS },
      );
    });

    it('round-trips sign then verify on random bytes, secrets and timestamps', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 4096 }),
          fc.array(secretArb, { minLength: 1, maxLength: 3 }),
          fc.nat(),
          timestampArb,
          async (body, secrets, pick, t) => {
            const header = await signPayload({ body, secret: secrets, timestamp: t });
            const index = pick % secrets.length;
            const secret = secrets[index] as string;
            const result = await verifySignature({ body, header, secret, now: t * 1000 });
            assert.deepEqual(result, { timestamp: t, secretIndex: 0 });
            // Every configured secret is tried, and the first one that matches is reported.
            const many = await verifySignature({
              body,
              header,
              secret: ['wbhsec_unrelated', ...secrets],
              now: t * 1000,
            });
            assert.equal(many.secretIndex, secrets.includes('wbhsec_unrelated') ? 0 : 1);
          },
        ),
        { numRuns: RUNS },
      );
    });

    it('round-trips string bodies, with the same result as their UTF-8 bytes', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ unit: 'grapheme', maxLength: 300 }),
          secretArb,
          timestampArb,
          async (text, secret, t) => {
            const header = await signPayload({ body: text, secret, timestamp: t });
            assert.equal(header, await signPayload({ body: new TextEncoder().encode(text), secret, timestamp: t }));
            await verifySignature({ body: Buffer.from(text, 'utf8'), header, secret, now: t * 1000 });
          },
        ),
        { numRuns: RUNS },
      );
    });

    it('rejects any one-byte change to the body', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: 1, maxLength: 2048 }),
          secretArb,
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          fc.constantFrom('flip', 'insert', 'delete'),
          async (body, secret, position, delta, kind) => {
            const header = await signPayload({ body, secret, timestamp: 1_700_000_000 });
            const i = position % body.length;
            let changed: Uint8Array;
            if (kind === 'flip') {
              changed = body.slice();
              changed[i] = ((changed[i] as number) ^ delta) & 0xff;
            } else if (kind === 'insert') {
              changed = new Uint8Array(body.length + 1);
              changed.set(body.subarray(0, i), 0);
              changed[i] = delta;
              changed.set(body.subarray(i), i + 1);
            } else {
              changed = new Uint8Array(body.length - 1);
              changed.set(body.subarray(0, i), 0);
              changed.set(body.subarray(i + 1), i);
            }
            await assert.rejects(
              verifySignature({ body: changed, header, secret, disableTimestampCheck: true }),
              (error: unknown) => error instanceof WebhookVerificationError && error.code === 'signature_mismatch',
            );
          },
        ),
        { numRuns: RUNS },
      );
    });

    it('rejects any change to t, even a changed digit inside the window', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 512 }),
          secretArb,
          timestampArb,
          fc.nat(),
          fc.integer({ min: 1, max: 9 }),
          async (body, secret, t, position, delta) => {
            const header = await signPayload({ body, secret, timestamp: t });
            const text = String(t);
            const i = position % text.length;
            const digit = (Number(text[i]) + delta) % 10;
            const changedT = text.slice(0, i) + String(digit) + text.slice(i + 1);
            const forged = header.replace(`t=${text},`, `t=${changedT},`);
            assert.notEqual(forged, header);
            await assert.rejects(
              verifySignature({ body, header: forged, secret, disableTimestampCheck: true }),
              (error: unknown) => error instanceof WebhookVerificationError && error.code === 'signature_mismatch',
            );
          },
        ),
        { numRuns: RUNS },
      );
    });

    it('rejects any one-character change to the signature', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 256 }),
          secretArb,
          fc.nat(),
          fc.integer({ min: 1, max: 15 }),
          async (body, secret, position, delta) => {
            const header = await signPayload({ body, secret, timestamp: 1_700_000_000 });
            const sig = header.slice(header.indexOf('v1=') + 3);
            const i = position % sig.length;
            const nibble = ((Number.parseInt(sig[i] as string, 16) + delta) % 16).toString(16);
            const forged = `t=1700000000,v1=${sig.slice(0, i)}${nibble}${sig.slice(i + 1)}`;
            await assert.rejects(
              verifySignature({ body, header: forged, secret, disableTimestampCheck: true }),
              (error: unknown) => error instanceof WebhookVerificationError && error.code === 'signature_mismatch',
            );
          },
        ),
        { numRuns: RUNS },
      );
    });

    it('rejects a signature with any character swapped for a non-hex one sharing its low byte (full-width digits)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 256 }),
          secretArb,
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          async (body, secret, position, high) => {
            const header = await signPayload({ body, secret, timestamp: 1_700_000_000 });
            const sig = header.slice(header.indexOf('v1=') + 3);
            const i = position % sig.length;
            // Same low byte as the original digit: a decoder that keeps only low bytes reads the valid HMAC.
            const swapped = String.fromCharCode(((sig.charCodeAt(i) & 0xff) | (high << 8)) & 0xffff);
            const forged = `t=1700000000,v1=${sig.slice(0, i)}${swapped}${sig.slice(i + 1)}`;
            await assert.rejects(
              verifySignature({ body, header: forged, secret, disableTimestampCheck: true }),
              (error: unknown) => error instanceof WebhookVerificationError && error.code === 'signature_mismatch',
            );
          },
        ),
        { numRuns: RUNS },
      );
    });
  });
}

describe('the two engines', () => {
  const signNode = createPayloadSigner(nodeEngine);
  const signWeb = createPayloadSigner(webEngine);

  it('sign every body and secret identically, lone surrogates included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 1024 }), fc.string({ unit: 'binary', maxLength: 200 })),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }).filter((s) => s.trim() !== ''),
        timestampArb,
        async (body, secret, t) => {
          assert.equal(await signNode({ body, secret, timestamp: t }), await signWeb({ body, secret, timestamp: t }));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
