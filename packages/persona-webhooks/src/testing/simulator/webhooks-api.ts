// The Webhooks API subset, as the spec describes it: list, retrieve (with the secrets and their expires-at),
// update, rotate-secret (meta.expires-in-seconds), enable, disable. Rotation and status drive the simulator's
// deliveries (two signature sets while both secrets are valid; nothing delivered while disabled).
import { errorReply, type RouteReply, type RouteRequest, type SimulatorRoute, type SimulatorState } from './routes.js';
import { activeSecrets, rotate, type SimulatedWebhook } from './webhook-model.js';

const KEY_INFLECTIONS = ['kebab', 'camel', 'snake'] as const;

function attributes(webhook: SimulatedWebhook, now: Date, withSecrets: boolean): Record<string, unknown> {
  const s = webhook.settings ?? {};
  const secrets = webhook.secrets.filter((x) => x.expiresAt === null || x.expiresAt > now);
  return {
    status: webhook.status,
    url: webhook.url,
    name: s.name ?? null,
    description: null,
    ...(withSecrets
      ? {
          secret: activeSecrets(webhook, now)[0] ?? null,
          secrets: secrets.map((x) => ({ value: x.value, 'expires-at': x.expiresAt?.toISOString() ?? null })),
        }
      : {}),
    'api-version': webhook.apiVersion,
    'api-key-inflection': webhook.apiKeyInflection,
    'api-attributes-blocklist': [...(s.apiAttributesBlocklist ?? [])],
    'file-access-token-expires-in': 21600,
    'enabled-events': [...webhook.enabledEvents],
    'payload-filter': null,
    'included-allowlist': s.includedAllowlist ?? { state: 'include_none' },
    'relationship-allowlist': s.relationshipAllowlist ?? { state: 'include_all' },
    'created-at': webhook.createdAt.toISOString(),
  };
}

function resource(webhook: SimulatedWebhook, now: Date, withSecrets = true) {
  return { type: 'webhook', id: webhook.id, attributes: attributes(webhook, now, withSecrets) };
}

function find(request: RouteRequest, state: SimulatorState): SimulatedWebhook | RouteReply {
  const webhook = state.webhooks.get(request.params.id ?? '');
  return webhook ?? errorReply(404, 'Record not found', `No webhook with id ${String(request.params.id).slice(0, 64)}`);
}

/** Reads a request key in kebab, camel or snake case (clients send their own inflection). */
function field(object: Record<string, unknown>, kebab: string): unknown {
  const camel = kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return object[kebab] ?? object[camel] ?? object[kebab.replace(/-/g, '_')];
}

function stringList(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
}

function update(webhook: SimulatedWebhook, attrs: Record<string, unknown>): string | null {
  const url = field(attrs, 'url');
  if (url !== undefined) {
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return 'url must be an http(s) URL';
    webhook.url = url;
  }
  const events = field(attrs, 'enabled-events');
  if (events !== undefined) {
    const list = stringList(events);
    if (list === null) return 'enabled-events must be an array of event names';
    webhook.enabledEvents = list;
  }
  const version = field(attrs, 'api-version');
  if (version !== undefined) {
    if (typeof version !== 'string') return 'api-version must be a string';
    webhook.apiVersion = version;
  }
  const inflection = field(attrs, 'api-key-inflection');
  if (inflection !== undefined) {
    if (!KEY_INFLECTIONS.includes(inflection as never)) return 'api-key-inflection must be kebab, camel or snake';
    webhook.apiKeyInflection = inflection as SimulatedWebhook['apiKeyInflection'];
  }
  const settings = { ...webhook.settings };
  const blocklist = field(attrs, 'api-attributes-blocklist');
  if (blocklist !== undefined) {
    const list = stringList(blocklist);
    if (list === null) return 'api-attributes-blocklist must be an array of strings';
    settings.apiAttributesBlocklist = list;
  }
  for (const [key, name] of [
    ['includedAllowlist', 'included-allowlist'],
    ['relationshipAllowlist', 'relationship-allowlist'],
  ] as const) {
    const value = field(attrs, name);
    if (value === undefined) continue;
    const state = (value as { state?: unknown } | null)?.state;
    if (typeof state !== 'string') return `${name} must be {"state": "include_all" | "include_none" | "custom"}`;
    settings[key] = { state };
  }
  const name = field(attrs, 'name');
  if (name !== undefined) settings.name = typeof name === 'string' ? name : null;
  webhook.settings = settings;
  return null;
}

interface Predicate {
  readonly attribute?: unknown;
  readonly operator?: unknown;
  readonly value?: unknown;
}

/**
 * `POST /webhook-events/search` over the simulator's delivery records, one record per event and webhook (its last
 * attempt). Persona documents this endpoint for API version 2020-05-18 with a query language whose request body
 * is not in the spec; the simulator reads `{query: {and: [{attribute, operator, value}]}}` with `webhook_id`,
 * `status` and `updated_at`, the shape `doctor` sends.
 */
