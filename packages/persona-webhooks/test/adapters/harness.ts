// Shared pieces of the adapter tests: signed requests over real HTTP, and the receiver under test.
import { request as httpRequest } from 'node:http';
// Signing goes through the public testing kit, as a user's own tests would (the built subpath).
import { createSignedDelivery } from 'persona-webhooks/testing';
import { StoreUnavailableError } from '../../src/errors.js';
import type { PersonaEvent } from '../../src/events/parse.js';
import { createHandlers, createWebhookReceiver, type ReceiverLike } from '../../src/processing/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';

export const SECRET = 'wbhsec_adapter-suite-current';
export const OLD_SECRET = 'wbhsec_adapter-suite-previous';

let counter = 0;

/** A Persona-shaped envelope with a fresh event id. */
export function makeEventBody(name = 'inquiry.approved', id = `evt_adapter${Date.now()}${counter++}`): string {
  return JSON.stringify({
    data: {
      type: 'event',
      id,
      attributes: {
        name,
        payload: {
          data: { type: 'inquiry', id: `inq_${id.slice(4)}`, attributes: { status: 'approved', 'reference-id': 'u1' } },
          included: [],
        },
        'created-at': new Date().toISOString(),
      },
    },
  });
}

export async function signedHeaders(
  body: string,
  options: { secret?: string | string[]; timestamp?: number } = {},
): Promise<Record<string, string>> {
  const delivery = await createSignedDelivery({
    body,
    secret: options.secret ?? SECRET,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
  return delivery.headers;
}

export interface Recorded {
  /** Events the `inquiry.approved` handler ran for. */
  readonly handled: PersonaEvent[];
  /** Events the onAny handler ran for (every event). */
  readonly anyHandled: PersonaEvent[];
}

/**
 * The real receiver (inline mode, so handlers have run when the response arrives) on a memory store,
 * with handlers that record what ran: a handler for `inquiry.approved` and an onAny for everything.
 */
export async function createSuiteReceiver(): Promise<{
  receiver: ReceiverLike;
  recorded: Recorded;
  /** Switches the store off (every insert fails as a database outage does) and on again. */
  setStoreDown(down: boolean): void;
}> {
  const recorded = { handled: [] as PersonaEvent[], anyHandled: [] as PersonaEvent[] };
  const memory = createMemoryStore();
  await memory.migrate();
  let down = false;
  // While "down", an insert fails as the SQLite and PostgreSQL stores fail when their database cannot be reached.
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
      recorded.handled.push(event);
    })
    .onAny((event) => {
      recorded.anyHandled.push(event);
    });
  const receiver = createWebhookReceiver({ secret: SECRET, store, mode: 'inline', handlers });
  return {
    receiver,
    recorded,
    setStoreDown: (value) => {
      down = value;
    },
  };
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json(): Record<string, unknown>;
}

/** One request over real HTTP (node:http client, no keep-alive). */
export function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: init.method ?? 'POST', headers: init.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text) as Record<string, unknown>,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/**
 * Streams a chunked JSON body that would be `plannedBytes` long, in 64 KiB chunks honouring back-pressure,
 * and stops as soon as a response arrives. Resolves with the status and how many bytes were written.
 */
export function streamOversized(
  url: string,
  plannedBytes: number,
  headers: Record<string, string>,
): Promise<{ status: number; bytesWritten: number }> {
  return new Promise((resolve, reject) => {
    let bytesWritten = 0;
    let done = false;
    let grace: ReturnType<typeof setTimeout> | undefined;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const req = httpRequest(url, {
      method: 'POST',
      headers: { ...headers, 'transfer-encoding': 'chunked' },
      agent: false,
    });
    const finish = (status: number) => {
      if (done) return;
      done = true;
      clearTimeout(grace);
      resolve({ status, bytesWritten });
      req.destroy();
    };
    req.on('response', (res) => {
      res.resume();
      finish(res.statusCode ?? 0);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (done) return;
      // The server may close the socket right after its 413, so the write fails before the response is read;
      // a reset with no response at all is a failure. The wait is long so that a stalled event loop (a loaded
      // machine) cannot fire it before the response already on its way is read; it ends when that arrives.
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') {
        grace ??= setTimeout(() => {
          if (!done) {
            done = true;
            reject(new Error(`connection closed without a response after ${bytesWritten} bytes`));
          }
        }, 10_000);
        return;
      }
      done = true;
      reject(error);
    });
    req.write('{"data":"');
    const pump = () => {
      while (!done && bytesWritten < plannedBytes) {
        bytesWritten += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!done) req.end('"}');
    };
    pump();
  });
}
