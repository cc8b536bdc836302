import * as assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createSignedDelivery } from 'persona-webhooks/testing';
import { createApp } from '../app.js';

const secret = 'wbhsec_example-fastify';

describe('fastify example with @fastify/csrf-protection active', () => {
  let base: string;
  let app: FastifyInstance;
  let approved: string[];
  before(async () => {
    ({ app, approved } = await createApp(secret));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(() => app.close());

  it('accepts a signed Persona POST to the webhook route without any CSRF token', async () => {
    const { body, headers } = await createSignedDelivery({ event: 'inquiry.approved', secret });
    const res = await fetch(`${base}/webhooks/persona`, { method: 'POST', body, headers });
    assert.equal(res.status, 200, await res.text());
    assert.equal(approved.length, 1);
  });

  it('still rejects a POST to another route without a CSRF token', async () => {
    const res = await fetch(`${base}/account/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@example.com' }),
    });
    assert.equal(res.status, 403);
  });

  it('accepts that POST with the token, and its JSON body is still parsed by Fastify', async () => {
    const tokenRes = await fetch(`${base}/csrf-token`);
    const { token } = (await tokenRes.json()) as { token: string };
    const cookie = (tokenRes.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const res = await fetch(`${base}/account/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'csrf-token': token },
      body: JSON.stringify({ email: 'a@example.com' }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.deepEqual((JSON.parse(text) as { body: unknown }).body, { email: 'a@example.com' });
  });
});
