import * as assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type ServerType, serve } from '@hono/node-server';
import { createSignedDelivery } from 'persona-webhooks/testing';
import { createWorker } from '../worker.js';

const secret = 'wbhsec_example-web';

describe('web (fetch handler) example', () => {
  let base: string;
  let server: ServerType;
  let worker: ReturnType<typeof createWorker>;
  before(async () => {
    worker = createWorker(secret);
    server = serve({ fetch: worker.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('boots behind a real HTTP server and accepts a signed delivery', async () => {
    const { body, headers } = await createSignedDelivery({ event: 'inquiry.approved', secret });
    const res = await fetch(`${base}/webhooks/persona`, { method: 'POST', body, headers });
    assert.equal(res.status, 200, await res.text());
    assert.equal(worker.approved.length, 1);
  });
});
