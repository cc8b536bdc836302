import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeHandler } from '../../src/adapters/node/index.js';
import { defineAdapterSuite, type MountedApp } from '../conformance/adapter-suite.js';

export async function listen(server: Server, path: string): Promise<MountedApp> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

defineAdapterSuite('node http', async ({ receiver, maxBodyBytes, preParsed }) => {
  const handler = createNodeHandler(receiver, { maxBodyBytes, path: '/webhooks/persona' });
  const server = createServer((req, res) => {
    if (!preParsed) return void handler(req, res);
    // A hand-rolled JSON parser in front, the way apps without a framework sometimes do it.
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      Object.assign(req, { body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      void handler(req, res);
    });
  });
  return listen(server, '/webhooks/persona');
});
