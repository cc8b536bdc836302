import * as assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createHonoHandler } from '../../src/adapters/hono/index.js';
import type { ReceiverLike } from '../../src/processing/types.js';
import { defineAdapterSuite, type MountedApp } from '../conformance/adapter-suite.js';
import { createSuiteReceiver, makeEventBody, send, signedHeaders } from './harness.js';

async function serveHono(app: Hono): Promise<MountedApp> {
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/persona`,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function appWith(receiver: ReceiverLike, maxBodyBytes: number, before?: 'raw-json' | 'hono-json'): Hono {
  const app = new Hono();
  if (before !== undefined) {
    app.use('*', async (c, next) => {
      if (before === 'raw-json') await c.req.raw.json();
      else await c.req.json();
      await next();
    });
  }
  app.all('/webhooks/persona', createHonoHandler(receiver, { maxBodyBytes }));
  return app;
}

defineAdapterSuite('hono (node-server)', async ({ receiver, maxBodyBytes, preParsed }) =>
  serveHono(appWith(receiver, maxBodyBytes, preParsed ? 'raw-json' : undefined)),
);

describe('hono adapter behind c.req.json()', () => {
  it('verifies the text Hono cached when a middleware read the body through c.req.json()', async () => {
    const app = await serveHono(appWith((await createSuiteReceiver()).receiver, 1024 * 1024, 'hono-json'));
    try {
      const body = makeEventBody();
      const res = await send(app.url, { body, headers: await signedHeaders(body) });
      assert.equal(res.status, 200, res.text);
    } finally {
      await app.close();
    }
  });
});
