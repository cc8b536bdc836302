// The package-level entry points: verifySignature, verifyWebhook and signPayload as exported from the root
// (built on the runtime's engine through `#hmac`, which resolves to dist: run `npm run build` first).
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as pkg from 'persona-webhooks';
import { WebhookVerificationError } from '../../src/errors.js';
import type { HmacEngine } from '../../src/signature/hmac.js';
import { createSignatureVerifier } from '../../src/signature/verify.js';
import { hmacEngineName, signPayload, verifySignature, verifyWebhook } from '../../src/webhook-signature.js';
import { rejectionCodeOf } from '../helpers/errors.js';
import { loadSignatureVectors } from '../vectors/index.js';

const SECRET = 'wbhsec_abcdefgh-1234-5678-9ijk-lmnopqrstuvw';
const T = 1764686826;
const NOW = T * 1000;

function envelope(inflection: 'kebab' | 'camel' | 'snake', name = 'inquiry.approved'): string {
  const createdAt = { kebab: 'created-at', camel: 'createdAt', snake: 'created_at' }[inflection];
  return JSON.stringify({
    data: {
      type: 'event',
      id: `evt_${inflection}`,
      attributes: {
        name,
        payload: { data: { type: 'inquiry', id: 'inq_1', attributes: { status: 'approved' } }, included: [] },
        [createdAt]: '2025-12-02T14:47:06.000Z',
      },
    },
  });
}

describe('the package root', () => {
  it('exports the verification API under the names the issue fixes', () => {
    assert.equal(typeof pkg.verifySignature, 'function');
    assert.equal(typeof pkg.verifyWebhook, 'function');
    assert.equal(typeof pkg.signPayload, 'function');
    assert.equal(typeof pkg.getSignatureHeader, 'function');
    assert.equal(typeof pkg.parseEvent, 'function');
    assert.ok(new pkg.WebhookVerificationError('signature_mismatch', 'x') instanceof pkg.PersonaWebhookError);
  });

  it('picks the node:crypto engine on Node, from the sources and in the built package', async () => {
    assert.equal(hmacEngineName, 'node');
    // The built file resolves `#hmac` through the package's "imports" map, as an installed copy does.
    const built = (await import(new URL('../../dist/webhook-signature.js', import.meta.url).href)) as {
      hmacEngineName: string;
    };
    assert.equal(built.hmacEngineName, 'node');
  });

  it('verifies a header it signed, as built', async () => {
    const body = envelope('kebab');
    const header = await pkg.signPayload({ body, secret: SECRET });
    assert.equal((await pkg.verifyWebhook({ body, header, secret: SECRET })).id, 'evt_kebab');
  });
});

