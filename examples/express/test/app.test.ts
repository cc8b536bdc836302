import * as assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createSignedDelivery } from 'persona-webhooks/testing';
import { createApp, type ExampleApp } from '../app.js';

const secret = 'wbhsec_example-express';

describe('express example with csrf-csrf active', () => {
  let base: string;
  let server: Server;
  let example: ExampleApp;
  before(async () => {
    example = await createApp({ secret, csrfSecret: 'test-csrf-secret' });
    server = example.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('accepts a signed Persona POST to the webhook route without any CSRF token', async () => {
    const { body, headers } = await createSignedDelivery({ event: 'inquiry.approved', secret });
    const res = await fetch(`${base}/webhooks/persona`, { method: 'POST', body, headers });
    assert.equal(res.status, 200, await res.text());
    assert.equal(example.approved.length, 1);
  });

  it('still rejects a POST to another route without a CSRF token', async () => {
    const res = await fetch(`${base}/account/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'sid=s1' },
      body: JSON.stringify({ email: 'a@example.com' }),
    });
    assert.equal(res.status, 403);
  });

  it('accepts that POST once it carries the CSRF token (the protection is real, not broken)', async () => {
    const tokenRes = await fetch(`${base}/csrf-token`, { headers: { cookie: 'sid=s1' } });
    const { token } = (await tokenRes.json()) as { token: string };
    const csrfCookie = (tokenRes.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const res = await fetch(`${base}/account/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `sid=s1; ${csrfCookie}`, 'x-csrf-token': token },
      body: JSON.stringify({ email: 'a@example.com' }),
    });
    assert.equal(res.status, 200, await res.text());
  });
});
