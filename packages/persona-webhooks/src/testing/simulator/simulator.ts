// A Persona simulator (not Persona): a real HTTP server with the Events API subset and webhook delivery, for
// integration tests in any language. node:http is loaded when it starts, so the testing kit still imports
// on runtimes without it.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { KeyInflection } from '../../events/parse.js';
import { inflectKeys } from '../inflect.js';
import { createSampleRandom } from '../random.js';
import { createSampleEvent, type SampleEventEnvelope, type SampleEventOptions } from '../sample-event.js';
import {
  createDeliveryEngine,
  type DeliveryRecord,
  type DeliverySwitches,
  PERSONA_DELIVERY_TIMEOUT_MS,
} from './delivery.js';
import { createEventLog, type SimulatedEvent } from './event-log.js';
import { eventsRoutes } from './events-api.js';
import { createRateLimiter, type RateWindow } from './rate-limiter.js';
import { errorReply, matchPath, type RouteReply, type SimulatorRoute, type SimulatorState } from './routes.js';
import { receives, rotate, type SimulatedWebhook, type SimulatedWebhookInput } from './webhook-model.js';
import { webhooksRoutes } from './webhooks-api.js';

/** Said by the banner, the docs and every response header: this is not Persona. */
export const SIMULATOR_NOTICE = 'Persona simulator (persona-webhooks/testing): not Persona, for tests only';

const API_BASE = '/api/v1';
const ADMIN_BASE = '/_simulator';
const ALL_PERMISSIONS = ['event.read', 'webhook.read', 'webhook.write'] as const;

/**
 * Faults the simulator injects into API answers. Counts apply to the next N API requests; `Infinity` keeps the
 * fault on until set back to 0.
 *
 * @example
 * ```ts
 * simulator.setFaults({ serverErrors: Infinity }) // a 5xx storm
 * simulator.setFaults({ serverErrors: 0, malformedPages: 1 })
 * ```
 */
export interface SimulatorFaults {
  /** Answer 500/502/503 (before the key check, as a failing server would). */
  readonly serverErrors: number;
  /** Answer 200 with a body cut off mid-JSON. */
  readonly malformedPages: number;
  /** Answer 429 with the rate-limit headers, whatever the count. */
  readonly rateLimited: number;
  /** Cut the connection without an answer. */
  readonly resetConnections: number;
  /** Delay every API answer by this many ms. */
  readonly latencyMs: number;
}

/**
 * Options of {@link createPersonaSimulator}.
 *
 * @example
 * ```ts
 * const options: PersonaSimulatorOptions = { timeScale: 0.0001, rateLimit: 300, seed: 1 }
 * ```
 */
export interface PersonaSimulatorOptions {
  /** API keys it accepts, with every permission. Default: one generated `persona_sandbox_simulator_…` key. */
  readonly apiKeys?: readonly string[];
  /** Requests per window for the environment (all keys together). Default 300, Persona's default. */
  readonly rateLimit?: number;
  /**
   * Multiplies the 60 s rate window and Persona's delivery backoff (3 s … 117649 s); `RateLimit-Reset` is given in
   * seconds of this scaled clock. Default 1. Run the client with the same `timeScale`.
   */
  readonly timeScale?: number;
  /** A delivery attempt fails after this long without an answer. Default 5000 (Persona's), not scaled. */
  readonly deliveryTimeoutMs?: number;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  /** Makes generated events, ids and switch decisions reproducible. */
  readonly seed?: number | string;
}

/** What the simulator counted. */
export interface SimulatorStats {
  /** API requests with a valid key, 429-answered ones included. */
  readonly requests: number;
  /** Of those, answered 429. */
  readonly rateLimited: number;
  /** The most requests any one window held. */
  readonly maxRequestsInWindow: number;
  readonly windows: readonly RateWindow[];
  /** Requests refused for a missing, unknown or revoked key. */
  readonly unauthorized: number;
  readonly events: number;
  readonly deliveryAttempts: number;
}

/** Options of `emit` and `generateEvents`. */
export interface EmitOptions extends SampleEventOptions {
  /** Deliver to the webhooks that receive this name. Default true. */
  readonly deliver?: boolean;
}

