import * as assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createSignedDelivery } from 'persona-webhooks/testing';
import { createApp } from '../app.js';

const secret = 'wbhsec_example-koa';

describe('koa example with koa-csrf active', () => {
  let base: string;
  let server: Server;
  let approved: string[];
  before(async () => {
    const made = await createApp({ secret, sessionKey: 'test-session-key' });
    approved = made.approved;
    server = made.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('accepts a signed Persona POST to the webhook route without any CSRF token', async () => {
    const { body, headers } = await createSignedDelivery({ event: 'inquiry.approved', secret });
    const res = await fetch(`${base}/webhooks/persona`, { method: 'POST', body, headers });
    assert.equal(res.status, 200, await res.text());
    assert.equal(approved.length, 1);
  });

  it('answers GET on the webhook route with 405', async () => {
    const res = await fetch(`${base}/webhooks/persona`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
  });

  it('still rejects a POST to another route without a CSRF token', async () => {
    const res = await fetch(`${base}/account/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@example.com' }),
    });
    assert.equal(res.status, 403);
  });

  it('accepts that POST with the session cookie and its token', async () => {
    const tokenRes = await fetch(`${base}/csrf-token`);
    const { token } = (await tokenRes.json()) as { token: string };
    const cookie = tokenRes.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const res = await fetch(`${base}/account/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': token },
      body: JSON.stringify({ email: 'a@example.com' }),
    });
    assert.equal(res.status, 200, await res.text());
  });
});
