import * as assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type ServerType, serve } from '@hono/node-server';
import { createSignedDelivery } from 'persona-webhooks/testing';
import { createApp } from '../app.js';

const secret = 'wbhsec_example-hono';
const origin = 'https://app.example.com';

describe('hono example with the csrf middleware active', () => {
  let base: string;
  let server: ServerType;
  let approved: string[];
  before(async () => {
    const made = await createApp({ secret, origin });
    approved = made.approved;
    server = serve({ fetch: made.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('accepts a signed Persona POST to the webhook route without Origin or token', async () => {
    const { body, headers } = await createSignedDelivery({ event: 'inquiry.approved', secret });
    const res = await fetch(`${base}/webhooks/persona`, { method: 'POST', body, headers });
    assert.equal(res.status, 200, await res.text());
    assert.equal(approved.length, 1);
  });

  it('still rejects a cross-site form POST to another route', async () => {
    const res = await fetch(`${base}/account/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: 'email=a%40example.com',
    });
    assert.equal(res.status, 403);
  });

  it('accepts that form POST from the app origin (the protection is real, not broken)', async () => {
    const res = await fetch(`${base}/account/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: 'email=a%40example.com',
    });
    assert.equal(res.status, 200, await res.text());
  });
});
