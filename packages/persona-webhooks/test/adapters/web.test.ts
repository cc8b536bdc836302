import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createWebHandler } from '../../src/adapters/web/index.js';
import { defineAdapterSuite } from '../conformance/adapter-suite.js';

// The Web handler behind a real HTTP server that hands it fetch Requests (@hono/node-server's serve).
defineAdapterSuite('web (Request → Response)', async ({ receiver, maxBodyBytes, preParsed }) => {
  const handle = createWebHandler(receiver, { maxBodyBytes });
  const server = serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: async (request: Request) => {
      if (new URL(request.url).pathname !== '/webhooks/persona') return new Response('not found', { status: 404 });
      if (preParsed) await request.json();
      return handle(request);
    },
  });
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
});
