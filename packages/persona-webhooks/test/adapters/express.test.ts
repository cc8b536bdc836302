import { createServer } from 'node:http';
import express from 'express';
import express4 from 'express4';
import { createExpressHandler } from '../../src/adapters/express/index.js';
import { defineAdapterSuite } from '../conformance/adapter-suite.js';
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