describe('the #hmac import map', () => {
  const root = new URL('../../', import.meta.url);
  const map = (
    JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
      imports: Record<string, Record<string, string>>;
    }
  ).imports['#hmac'];

  it('sends Node to node:crypto and every other runtime to Web Crypto', () => {
    assert.equal(map?.node, './dist/signature/hmac-node.js');
    assert.equal(map?.default, './dist/signature/hmac-web.js');
  });

  it('builds a Web Crypto engine that imports nothing from node: and passes the shared vectors', async () => {
    const file = new URL(map?.default ?? '', root);
    const source = readFileSync(file, 'utf8');
    assert.ok(!/from ['"]node:/.test(source), 'the portable engine must not import node: modules');
    const { hmacEngine } = (await import(file.href)) as { hmacEngine: HmacEngine };
    assert.equal(hmacEngine.name, 'web');
    const verify = createSignatureVerifier(hmacEngine);
    for (const v of loadSignatureVectors()) {
      const attempt = verify({
        body: v.body as Uint8Array,
        header: v.header,
        secret: v.secrets,
        now: v.now * 1000,
        ...v.options,
      });
      if (v.expected.ok) assert.equal((await attempt).secretIndex, v.expected.secretIndex, v.name);
      else assert.equal(await rejectionCodeOf(attempt), v.expected.code, v.name);
    }
  });
});

describe('verifySignature from the package', () => {
  it('passes every shared vector, with the body as a Buffer', async () => {
    for (const v of loadSignatureVectors()) {
      const attempt = verifySignature({
        body: v.body instanceof Uint8Array ? Buffer.from(v.body) : (v.body as unknown as string),
        header: v.header,
        secret: v.secrets,
        now: v.now * 1000,
        ...v.options,
      });
      if (v.expected.ok) {
        assert.deepEqual(
          await attempt,
          { timestamp: v.expected.timestamp, secretIndex: v.expected.secretIndex },
          v.name,
        );
      } else {
        assert.equal(await rejectionCodeOf(attempt), v.expected.code, v.name);
      }
    }
  });

  it('fails with invalid_options on an invalid now', async () => {
    const header = await signPayload({ body: '{}', secret: SECRET, timestamp: T });
    for (const now of [new Date(Number.NaN), Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.equal(
        await rejectionCodeOf(verifySignature({ body: '{}', header, secret: SECRET, now })),
        'invalid_options',
      );
    }
  });
});

describe('verifyWebhook', () => {
  for (const inflection of ['kebab', 'camel', 'snake'] as const) {
    it(`verifies then parses a ${inflection}-case envelope`, async () => {
      const body = envelope(inflection);
      const header = await signPayload({ body, secret: SECRET, timestamp: T });
      const event = await verifyWebhook({ body: Buffer.from(body), header, secret: SECRET, now: NOW });
      assert.equal(event.id, `evt_${inflection}`);
      assert.equal(event.name, 'inquiry.approved');
      assert.equal(event.inflection, inflection);
      assert.equal(event.createdAt.toISOString(), '2025-12-02T14:47:06.000Z');
      assert.equal(event.payload.data.id, 'inq_1');
    });
  }

  it('parses a body given as a string, a Uint8Array or an ArrayBuffer, a BOM included', async () => {
    const body = `\uFEFF${envelope('kebab')}`;
    const bytes = new TextEncoder().encode(body);
    const header = await signPayload({ body: bytes, secret: SECRET, timestamp: T });
    for (const shape of [body, bytes, Buffer.from(bytes), bytes.slice().buffer]) {
      assert.equal((await verifyWebhook({ body: shape, header, secret: SECRET, now: NOW })).id, 'evt_kebab');
    }
  });

  it('passes unknown event names through', async () => {
    const body = envelope('kebab', 'spaceship.launched');
    const header = await signPayload({ body, secret: SECRET, timestamp: T });
    assert.equal((await verifyWebhook({ body, header, secret: SECRET, now: NOW })).name, 'spaceship.launched');
  });

  it('fails with invalid_json, status 400, when a correctly signed body is not JSON', async () => {
    const body = 'Zebulon,1977-03-14';
    const header = await signPayload({ body, secret: SECRET, timestamp: T });
    await assert.rejects(verifyWebhook({ body, header, secret: SECRET, now: NOW }), (error: unknown) => {
      assert.ok(error instanceof WebhookVerificationError);
      assert.equal(error.code, 'invalid_json');
      assert.equal(error.status, 400);
      assert.ok(!error.message.includes('Zebulon'));
      return true;
    });
  });

  it('fails with invalid_event when a correctly signed body is JSON but not an event', async () => {
    const body = JSON.stringify({ data: { type: 'inquiry', id: 'inq_1' } });
    const header = await signPayload({ body, secret: SECRET, timestamp: T });
    assert.equal(await rejectionCodeOf(verifyWebhook({ body, header, secret: SECRET, now: NOW })), 'invalid_event');
  });

  it('checks the signature before parsing: a forged body that is not JSON is a mismatch', async () => {
    const header = await signPayload({ body: envelope('kebab'), secret: SECRET, timestamp: T });
    assert.equal(
      await rejectionCodeOf(verifyWebhook({ body: 'not json', header, secret: SECRET, now: NOW })),
      'signature_mismatch',
    );
  });

  it('reports signature and timestamp failures with their own codes', async () => {
    const body = envelope('kebab');
    const header = await signPayload({ body, secret: SECRET, timestamp: T });
    assert.equal(
      await rejectionCodeOf(verifyWebhook({ body, header, secret: 'wbhsec_other', now: NOW })),
      'signature_mismatch',
    );
    assert.equal(
      await rejectionCodeOf(verifyWebhook({ body, header, secret: SECRET, now: NOW + 3_600_000 })),
      'timestamp_too_old',
    );
    assert.equal(await rejectionCodeOf(verifyWebhook({ body, header: undefined, secret: SECRET })), 'missing_header');
    assert.equal(
      await rejectionCodeOf(verifyWebhook({ body: JSON.parse(body), header, secret: SECRET })),
      'body_not_raw',
    );
    assert.equal(
      await rejectionCodeOf(verifyWebhook({ body, header, secret: SECRET, toleranceSeconds: -1 })),
      'invalid_options',
    );
  });

  it('always answers with a promise, never a synchronous throw', async () => {
    const attempt = verifyWebhook({ body: '{}', header: null, secret: '' });
    assert.ok(attempt instanceof Promise);
    assert.equal(await rejectionCodeOf(attempt), 'no_secret');
  });

  it('accepts a header read from a Request with getSignatureHeader', async () => {
    const body = envelope('snake');
    const header = await signPayload({ body, secret: SECRET });
    const request = new Request('http://127.0.0.1/webhooks/persona', {
      method: 'POST',
      headers: { 'Persona-Signature': header, 'content-type': 'application/json' },
      body,
    });
    const event = await verifyWebhook({
      body: await request.arrayBuffer(),
      header: pkg.getSignatureHeader(request),
      secret: SECRET,
    });
    assert.equal(event.inflection, 'snake');
  });
});