/**
 * A running Persona simulator.
 *
 * @example
 * ```ts
 * const sim = await createPersonaSimulator({ timeScale: 0.001 })
 * sim.addWebhook({ url: 'http://127.0.0.1:3000/webhooks/persona', secret: 'wbhsec_test' })
 * sim.emit('inquiry.approved')
 * await sim.deliveriesSettled()
 * await sim.close()
 * ```
 */
export interface PersonaSimulator {
  /** `http://host:port`. */
  readonly url: string;
  /** The Events API base to give clients as `PERSONA_API_URL`: `http://host:port/api/v1`. */
  readonly apiUrl: string;
  /** The first accepted API key. */
  readonly apiKey: string;
  addApiKey(key: string, options?: { permissions?: readonly string[] }): void;
  /** The key is refused from now on (401), as a revoked Persona key is. */
  revokeApiKey(key: string): void;
  /** Creates a realistic event now (or at `createdAt`), lists it in the Events API and delivers it. */
  emit(name: string, options?: EmitOptions): SampleEventEnvelope;
  /** Adds an event envelope a test built (kebab-case keys). False if its id is already there. */
  addEvent(envelope: unknown, options?: { deliver?: boolean }): boolean;
  /** `count` events spread evenly over the `spanMs` before now, cycling through `names`. Not delivered by default. */
  generateEvents(
    count: number,
    options?: { names?: readonly string[]; spanMs?: number; deliver?: boolean; payloadSize?: number },
  ): SampleEventEnvelope[];
  /** Every event, newest first. */
  events(): readonly SimulatedEvent[];
  addWebhook(input: SimulatedWebhookInput): SimulatedWebhook;
  webhook(id: string): SimulatedWebhook | undefined;
  webhooks(): readonly SimulatedWebhook[];
  /** A new secret signs first; the old ones keep signing (a second header set) until `expiresInSeconds` pass. */
  rotateWebhookSecret(id: string, options?: { expiresInSeconds?: number; secret?: string }): SimulatedWebhook;
  setWebhookStatus(id: string, status: 'enabled' | 'disabled'): void;
  setFaults(faults: Partial<SimulatorFaults>): void;
  faults(): SimulatorFaults;
  setDeliverySwitches(switches: DeliverySwitches): void;
  /** Every delivery attempt so far, oldest first. */
  deliveries(): readonly DeliveryRecord[];
  /** Resolves once no delivery is scheduled or in flight (after retries, on the scaled schedule). */
  deliveriesSettled(): Promise<void>;
  stats(): SimulatorStats;
  close(): Promise<void>;
}

const NO_FAULTS: SimulatorFaults = {
  serverErrors: 0,
  malformedPages: 0,
  rateLimited: 0,
  resetConnections: 0,
  latencyMs: 0,
};

function inflectionOf(value: string | undefined): KeyInflection {
  return value === 'camel' || value === 'snake' ? value : 'kebab';
}

function toSimulated(envelope: unknown): SimulatedEvent {
  const data = (envelope as { data?: { id?: unknown; attributes?: Record<string, unknown> } })?.data;
  const attributes = data?.attributes;
  const createdAt = new Date(String(attributes?.['created-at']));
  if (typeof data?.id !== 'string' || typeof attributes?.name !== 'string' || Number.isNaN(createdAt.getTime()))
    throw new TypeError(
      'addEvent: not a kebab-case Persona event envelope (data.id, data.attributes.name, created-at)',
    );
  const payloadData = (attributes.payload as { data?: { id?: unknown } } | undefined)?.data;
  return {
    id: data.id,
    name: attributes.name,
    createdAt,
    objectId: typeof payloadData?.id === 'string' ? payloadData.id : null,
    envelope: envelope as SimulatedEvent['envelope'],
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    req.on('data', (c: Uint8Array) => {
      size += c.length;
      if (size > 10 * 1024 * 1024) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => {
      const all = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) {
        all.set(c, at);
        at += c.length;
      }
      resolve(new TextDecoder().decode(all));
    });
    req.on('error', reject);
  });
}

