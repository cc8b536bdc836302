// Hono with its csrf middleware active and the Persona webhook route exempt, served by @hono/node-server.
// Run: PERSONA_WEBHOOK_SECRET=wbhsec_… npx tsx examples/hono/app.ts
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { createHandlers, createWebhookReceiver } from 'persona-webhooks';
import { createHonoHandler } from 'persona-webhooks/hono';
import { createMemoryStore } from 'persona-webhooks/memory';

const WEBHOOK_PATH = '/webhooks/persona';

export async function createApp(options: {
  secret: string;
  origin: string;
}): Promise<{ app: Hono; approved: string[] }> {
  const approved: string[] = [];
  const store = createMemoryStore();
  await store.migrate();
  const handlers = createHandlers().on('inquiry.approved', (event) => {
    approved.push(event.payload.data.id);
  });
  const receiver = createWebhookReceiver({ secret: options.secret, store, mode: 'inline', handlers });

  const app = new Hono();
  // Hono's csrf() checks Origin / Sec-Fetch-Site. Persona's server-to-server POST has neither: exempt its
  // route explicitly (its HMAC signature is the proof), and protect everything else.
  const protect = csrf({ origin: options.origin });
  app.use('*', (c, next) => (c.req.path === WEBHOOK_PATH ? next() : protect(c, next)));
  app.all(WEBHOOK_PATH, createHonoHandler(receiver));
  app.post('/account/email', async (c) => c.json({ updated: true, email: (await c.req.formData()).get('email') }));
  return { app, approved };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { app } = await createApp({
    secret: process.env['PERSONA_WEBHOOK_SECRET'] ?? 'wbhsec_example',
    origin: process.env['APP_ORIGIN'] ?? 'http://localhost:3000',
  });
  serve({ fetch: app.fetch, port: Number(process.env['PORT'] ?? 3000) });
}
