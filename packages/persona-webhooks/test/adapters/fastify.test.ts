import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { createFastifyPlugin } from '../../src/adapters/fastify/index.js';
import { defineAdapterSuite } from '../conformance/adapter-suite.js';

defineAdapterSuite(
  'fastify 5',
  async ({ receiver, maxBodyBytes, preParsed }) => {
    const app = Fastify();
    if (preParsed) {
      // The app's own JSON parser and a JSON route stay as they are: the plugin is encapsulated.
      app.post('/api/things', async (request) => ({ got: request.body }));
    }
    await app.register(createFastifyPlugin(receiver, { maxBodyBytes, path: '/webhooks/persona' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/webhooks/persona`,
      close: async () => {
        app.server.closeAllConnections();
        await app.close();
      },
    };
  },
  { preParsedGivesBodyNotRaw: false },
);
