import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createSignedDelivery } from 'persona-webhooks/testing';
import { createApp } from '../app.js';

const secret = 'wbhsec_example-nest';

describe('nestjs example with csrf-csrf active', () => {
  let base: string;
  let app: NestExpressApplication;
  let approved: string[];
  before(async () => {
    ({ app, approved } = await createApp({ secret, csrfSecret: 'test-csrf-secret' }));
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
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
      headers: { 'content-type': 'application/json', cookie: 'sid=s1' },
      body: JSON.stringify({ email: 'a@example.com' }),
    });
    assert.equal(res.status, 403);
  });

  it('accepts that POST once it carries the CSRF token', async () => {
    const tokenRes = await fetch(`${base}/csrf-token`, { headers: { cookie: 'sid=s1' } });
    const { token } = (await tokenRes.json()) as { token: string };
    const csrfCookie = (tokenRes.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const res = await fetch(`${base}/account/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `sid=s1; ${csrfCookie}`, 'x-csrf-token': token },
      body: JSON.stringify({ email: 'a@example.com' }),
    });
    assert.equal(res.status, 201, await res.text());
  });
});
