import { createServer } from 'node:http';
import { createNodeHandler } from '../../src/adapters/node/index.js';
import { defineAdapterSuite } from '../conformance/adapter-suite.js';
import { listen } from './listen.js';

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
