// createSignedRequest / createSignedDelivery: what they produce verifies with the library's own verifier,
// and a real HTTP server receives exactly those bytes and headers.
import * as assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { PersonaWebhookError, WebhookVerificationError } from '../../src/errors.js';
import { parseSignatureHeader } from '../../src/signature/header.js';
import { createSampleEvent, createSignedDelivery, createSignedRequest } from '../../src/testing/index.js';
import { verifySignature, verifyWebhook } from '../../src/webhook-signature.js';

const SECRET = 'wbhsec_abcdefgh-1234-5678-9ijk-lmnopqrstuvw';
const OLD_SECRET = 'wbhsec_old-0000-1111-2222-333344445555';

function code(expected: string) {
  return (error: unknown) => error instanceof PersonaWebhookError && error.code === expected;
}

describe('createSignedRequest', () => {
  it('builds a POST Request that verifyWebhook accepts', async () => {
    const request = await createSignedRequest({ event: 'inquiry.approved', secret: SECRET });
    assert.equal(request.method, 'POST');
    assert.equal(request.url, 'http://localhost/webhooks/persona');
    assert.equal(request.headers.get('content-type'), 'application/json; charset=utf-8');
    const event = await verifyWebhook({
      body: await request.text(),
      header: request.headers.get('Persona-Signature'),
      secret: SECRET,
    });
    assert.equal(event.name, 'inquiry.approved');
    assert.match(event.id, /^evt_/);
  });

  it('makes the sample event with the given options (API version, inflection, seed)', async () => {
    const options = { apiVersion: '2023-01-05', inflection: 'snake', seed: 3 } as const;
    const { body } = await createSignedDelivery({ event: 'inquiry.approved', sample: options, secret: SECRET });
    assert.equal(body, JSON.stringify(createSampleEvent('inquiry.approved', options)));
    const event = await verifyWebhook({
      body,
      header: (await createSignedDelivery({ body, secret: SECRET })).headers['persona-signature'],
      secret: SECRET,
    });
    assert.equal(event.inflection, 'snake');
    assert.equal(typeof (event.payload.data.attributes as Record<string, unknown>).name_first, 'string');
  });

  it('sends the attempt headers of a first delivery', async () => {
    const request = await createSignedRequest({ secret: SECRET, timestamp: 1_764_686_826 });
    assert.equal(request.headers.get('Persona-Webhook-Attempts-Made'), '1');
    assert.equal(request.headers.get('Persona-Webhook-Attempts-Left'), '7');
    assert.equal(request.headers.get('Persona-Webhook-First-Attempted-At'), '1764686826');
    assert.match(request.headers.get('persona-signature') ?? '', /^t=1764686826,v1=[0-9a-f]{64}$/);
  });

  it('signs one set per secret during a rotation, and either secret verifies', async () => {
    const request = await createSignedRequest({ event: 'case.created', secret: [SECRET, OLD_SECRET] });
    const header = request.headers.get('persona-signature');
    const body = await request.text();
    assert.equal(parseSignatureHeader(header).length, 2);
    assert.equal((await verifySignature({ body, header, secret: SECRET })).secretIndex, 0);
    assert.equal((await verifySignature({ body, header, secret: OLD_SECRET })).secretIndex, 0);
    assert.equal((await verifySignature({ body, header, secret: ['wbhsec_other', OLD_SECRET] })).secretIndex, 1);
    await assert.rejects(verifySignature({ body, header, secret: 'wbhsec_other' }), code('signature_mismatch'));
  });

  it('posts the given URL and an envelope object as JSON', async () => {
    const envelope = createSampleEvent('report/watchlist.matched', { seed: 9 });
    const request = await createSignedRequest({ url: 'https://example.test/hooks', event: envelope, secret: SECRET });
    assert.equal(request.url, 'https://example.test/hooks');
    assert.equal(await request.text(), JSON.stringify(envelope));
  });

  it('sends raw bytes unchanged (BOM, invalid UTF-8, CRLF) and they still verify', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x0d, 0x0a, 0xff, 0xfe, 0x7d]);
    const request = await createSignedRequest({ body: bytes, secret: SECRET });
    const received = new Uint8Array(await request.arrayBuffer());
    assert.deepEqual(received, bytes);
    await verifySignature({ body: received, header: request.headers.get('persona-signature'), secret: SECRET });
  });

  it('rejects a stale timestamp through the verifier, as a replayed delivery would be', async () => {
    const request = await createSignedRequest({ secret: SECRET, timestamp: Math.floor(Date.now() / 1000) - 3600 });
    await assert.rejects(
      verifyWebhook({ body: await request.text(), header: request.headers.get('persona-signature'), secret: SECRET }),
      (error: unknown) => error instanceof WebhookVerificationError && error.code === 'timestamp_too_old',
    );
  });
});

