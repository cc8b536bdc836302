// One suite for every rule of verifySignature, run against the node:crypto and the Web Crypto engines.
import * as assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { PersonaWebhookError, WebhookVerificationError } from '../../src/errors.js';
import type { RawBody } from '../../src/signature/body.js';
import type { HmacEngine } from '../../src/signature/hmac.js';
import { hmacEngine as nodeEngine } from '../../src/signature/hmac-node.js';
import { hmacEngine as webEngine } from '../../src/signature/hmac-web.js';
import { createPayloadSigner } from '../../src/signature/sign.js';
import {
  createSignatureVerifier,
  DEFAULT_FUTURE_TOLERANCE_SECONDS,
  DEFAULT_TOLERANCE_SECONDS,
  type VerifySignatureOptions,
} from '../../src/signature/verify.js';
import { rejectionCodeOf } from '../helpers/errors.js';

const SECRET = 'wbhsec_abcdefgh-1234-5678-9ijk-lmnopqrstuvw';
const OTHER = 'wbhsec_07her000-aaaa-bbbb-cccc-ddddeeeeffff';
const T = 1764686826;
const NOW = T * 1000;
// A body with personal data in it: none of it may appear in an error.
const BODY =
  '{"data":{"type":"event","id":"evt_leakcheck","attributes":{"name":"inquiry.approved","payload":{"data":' +
  '{"type":"inquiry","id":"inq_leakcheck","attributes":{"name-first":"Zebulon","birthdate":"1977-03-14"}}},' +
  '"created-at":"2025-12-02T14:47:06.000Z"}}}';

function reference(secret: string, t: number | string, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
}

async function errorOf(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof WebhookVerificationError, `not a WebhookVerificationError: ${String(error)}`);
    return error;
  }
  assert.fail('expected a WebhookVerificationError');
}

/** Everything an error exposes: message, details, stack, cause and own properties. */
function everythingIn(error: Error): string {
  return `${String(error)}\n${error.stack ?? ''}\n${inspect(error, { depth: 5 })}\n${JSON.stringify(error)}`;
}

