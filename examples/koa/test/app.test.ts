import * as assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createSignedDelivery } from 'persona-webhooks/testing';
import { createApp } from '../app.js';

const secret = 'wbhsec_example-koa';

describe('koa example', () => {
  let base: string;
  let server: Server;
  let approved: string[];
  before(async () => {
    const made = await createApp(secret);
    approved = made.approved;
    server = made.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('boots and accepts a signed inquiry.approved delivery on the router route', async () => {
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
});
