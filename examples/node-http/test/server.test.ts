import * as assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createSignedDelivery } from 'persona-webhooks/testing';
import { createApp } from '../server.js';

const secret = 'wbhsec_example-node';

describe('node:http example', () => {
  let base: string;
  let app: Awaited<ReturnType<typeof createApp>>;
  before(async () => {
    app = await createApp(secret);
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => app.server.close(() => resolve())));

  it('boots and accepts a signed inquiry.approved delivery', async () => {
    const { body, headers } = await createSignedDelivery({ event: 'inquiry.approved', secret });
    const res = await fetch(`${base}/webhooks/persona`, { method: 'POST', body, headers });
    assert.equal(res.status, 200, await res.text());
    assert.equal(app.approved.length, 1);
  });

  it('answers 404 on other paths', async () => {
    const res = await fetch(`${base}/elsewhere`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 404);
  });
});
