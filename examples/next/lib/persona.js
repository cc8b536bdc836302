// One receiver per server process. Next bundles App Router and Pages Router code separately, so the
// instance is kept on globalThis: both routes then share one store (a duplicate is a duplicate on either).
import { createHandlers, createWebhookReceiver } from 'persona-webhooks';
import { createMemoryStore } from 'persona-webhooks/memory';

function create() {
  /** @type {string[]} Inquiry ids the handler saw (the example's stand-in for real work). */
  const approved = [];
  const handlers = createHandlers().on('inquiry.approved', (event) => {
    approved.push(event.payload.data.id);
  });
  // Serverless-friendly: inline mode runs handlers before answering. Use a durable store in production.
  const receiver = createWebhookReceiver({
    secret: process.env.PERSONA_WEBHOOK_SECRET ?? 'wbhsec_example',
    store: createMemoryStore(),
    mode: 'inline',
    handlers,
  });
  return { approved, receiver };
}

const shared = globalThis.__personaExample ?? create();
globalThis.__personaExample = shared;

export const { approved, receiver } = shared;