describe('createSignedDelivery', () => {
  it('returns a string body and lower-case headers that verify', async () => {
    const { body, headers } = await createSignedDelivery({ event: 'transaction.created', secret: SECRET });
    assert.equal(typeof body, 'string');
    assert.equal(JSON.parse(body).data.attributes.name, 'transaction.created');
    for (const key of Object.keys(headers)) assert.equal(key, key.toLowerCase());
    const event = await verifyWebhook({ body, header: headers['persona-signature'], secret: SECRET });
    assert.equal(event.payload.data.type, 'transaction');
  });

  it('describes a retry: attempts made, attempts left and the first attempt time', async () => {
    const { headers } = await createSignedDelivery({
      secret: SECRET,
      timestamp: new Date('2026-02-01T00:10:00Z'),
      attemptsMade: 3,
      firstAttemptedAt: new Date('2026-02-01T00:00:00Z'),
    });
    assert.equal(headers['persona-webhook-attempts-made'], '3');
    assert.equal(headers['persona-webhook-attempts-left'], '5');
    assert.equal(headers['persona-webhook-first-attempted-at'], String(Date.UTC(2026, 1, 1) / 1000));
    assert.match(headers['persona-signature'] ?? '', /^t=1769904600,/);
  });

  it('lets extra headers add to or replace the generated ones', async () => {
    const { headers } = await createSignedDelivery({
      secret: SECRET,
      headers: { Authorization: 'Bearer x', 'Persona-Webhook-Attempts-Left': '0' },
    });
    assert.equal(headers.authorization, 'Bearer x');
    assert.equal(headers['persona-webhook-attempts-left'], '0');
  });

  it('rejects both event and body, bad numbers and a missing secret', async () => {
    await assert.rejects(
      createSignedDelivery({ secret: SECRET, event: 'inquiry.approved', body: '{}' }),
      code('invalid_options'),
    );
    await assert.rejects(createSignedDelivery({ secret: SECRET, timestamp: 1.5 }), code('invalid_options'));
    await assert.rejects(createSignedDelivery({ secret: SECRET, attemptsMade: -1 }), code('invalid_options'));
    // @ts-expect-error a secret is required by the types too
    await assert.rejects(createSignedDelivery({ event: 'inquiry.approved' }), code('no_secret'));
    await assert.rejects(createSignedDelivery({ event: 'inquiry.approved', secret: ' ' }), code('no_secret'));
    await assert.rejects(createSignedDelivery({ secret: SECRET, event: 'nodot' }), code('invalid_options'));
  });

  it('refuses the removed `secrets` option, as verifySignature and signPayload do, instead of ignoring it', async () => {
    const secrets = { secrets: [SECRET, 'wbhsec_old'] };
    // @ts-expect-error `secrets` is not an option any more
    await assert.rejects(createSignedDelivery({ event: 'inquiry.approved', ...secrets }), code('invalid_options'));
    await assert.rejects(
      createSignedDelivery({ event: 'inquiry.approved', secret: SECRET, ...secrets }),
      code('invalid_options'),
    );
    await assert.rejects(
      createSignedRequest({ event: 'inquiry.approved', secret: SECRET, ...secrets }),
      code('invalid_options'),
    );
  });

  it('arrives at a real HTTP server byte for byte, with the headers Persona sends', async () => {
    const seen: { body: Buffer; headers: IncomingHttpHeaders }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ body: Buffer.concat(chunks), headers: req.headers });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const { body, headers } = await createSignedDelivery({ event: 'inquiry.completed', secret: SECRET });
      const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body, headers });
      assert.equal(response.status, 200);
      const [delivery] = seen;
      assert.ok(delivery !== undefined);
      assert.equal(delivery.body.toString('utf8'), body);
      assert.equal(delivery.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(delivery.headers['persona-webhook-attempts-made'], '1');
      const event = await verifyWebhook({
        body: delivery.body,
        header: delivery.headers['persona-signature'],
        secret: SECRET,
      });
      assert.equal(event.name, 'inquiry.completed');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