function searchDeliveries(request: RouteRequest, state: SimulatorState): RouteReply {
  const and = (request.body as { query?: { and?: unknown } } | undefined)?.query?.and;
  if (!Array.isArray(and)) return errorReply(400, 'Bad Request', 'query.and must be an array of predicates');
  const latest = new Map<string, { webhookId: string; eventId: string; status: string; at: Date }>();
  for (const r of state.delivery.records()) {
    if (r.duplicate) continue;
    const status = r.status >= 200 && r.status < 300 ? 'completed' : r.gaveUp ? 'failed' : 'pending';
    latest.set(`${r.webhookId} ${r.eventId}`, { webhookId: r.webhookId, eventId: r.eventId, status, at: r.at });
  }
  const matches = (d: { webhookId: string; status: string; at: Date }, p: Predicate): boolean => {
    const value = p.value;
    if (p.attribute === 'webhook_id') return d.webhookId === value;
    if (p.attribute === 'status') return d.status === value;
    if (p.attribute === 'updated_at' && typeof value === 'string') {
      const t = new Date(value).getTime();
      const at = d.at.getTime();
      return p.operator === 'gt' ? at > t : p.operator === 'lt' ? at < t : p.operator === 'lte' ? at <= t : at >= t;
    }
    return false;
  };
  const data = [...latest.values()]
    .filter((d) => (and as Predicate[]).every((p) => matches(d, p)))
    .map((d) => ({
      type: 'webhook-event',
      id: `whe_${d.eventId.slice(4)}${d.webhookId.slice(4, 10)}`,
      attributes: { status: d.status, 'updated-at': d.at.toISOString() },
      relationships: {
        webhook: { data: { type: 'webhook', id: d.webhookId } },
        event: { data: { type: 'event', id: d.eventId } },
      },
    }));
  return { status: 200, body: { data } };
}

/** @internal */
export const webhooksRoutes: readonly SimulatorRoute[] = [
  {
    method: 'GET',
    path: '/webhooks',
    permission: 'webhook.read',
    handle(request, state) {
      const sizeText = request.query.get('page[size]');
      const size = sizeText === null ? 10 : Number(sizeText);
      if (!Number.isInteger(size) || size < 1 || size > 100)
        return errorReply(400, 'Bad Request', 'page[size] must be an integer from 1 to 100');
      const all = [...state.webhooks.values()].filter((w) => w.status !== 'archived');
      const after = request.query.get('page[after]');
      const start = after === null ? 0 : all.findIndex((w) => w.id === after) + 1;
      const page = all.slice(start, start + size);
      const last = page[page.length - 1];
      const more = start + size < all.length;
      return {
        status: 200,
        body: {
          // The list's `webhook` schema has no secrets; retrieve has them.
          data: page.map((w) => resource(w, state.now(), false)),
          links: { next: more && last ? `/api/v1/webhooks?page%5Bafter%5D=${last.id}&page%5Bsize%5D=${size}` : null },
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/webhooks/:id',
    permission: 'webhook.read',
    handle(request, state) {
      const webhook = find(request, state);
      if (!('id' in webhook)) return webhook;
      return { status: 200, body: { data: resource(webhook, state.now()) } };
    },
  },
  {
    method: 'PATCH',
    path: '/webhooks/:id',
    permission: 'webhook.write',
    handle(request, state) {
      const webhook = find(request, state);
      if (!('id' in webhook)) return webhook;
      const attrs = (request.body as { data?: { attributes?: unknown } } | undefined)?.data?.attributes;
      if (attrs === null || typeof attrs !== 'object')
        return errorReply(400, 'Bad Request', 'data.attributes is required');
      const problem = update(webhook, attrs as Record<string, unknown>);
      if (problem !== null) return errorReply(400, 'Bad Request', problem);
      return { status: 200, body: { data: resource(webhook, state.now()) } };
    },
  },
  {
    method: 'POST',
    path: '/webhooks/:id/rotate-secret',
    permission: 'webhook.write',
    handle(request, state) {
      const webhook = find(request, state);
      if (!('id' in webhook)) return webhook;
      const meta = (request.body as { meta?: Record<string, unknown> } | undefined)?.meta ?? {};
      const seconds = field(meta, 'expires-in-seconds') ?? 0;
      if (!(Number.isInteger(seconds) && (seconds as number) >= 0))
        return errorReply(400, 'Bad Request', 'meta.expires-in-seconds must be a non-negative integer');
      rotate(webhook, state.random.id('wbhsec_'), seconds as number, state.now());
      return { status: 200, body: { data: resource(webhook, state.now()) } };
    },
  },
  { method: 'POST', path: '/webhook-events/search', permission: 'webhook.read', handle: searchDeliveries },
  ...(['enable', 'disable'] as const).map(
    (action): SimulatorRoute => ({
      method: 'POST',
      path: `/webhooks/:id/${action}`,
      permission: 'webhook.write',
      handle(request, state) {
        const webhook = find(request, state);
        if (!('id' in webhook)) return webhook;
        webhook.status = action === 'enable' ? 'enabled' : 'disabled';
        return { status: 200, body: { data: resource(webhook, state.now()) } };
      },
    }),
  ),
];
