// The app each edge runtime serves (Bun, Deno, workerd): the Web adapter in front of the real receiver (inline
// mode, memory store), plus two routes for the tests: a pre-parsed webhook route (a misconfigured app) and
// `/__ran`, which reports what the handlers ran and which HMAC engine `#hmac` picked in this runtime, and
// `/__store` (POST `down` or `up`), which switches the store off as a database outage would, and on again.
import { createHandlers, createWebhookReceiver, StoreUnavailableError } from 'persona-webhooks';
import { createMemoryStore } from 'persona-webhooks/memory';
import { createWebHandler } from 'persona-webhooks/web';
// Not exported: read from the built file the package's entry points use, so `#hmac` resolves exactly as theirs.
import { hmacEngineName } from '../../packages/persona-webhooks/dist/webhook-signature.js';

export interface RuntimeAppOptions {
  readonly secret: string;
  readonly maxBodyBytes: number;
}

type Run = { readonly id: string; readonly name: string };

/**
 * A fetch handler for the runtime tests. Built lazily on the first request: Workers allow no timers or random
 * values at module scope.
 *
 * @example
 * ```ts
 * Bun.serve({ port: 0, fetch: createRuntimeApp({ secret, maxBodyBytes: 262144 }) })
 * ```
 */
export function createRuntimeApp(options: RuntimeAppOptions): (request: Request) => Promise<Response> {
  const ran = { handled: [] as Run[], anyHandled: [] as Run[] };
  let handle: Promise<(request: Request) => Promise<Response>> | undefined;
  let down = false;
  const build = async () => {
    const memory = createMemoryStore();
    await memory.migrate();
    const store = new Proxy(memory, {
      get(target, property, receiver) {
        if (down && property === 'insertIfAbsent') {
          return () => Promise.reject(new StoreUnavailableError('the test switched the store off'));
        }
        return Reflect.get(target, property, receiver);
      },
    });
    const handlers = createHandlers()
      .on('inquiry.approved', (event) => {
        ran.handled.push({ id: event.id, name: event.name });
      })
      .onAny((event) => {
        ran.anyHandled.push({ id: event.id, name: event.name });
      });
    const receiver = createWebhookReceiver({ secret: options.secret, store, mode: 'inline', handlers });
    return createWebHandler(receiver, { maxBodyBytes: options.maxBodyBytes });
  };
  return async (request) => {
    handle ??= build();
    const path = new URL(request.url).pathname;
    if (path === '/webhooks/persona') return (await handle)(request);
    if (path === '/webhooks/persona-preparsed') {
      await request.json();
      return (await handle)(request);
    }
    if (path === '/__ran') return Response.json({ ...ran, engine: hmacEngineName });
    if (path === '/__store' && request.method === 'POST') {
      down = (await request.text()) === 'down';
      return Response.json({ down });
    }
    return new Response('not found', { status: 404 });
  };
}