for (const engine of [nodeEngine, webEngine] satisfies HmacEngine[]) {
  const verifySignature = createSignatureVerifier(engine);
  const signPayload = createPayloadSigner(engine);
  const verify = (overrides: Partial<VerifySignatureOptions>) =>
    verifySignature({
      body: BODY,
      header: `t=${T},v1=${reference(SECRET, T, BODY)}`,
      secret: SECRET,
      now: NOW,
      ...overrides,
    });

  describe(`verifySignature on the ${engine.name} engine`, () => {
    describe('bodies', () => {
      it('accepts a string, a Buffer, a Uint8Array and an ArrayBuffer of the same bytes', async () => {
        const bytes = new TextEncoder().encode(BODY);
        for (const body of [BODY, Buffer.from(BODY), bytes, bytes.slice().buffer] as RawBody[]) {
          assert.deepEqual(await verify({ body }), { timestamp: T, secretIndex: 0 });
        }
      });

      it('signs the exact bytes: a body decoded as Latin-1 and re-encoded no longer verifies', async () => {
        const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0xe2, 0x82, 0xac, 0xff, 0x7d, 0x0d, 0x0a]);
        const header = `t=${T},v1=${reference(SECRET, T, bytes)}`;
        assert.equal(await rejectionCodeOf(verify({ body: bytes, header })), 'ok');
        assert.equal(await rejectionCodeOf(verify({ body: bytes.toString('latin1'), header })), 'signature_mismatch');
        assert.equal(await rejectionCodeOf(verify({ body: bytes.toString('utf8'), header })), 'signature_mismatch');
      });

      it('keeps a leading BOM and CRLF line ends in a string body', async () => {
        const body = '\uFEFF{"a":"\u00e9\u{1F600}"}\r\n';
        const header = `t=${T},v1=${reference(SECRET, T, Buffer.from(body, 'utf8'))}`;
        assert.equal(await rejectionCodeOf(verify({ body, header })), 'ok');
        assert.equal(await rejectionCodeOf(verify({ body: body.slice(1), header })), 'signature_mismatch');
        assert.equal(await rejectionCodeOf(verify({ body: body.replace('\r\n', '\n'), header })), 'signature_mismatch');
      });

      it('accepts bytes and an ArrayBuffer made in another realm', async () => {
        const { runInNewContext } = await import('node:vm');
        const bytes = new TextEncoder().encode(BODY);
        const foreign = runInNewContext('(n) => new Uint8Array(n)', {}) as (n: number) => Uint8Array;
        const view = foreign(bytes.length);
        view.set(bytes);
        assert.ok(!(view.buffer instanceof ArrayBuffer));
        assert.equal(await rejectionCodeOf(verify({ body: view })), 'ok');
        assert.equal(await rejectionCodeOf(verify({ body: view.buffer as unknown as ArrayBuffer })), 'ok');
      });

      it('honours the offset of a Buffer that is a slice of a larger pool', async () => {
        const pool = Buffer.from(`xxxx${BODY}yyyy`);
        assert.equal(await rejectionCodeOf(verify({ body: pool.subarray(4, 4 + BODY.length) })), 'ok');
      });

      it('accepts an empty body when it is what was signed', async () => {
        assert.equal(
          await rejectionCodeOf(verify({ body: '', header: `t=${T},v1=${reference(SECRET, T, '')}` })),
          'ok',
        );
      });

      for (const [kind, body] of [
        ['a parsed object', JSON.parse(BODY)],
        ['an array', [1, 2]],
        ['null', null],
        ['undefined', undefined],
        ['a number', 42],
      ] as [string, unknown][]) {
        it(`fails with body_not_raw and says how to get the raw body when given ${kind}`, async () => {
          const error = await errorOf(verify({ body: body as RawBody }));
          assert.equal(error.code, 'body_not_raw');
          assert.equal(error.status, 500);
          assert.match(error.message, /raw/);
          assert.match(error.message, /express\.raw/);
        });
      }
    });

    describe('secrets', () => {
      it('reports which secret of the array matched', async () => {
        assert.deepEqual(await verify({ secret: [OTHER, SECRET] }), { timestamp: T, secretIndex: 1 });
        assert.deepEqual(await verify({ secret: [OTHER, OTHER, SECRET] }), { timestamp: T, secretIndex: 2 });
        assert.deepEqual(await verify({ secret: [SECRET, OTHER] }), { timestamp: T, secretIndex: 0 });
      });

      it('refuses the removed `secrets` option with a message naming `secret`', async () => {
        const error = await verify({ secrets: [SECRET] } as never).catch((e: unknown) => e);
        assert.ok(error instanceof PersonaWebhookError);
        assert.equal(error.code, 'invalid_options');
        assert.match(error.message, /secret: \[/);
      });

      it('fails with no_secret when no secret, an empty list or a non-string secret is given', async () => {
        assert.equal(await rejectionCodeOf(verify({ secret: undefined as never })), 'no_secret');
        assert.equal(await rejectionCodeOf(verify({ secret: [] })), 'no_secret');
        assert.equal(await rejectionCodeOf(verify({ secret: '' })), 'no_secret');
        assert.equal(await rejectionCodeOf(verify({ secret: [SECRET, ' '] })), 'no_secret');
        assert.equal(await rejectionCodeOf(verify({ secret: 42 as unknown as string })), 'no_secret');
        assert.equal(await rejectionCodeOf(verify({ secret: [null] as unknown as string[] })), 'no_secret');
      });

      it('explains a no_secret failure with a 500 status, since the receiver is misconfigured', async () => {
        const error = await errorOf(verify({ secret: undefined }));
        assert.equal(error.status, 500);
        assert.match(error.message, /wbhsec_/);
      });

      it('hints at surrounding whitespace when a padded secret does not match', async () => {
        const error = await errorOf(verify({ secret: ` ${SECRET}\n` }));
        assert.equal(error.code, 'signature_mismatch');
        assert.match(error.message, /whitespace/);
      });

      it('hints when a secret lacks the wbhsec_ prefix', async () => {
        const error = await errorOf(verify({ secret: 'not-a-persona-secret' }));
        assert.match(error.message, /wbhsec_/);
      });
    });

    describe('header grammar', () => {
      const sig = reference(SECRET, T, BODY);

      it('accepts a match in any set and any v1 of a set', async () => {
        const otherSig = reference(OTHER, T - 5, BODY);
        const header = `t=${T - 5},v1=${'0'.repeat(64)},v1=${otherSig} t=${T},v1=${'1'.repeat(64)},v1=${sig}`;
        assert.deepEqual(await verify({ header }), { timestamp: T, secretIndex: 0 });
        assert.deepEqual(await verify({ header, secret: OTHER }), { timestamp: T - 5, secretIndex: 0 });
      });

      it('reads a header array as the values of a repeated header', async () => {
        assert.equal(
          await rejectionCodeOf(verify({ header: [`t=${T - 1},v1=${'0'.repeat(64)}`, `t=${T},v1=${sig}`] })),
          'ok',
        );
      });

      it('fails with malformed_header on a header that is not a string or an array of strings', async () => {
        assert.equal(await rejectionCodeOf(verify({ header: 42 as unknown as string })), 'malformed_header');
        assert.equal(await rejectionCodeOf(verify({ header: {} as unknown as string })), 'malformed_header');
        assert.equal(
          await rejectionCodeOf(verify({ header: [`t=${T},v1=${sig}`, 7] as unknown as string[] })),
          'malformed_header',
        );
        assert.equal(
          await rejectionCodeOf(verify({ header: [Symbol('x')] as unknown as string[] })),
          'malformed_header',
        );
      });

      it('fails with missing_header on undefined as on null', async () => {
        assert.equal(await rejectionCodeOf(verify({ header: undefined })), 'missing_header');
        assert.equal(await rejectionCodeOf(verify({ header: null })), 'missing_header');
      });

      it('bounds the work a hostile header can cause', async () => {
        const long = `t=${T},v1=${sig},x=${'a'.repeat(9000)}`;
        assert.equal(await rejectionCodeOf(verify({ header: long })), 'malformed_header');
        const manySets = Array.from({ length: 9 }, () => `t=${T},v1=${sig}`).join(' ');
        assert.equal(await rejectionCodeOf(verify({ header: manySets })), 'malformed_header');
        const manyV1 = `t=${T},${Array.from({ length: 9 }, () => `v1=${'0'.repeat(64)}`).join(',')}`;
        assert.equal(await rejectionCodeOf(verify({ header: manyV1 })), 'malformed_header');
      });

      it('answers 400 for header problems and 401 for a mismatch', async () => {
        assert.equal((await errorOf(verify({ header: null }))).status, 400);
        assert.equal((await errorOf(verify({ header: 'junk' }))).status, 400);
        assert.equal((await errorOf(verify({ header: `t=${T}` }))).status, 400);
        assert.equal((await errorOf(verify({ secret: OTHER }))).status, 401);
      });
    });

    describe('replay window', () => {
      it('defaults to 300 s into the past and 60 s into the future', async () => {
        assert.equal(DEFAULT_TOLERANCE_SECONDS, 300);
        assert.equal(DEFAULT_FUTURE_TOLERANCE_SECONDS, 60);
        assert.equal(await rejectionCodeOf(verify({ now: NOW + 300_000 })), 'ok');
        assert.equal(await rejectionCodeOf(verify({ now: NOW + 300_001 })), 'timestamp_too_old');
        assert.equal(await rejectionCodeOf(verify({ now: NOW - 60_000 })), 'ok');
        assert.equal(await rejectionCodeOf(verify({ now: NOW - 60_001 })), 'timestamp_in_future');
      });

      it('takes now as a Date or as milliseconds', async () => {
        assert.equal(await rejectionCodeOf(verify({ now: new Date(NOW + 10_000) })), 'ok');
        assert.equal(await rejectionCodeOf(verify({ now: new Date(NOW + 400_000) })), 'timestamp_too_old');
      });

      it('checks against the current time when now is not given', async () => {
        const header = await signPayload({ body: BODY, secret: SECRET });
        assert.equal(await rejectionCodeOf(verifySignature({ body: BODY, header, secret: SECRET })), 'ok');
        assert.equal(await rejectionCodeOf(verify({ now: undefined })), 'timestamp_too_old');
      });

      it('says how old the timestamp is, and the tolerance, in safe details', async () => {
        const error = await errorOf(verify({ now: NOW + 1_000_000 }));
        assert.equal(error.code, 'timestamp_too_old');
        assert.equal(error.status, 401);
        assert.match(error.message, new RegExp(`t=${T}`));
        assert.equal(error.details.timestamp, T);
        assert.equal(error.details.toleranceSeconds, 300);
        assert.equal(error.details.now, T + 1000);
      });

      for (const [name, value] of [
        ['zero', 0],
        ['negative', -5],
        ['NaN', Number.NaN],
        ['infinite', Number.POSITIVE_INFINITY],
        ['a string', '300'],
      ] as [string, unknown][]) {
        it(`fails with invalid_options on a ${name} tolerance, pointing at disableTimestampCheck`, async () => {
          for (const key of ['toleranceSeconds', 'futureToleranceSeconds']) {
            const attempt = verify({ [key]: value });
            await assert.rejects(attempt, (error: unknown) => {
              assert.ok(error instanceof PersonaWebhookError);
              assert.ok(!(error instanceof WebhookVerificationError));
              assert.equal(error.code, 'invalid_options');
              assert.match(error.message, /disableTimestampCheck/);
              return true;
            });
          }
        });
      }

      it('fails with invalid_options on a now that is not a valid time', async () => {
        for (const now of [new Date('not a date'), Number.NaN, Number.NEGATIVE_INFINITY]) {
          assert.equal(await rejectionCodeOf(verify({ now })), 'invalid_options');
        }
      });

      it('validates the tolerance before comparing signatures', async () => {
        assert.equal(await rejectionCodeOf(verify({ secret: OTHER, toleranceSeconds: 0 })), 'invalid_options');
      });

      it('skips the window only when disableTimestampCheck is true', async () => {
        assert.equal(await rejectionCodeOf(verify({ now: 0, disableTimestampCheck: true })), 'ok');
        assert.equal(await rejectionCodeOf(verify({ now: NOW * 2, disableTimestampCheck: true })), 'ok');
        assert.equal(
          await rejectionCodeOf(verify({ now: NOW * 2, disableTimestampCheck: false })),
          'timestamp_too_old',
        );
      });
    });

    describe('errors', () => {
      const signature = reference(SECRET, T, BODY);
      const failures: [string, Partial<VerifySignatureOptions>][] = [
        ['signature_mismatch', { secret: OTHER }],
        ['signature_mismatch', { secret: [OTHER, ` ${SECRET}`] }],
        ['signature_mismatch', { header: `t=${T},v1=${signature.slice(0, 63)}` }],
        ['timestamp_too_old', { now: NOW + 1e9 }],
        ['timestamp_in_future', { now: NOW - 1e9 }],
        ['malformed_header', { header: `t=x,v1=${signature}` }],
        ['no_signatures', { header: `t=${T},v2=${signature}` }],
        ['missing_header', { header: '' }],
        ['body_not_raw', { body: JSON.parse(BODY) as unknown as string }],
        ['no_secret', { secret: '' }],
      ];
      for (const [code, overrides] of failures) {
        it(`never carries the body, a secret or the expected signature (${code})`, async () => {
          const error = await errorOf(verify(overrides));
          assert.equal(error.code, code);
          const text = everythingIn(error);
          for (const secret of [SECRET, OTHER, SECRET.slice(7), OTHER.slice(7)]) {
            assert.ok(!text.includes(secret), 'a secret leaked');
          }
          for (const leak of ['Zebulon', '1977-03-14', 'inq_leakcheck', signature, signature.toUpperCase()]) {
            assert.ok(!text.includes(leak), `"${leak.slice(0, 12)}" leaked`);
          }
          assert.ok(!text.includes(signature.slice(0, 16)), 'a prefix of the expected signature leaked');
        });
      }

      it('gives the body length and the number of sets and secrets tried on a mismatch', async () => {
        const error = await errorOf(
          verify({ secret: [OTHER, `${OTHER}x`], header: `t=${T},v1=${'0'.repeat(64)} t=${T}` }),
        );
        assert.equal(error.code, 'signature_mismatch');
        assert.deepEqual(
          { ...error.details },
          { bodyLength: BODY.length, signatureSets: 2, secretsTried: 2, timestamp: T },
        );
        assert.match(error.message, new RegExp(`${BODY.length}`));
        assert.match(error.message, /2 signature set/);
        assert.match(error.message, /2 secret/);
        assert.match(error.message, new RegExp(`t=${T}, t=${T}`));
      });

      it('hints when no v1 value has the shape of a hex HMAC-SHA256', async () => {
        const base64 = Buffer.from(reference(SECRET, T, BODY), 'hex').toString('base64');
        const error = await errorOf(verify({ header: `t=${T},v1=${base64}` }));
        assert.equal(error.code, 'signature_mismatch');
        assert.match(error.message, /64 hex digits/);
        assert.ok(!error.message.includes(base64));
        const plain = await errorOf(verify({ secret: OTHER }));
        assert.doesNotMatch(plain.message, /64 hex digits/);
      });

      it('is a PersonaWebhookError and an Error with a stable name', async () => {
        const error = await errorOf(verify({ secret: OTHER }));
        assert.ok(error instanceof PersonaWebhookError);
        assert.ok(error instanceof Error);
        assert.equal(error.name, 'WebhookVerificationError');
      });

      it('rejects the promise rather than throwing synchronously', () => {
        const attempt = verifySignature({ body: BODY, header: null, secret: SECRET });
        assert.ok(attempt instanceof Promise);
        return assert.rejects(attempt);
      });
    });

    describe('signPayload', () => {
      it('signs as Persona does: t, a dot, the body, hex HMAC-SHA256 under the secret as-is', async () => {
        const header = await signPayload({ body: BODY, secret: SECRET, timestamp: T });
        assert.equal(header, `t=${T},v1=${reference(SECRET, T, BODY)}`);
      });

      it('writes one set per secret, separated by a space, each verifying on its own', async () => {
        const header = await signPayload({ body: BODY, secret: [OTHER, SECRET], timestamp: T });
        assert.equal(header, `t=${T},v1=${reference(OTHER, T, BODY)} t=${T},v1=${reference(SECRET, T, BODY)}`);
        assert.deepEqual(await verify({ header }), { timestamp: T, secretIndex: 0 });
        assert.deepEqual(await verify({ header, secret: OTHER }), { timestamp: T, secretIndex: 0 });
      });

      it('takes the timestamp as a Date and defaults it to now', async () => {
        const fromDate = await signPayload({ body: BODY, secret: SECRET, timestamp: new Date(NOW + 999) });
        assert.match(fromDate, new RegExp(`^t=${T},`));
        const before = Math.floor(Date.now() / 1000);
        const header = await signPayload({ body: BODY, secret: SECRET });
        const after = Math.floor(Date.now() / 1000);
        const t = Number(/^t=(\d+),/.exec(header)?.[1]);
        assert.ok(t >= before && t <= after, `t=${t}, signed between ${before} and ${after}`);
      });

      it('fails with invalid_options on a timestamp that is not whole non-negative seconds', async () => {
        for (const timestamp of [1.5, -1, Number.NaN, new Date(Number.NaN), Date.now()]) {
          assert.equal(
            await rejectionCodeOf(signPayload({ body: BODY, secret: SECRET, timestamp })),
            'invalid_options',
          );
        }
      });

      it('fails with no_secret and body_not_raw like verification does', async () => {
        assert.equal(await rejectionCodeOf(signPayload({ body: BODY } as never)), 'no_secret');
        assert.equal(
          await rejectionCodeOf(signPayload({ body: {} as unknown as string, secret: SECRET })),
          'body_not_raw',
        );
      });
    });
  });
}

describe('createSignatureVerifier with an engine that answers both ways', () => {
  // An engine may answer some pairs synchronously and others with a promise (the verifier switches to
  // awaiting at the first promise); what it learnt before the switch must not be lost.
  const mixed: HmacEngine = {
    name: 'web',
    sign: () => '',
    matches: (_secret, timestamp) => (timestamp === String(T) ? true : Promise.resolve(false)),
  };
  const verifySignature = createSignatureVerifier(mixed);
  const header = `t=${T},v1=${'a'.repeat(64)} t=${T + 1},v1=${'b'.repeat(64)}`;

  it('still reports a stale match found before the switch to awaiting', async () => {
    await assert.rejects(verifySignature({ body: BODY, header, secret: SECRET, now: NOW + 1e7 }), {
      code: 'timestamp_too_old',
    });
  });

  it('accepts a match found before the switch when it is inside the window', async () => {
    assert.deepEqual(await verifySignature({ body: BODY, header, secret: SECRET, now: NOW }), {
      timestamp: T,
      secretIndex: 0,
    });
  });
});