/**
 * Starts a Persona simulator on a free loopback port. It serves `GET /api/v1/events` and `/events/{id}` with
 * Persona's paging, filters, bearer-key check, rate limit (429 and `RateLimit-*` headers) and error shapes, and
 * delivers webhooks as Persona does (signature, attempt headers, 5 s timeout, 8 attempts on Persona's backoff).
 * It is a simulator: every answer carries `Persona-Simulator: true`.
 *
 * @example
 * ```ts
 * import { createPersonaSimulator } from 'persona-webhooks/testing'
 * const sim = await createPersonaSimulator()
 * sim.generateEvents(250)
 * // point PERSONA_API_URL at sim.apiUrl and PERSONA_API_KEY at sim.apiKey
 * await sim.close()
 * ```
 */
export async function createPersonaSimulator(options: PersonaSimulatorOptions = {}): Promise<PersonaSimulator> {
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0 && Number.isFinite(timeScale))) throw new RangeError('timeScale must be a positive number');
  const limit = options.rateLimit ?? 300;
  if (!(Number.isInteger(limit) && limit > 0)) throw new RangeError('rateLimit must be a positive whole number');
  const random = createSampleRandom(options.seed);
  const now = () => new Date();
  const keys = new Map<string, { revoked: boolean; permissions: Set<string> }>();
  const firstKey = options.apiKeys?.[0] ?? random.id('persona_sandbox_simulator_');
  for (const key of options.apiKeys ?? [firstKey])
    keys.set(key, { revoked: false, permissions: new Set(ALL_PERMISSIONS) });

  const state: SimulatorState = {
    events: createEventLog(),
    webhooks: new Map(),
    delivery: createDeliveryEngine({
      timeScale,
      timeoutMs: options.deliveryTimeoutMs ?? PERSONA_DELIVERY_TIMEOUT_MS,
      random,
      now,
    }),
    random,
    now,
  };
  const routes: SimulatorRoute[] = [...eventsRoutes, ...webhooksRoutes];
  const limiter = createRateLimiter({ limit, windowMs: 60_000 * timeScale, now: () => performance.now() });
  let faults: SimulatorFaults = { ...NO_FAULTS };
  let unauthorized = 0;
  let requestCounter = 0;

  function takeFault(name: 'serverErrors' | 'malformedPages' | 'rateLimited' | 'resetConnections'): boolean {
    const n = faults[name];
    if (n <= 0) return false;
    if (Number.isFinite(n)) faults = { ...faults, [name]: n - 1 };
    return true;
  }

  function add(envelope: unknown, deliver: boolean): boolean {
    const event = toSimulated(envelope);
    if (!state.events.add(event)) return false;
    if (deliver)
      for (const webhook of state.webhooks.values())
        if (receives(webhook, event.name)) state.delivery.deliver(webhook, event);
    return true;
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Persona-Simulator': 'true',
      'Request-Id': `req_sim${(++requestCounter).toString().padStart(8, '0')}`,
      ...headers,
    });
    res.end(text);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (takeFault('resetConnections')) {
      req.socket.destroy();
      return;
    }
    if (takeFault('serverErrors')) {
      const status = [500, 502, 503][requestCounter % 3] as number;
      return send(res, status, { errors: [{ title: 'Internal Server Error' }] });
    }
    const auth = req.headers.authorization ?? '';
    const key = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
    const holder = keys.get(key);
    if (!holder || holder.revoked) {
      unauthorized++;
      return send(res, 401, {
        errors: [{ title: holder ? 'Token is invalid' : 'Must be authenticated to access this endpoint' }],
      });
    }
    const forced = takeFault('rateLimited');
    const window = limiter.take(forced);
    const rateHeaders = {
      'RateLimit-Limit': String(limit),
      'RateLimit-Remaining': String(window.remaining),
      'RateLimit-Reset': String(Math.max(0, Math.ceil(window.resetMs / (1000 * timeScale)))),
    };
    if (!window.allowed) {
      return send(
        res,
        429,
        {
          errors: [
            {
              title: 'Rate limit exceeded',
              details: `You have hit your rate limit of ${limit} requests / min. Please reach out to support@withpersona.com if you need this changed.`,
            },
          ],
        },
        rateHeaders,
      );
    }
    const path = url.pathname.slice(API_BASE.length) || '/';
    const method = req.method ?? 'GET';
    let reply: RouteReply | undefined;
    let matchedPath = false;
    for (const route of routes) {
      const params = matchPath(route.path, path);
      if (params === null) continue;
      matchedPath = true;
      if (route.method !== method) continue;
      if (!holder.permissions.has(route.permission)) {
        reply = errorReply(403, 'Forbidden', `API key does not have the ${route.permission} permission`);
        break;
      }
      const text = method === 'GET' ? '' : await readBody(req);
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        reply = errorReply(400, 'Bad Request', 'The request body is not valid JSON');
        break;
      }
      const version = req.headers['persona-version'];
      reply = route.handle(
        {
          method,
          params,
          query: url.searchParams,
          inflection: inflectionOf(req.headers['key-inflection'] as string | undefined),
          version: typeof version === 'string' ? version : undefined,
          body,
          permissions: holder.permissions,
        },
        state,
      );
      break;
    }
    reply ??= matchedPath ? errorReply(405, 'Method Not Allowed') : errorReply(404, 'Record not found');
    if (reply.status === 200 && takeFault('malformedPages')) {
      const text = JSON.stringify(reply.body);
      res.writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Persona-Simulator': 'true',
        ...rateHeaders,
      });
      res.end(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
      return;
    }
    const inflection = inflectionOf(req.headers['key-inflection'] as string | undefined);
    send(res, reply.status, inflection === 'kebab' ? reply.body : inflectKeys(reply.body, inflection), rateHeaders);
  }

  // Loopback control for tests in other languages: add events and webhooks, set faults, read counts.
  async function handleAdmin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    const text = method === 'GET' ? '' : await readBody(req);
    const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
    if (method === 'GET' && path === '/state') return send(res, 200, simulator.stats());
    if (method === 'POST' && path === '/events') {
      const deliver = body.deliver !== false;
      if (body.envelope !== undefined) return send(res, 201, { added: add(body.envelope, deliver) });
      const count = typeof body.count === 'number' ? body.count : 1;
      const names = Array.isArray(body.names) ? (body.names as string[]) : [String(body.name ?? 'inquiry.approved')];
      const ids = Array.from(
        { length: count },
        (_, i) => simulator.emit(names[i % names.length] as string, { deliver }).data.id,
      );
      return send(res, 201, { ids });
    }
    if (method === 'PUT' && path === '/faults') {
      simulator.setFaults(body as Partial<SimulatorFaults>);
      return send(res, 200, simulator.faults());
    }
    if (method === 'PUT' && path === '/delivery') {
      simulator.setDeliverySwitches(body as DeliverySwitches);
      return send(res, 200, state.delivery.switches());
    }
    if (method === 'POST' && path === '/webhooks')
      return send(res, 201, simulator.addWebhook(body as unknown as SimulatedWebhookInput));
    if (method === 'GET' && path === '/deliveries') return send(res, 200, simulator.deliveries());
    send(res, 404, { errors: [{ title: 'Unknown simulator control endpoint' }] });
  }

  const { createServer } = await import('node:http');
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const work = url.pathname.startsWith(`${API_BASE}/`)
      ? handleApi(req, res, url)
      : url.pathname.startsWith(`${ADMIN_BASE}/`)
        ? handleAdmin(req, res, url.pathname.slice(ADMIN_BASE.length))
        : Promise.resolve(send(res, 404, { errors: [{ title: 'Record not found' }] }));
    work.catch((error: unknown) => {
      if (!res.headersSent)
        send(res, 500, { errors: [{ title: 'Simulator error', details: String(error).slice(0, 200) }] });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const host = options.host ?? '127.0.0.1';
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const simulator: PersonaSimulator = {
    url: base,
    apiUrl: base + API_BASE,
    apiKey: firstKey,
    addApiKey(key, o = {}) {
      keys.set(key, { revoked: false, permissions: new Set(o.permissions ?? ALL_PERMISSIONS) });
    },
    revokeApiKey(key) {
      const holder = keys.get(key);
      if (holder) holder.revoked = true;
    },
    emit(name, o = {}) {
      const { deliver, ...sample } = o;
      const envelope = createSampleEvent(name, {
        ...sample,
        inflection: 'kebab',
        ...(sample.id === undefined ? { id: random.id('evt_') } : {}),
      }) as SampleEventEnvelope;
      add(envelope, deliver !== false);
      return envelope;
    },
    addEvent(envelope, o = {}) {
      return add(envelope, o.deliver !== false);
    },
    generateEvents(count, o = {}) {
      const names = o.names ?? ['inquiry.approved', 'inquiry.declined', 'report/watchlist.ready', 'account.created'];
      const span = o.spanMs ?? 24 * 3600_000;
      const end = Date.now();
      const out: SampleEventEnvelope[] = [];
      for (let i = 0; i < count; i++) {
        const createdAt = new Date(end - span + Math.floor(((i + 1) * span) / count));
        out.push(
          simulator.emit(names[i % names.length] as string, {
            createdAt,
            deliver: o.deliver ?? false,
            ...(o.payloadSize === undefined ? {} : { payloadSize: o.payloadSize }),
          }),
        );
      }
      return out;
    },
    events: () => state.events.all(),
    addWebhook(input) {
      if (typeof input?.url !== 'string' || !/^https?:\/\//.test(input.url))
        throw new TypeError('addWebhook: url must be an http(s) URL');
      const webhook: SimulatedWebhook = {
        id: random.id('wbh_'),
        url: input.url,
        status: input.status ?? 'enabled',
        secrets: [{ value: input.secret ?? random.id('wbhsec_'), expiresAt: null }],
        enabledEvents: input.enabledEvents ?? ['*'],
        apiVersion: input.apiVersion ?? '2025-12-08',
        apiKeyInflection: input.apiKeyInflection ?? 'kebab',
        createdAt: now(),
        ...(input.settings ? { settings: { ...input.settings } } : {}),
      };
      state.webhooks.set(webhook.id, webhook);
      return webhook;
    },
    webhook: (id) => state.webhooks.get(id),
    webhooks: () => [...state.webhooks.values()],
    rotateWebhookSecret(id, o = {}) {
      const webhook = state.webhooks.get(id);
      if (!webhook) throw new RangeError(`rotateWebhookSecret: no webhook ${id}`);
      rotate(webhook, o.secret ?? random.id('wbhsec_'), o.expiresInSeconds ?? 0, now());
      return webhook;
    },
    setWebhookStatus(id, status) {
      const webhook = state.webhooks.get(id);
      if (!webhook) throw new RangeError(`setWebhookStatus: no webhook ${id}`);
      webhook.status = status;
    },
    setFaults(next) {
      for (const [k, v] of Object.entries(next)) {
        if (!(k in NO_FAULTS)) throw new RangeError(`setFaults: unknown fault "${k}"`);
        if (typeof v !== 'number' || !(v >= 0)) throw new RangeError(`setFaults: ${k} must be a number ≥ 0`);
      }
      faults = { ...faults, ...next };
    },
    faults: () => ({ ...faults }),
    setDeliverySwitches: (switches) => state.delivery.setSwitches(switches),
    deliveries: () => state.delivery.records(),
    deliveriesSettled: () => state.delivery.settled(),
    stats() {
      const windows = limiter.windows();
      return {
        requests: windows.reduce((n, w) => n + w.requests, 0),
        rateLimited: windows.reduce((n, w) => n + w.limited, 0),
        maxRequestsInWindow: windows.reduce((m, w) => Math.max(m, w.requests), 0),
        windows,
        unauthorized,
        events: state.events.size,
        deliveryAttempts: state.delivery.records().filter((r) => r.attempt > 0).length,
      };
    },
    close() {
      state.delivery.close();
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
  return simulator;
}
