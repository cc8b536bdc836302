// The same route on Next's Edge runtime: persona-webhooks picks Web Crypto there (no node:crypto).
// An Edge isolate keeps no state you can rely on between requests: use a durable store reachable over
// HTTP in production; the memory store here only shows that verification and the adapter run on Edge.
import { createHandlers, createWebhookReceiver } from 'persona-webhooks';
import { createMemoryStore } from 'persona-webhooks/memory';
import { createNextRouteHandlers } from 'persona-webhooks/next';

export const runtime = 'edge';

const receiver = createWebhookReceiver({
  secret: process.env.PERSONA_WEBHOOK_SECRET ?? 'wbhsec_example',
  store: createMemoryStore(),
  mode: 'inline',
  handlers: createHandlers().onAny(() => {}),
});

export const { POST, GET, PUT, PATCH, DELETE } = createNextRouteHandlers(receiver);
