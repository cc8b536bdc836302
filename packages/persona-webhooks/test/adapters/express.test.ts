import * as assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import express from 'express';
import express4 from 'express4';
import { createExpressHandler } from '../../src/adapters/express/index.js';
import { defineAdapterSuite } from '../conformance/adapter-suite.js';
import { createSuiteReceiver, makeEventBody, send, signedHeaders } from './harness.js';
import { listen } from './listen.js';

defineAdapterSuite('express 5', async ({ receiver, maxBodyBytes, preParsed }) => {
  const app = express();
  if (preParsed) app.use(express.json());
  app.all('/webhooks/persona', createExpressHandler(receiver, { maxBodyBytes }));
  return listen(createServer(app), '/webhooks/persona');
});

defineAdapterSuite('express 4', async ({ receiver, maxBodyBytes, preParsed }) => {
  const app = express4();
  if (preParsed) app.use(express4.json());
  app.all('/webhooks/persona', createExpressHandler(receiver, { maxBodyBytes }));
  return listen(createServer(app), '/webhooks/persona');
});

describe('express adapter behind express.raw()', () => {
  for (const [label, factory] of [
    ['express 5', express],
    ['express 4', express4],
  ] as const) {
    it(`verifies the Buffer ${label}'s express.raw() left in req.body`, async () => {
      const app = factory();
      app.use(factory.raw({ type: 'application/json' }));
      app.all('/webhooks/persona', createExpressHandler((await createSuiteReceiver()).receiver));
      const mounted = await listen(createServer(app), '/webhooks/persona');
      try {
        const body = makeEventBody();
        const res = await send(mounted.url, { body, headers: await signedHeaders(body) });
        assert.equal(res.status, 200, res.text);
      } finally {
        await mounted.close();
      }
    });
  }
});
