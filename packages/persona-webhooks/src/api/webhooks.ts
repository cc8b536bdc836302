// Persona's Webhooks API: list, retrieve (with the secrets), rotate-secret, enable, disable
// (https://docs.withpersona.com/api-reference/webhooks). Answers are read in any key inflection.
import { PersonaApiError, PersonaWebhookError } from '../errors.js';
import { numberOption } from '../options.js';
import type { PersonaClient } from './client.js';
import { cursorOf, MAX_PAGE_SIZE } from './events.js';

/** One secret of a webhook. `expiresAt` is set on the previous secret while a rotation is in progress. */
export interface WebhookSecret {
  readonly value: string;
  readonly expiresAt: Date | null;
}

/** `included-allowlist` / `relationship-allowlist`: `include_all`, `include_none` or `custom`. */
export interface WebhookAllowlist {
  readonly state: string;
  /** `custom` only: per event type, the relationships included (`['*']` for all). */
  readonly eventTypes?: readonly { readonly eventType: string; readonly relationships: readonly string[] }[];
}

/**
 * A webhook (`wbh_…`) as the Webhooks API describes it. `secrets` is empty when the answer carried none
 * (Persona's list does not include them; retrieve does).
 *
 * @example
 * ```ts
 * const webhook: ApiWebhook = await retrieveWebhook(client, 'wbh_ABC123')
 * if (webhook.status !== 'enabled') console.log('Persona sends nothing to', webhook.url)
 * ```
 */
export interface ApiWebhook {
  readonly id: string;
  /** `enabled`, `disabled`, `archived` (new webhooks start `disabled`). */
  readonly status: string;
  readonly url: string;
  readonly name: string | null;
  readonly secrets: readonly WebhookSecret[];
  readonly apiVersion: string | null;
  readonly apiKeyInflection: string | null;
  readonly apiAttributesBlocklist: readonly string[];
  /** Event names, `*` for every event. */
  readonly enabledEvents: readonly string[];
  readonly payloadFilter: unknown;
  readonly includedAllowlist: WebhookAllowlist | null;
  readonly relationshipAllowlist: WebhookAllowlist | null;
  readonly fileAccessTokenExpiresIn: number | null;
  readonly createdAt: Date | null;
}

/** One page of `GET /webhooks`. */
export interface WebhooksPage {
  readonly webhooks: readonly ApiWebhook[];
  /** `page[after]` of the next page, or null. */
  readonly nextCursor: string | null;
  readonly requestId: string | null;
}

/** Options of the calls that take only a signal. */
export interface WebhookCallOptions {
  readonly signal?: AbortSignal;
}

/** Options of {@link rotateWebhookSecret}. */
export interface RotateSecretOptions extends WebhookCallOptions {
  /**
   * `meta.expires-in-seconds`: how long the current secret stays valid beside the new one. Leave room for every
   * receiver to learn the new secret (with `serve --webhook-id`, one refresh interval). Persona's default is not
   * documented: pass it.
   */
  readonly expiresInSeconds?: number;
  /** `Idempotency-Key`; default a random UUID, so a retried request cannot rotate twice. */
  readonly idempotencyKey?: string;
}

function kebab(key: string): string {
  if (key.includes('-')) return key;
  return key
    .replace(/_/g, '-')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
}

/** The object's keys in kebab case, recursively: the answer follows the key's inflection, the reader does not. */
function kebabKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(kebabKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[kebab(k)] = kebabKeys(v);
  return out;
}

function malformed(label: string, what: string, requestId: string | null): PersonaApiError {
  return new PersonaApiError(
    'api_bad_response',
    `${label} failed: the answer is not a webhook (${what})${requestId ? ` [Request-Id ${requestId}]` : ''}`,
    { details: { request: label, ...(requestId ? { requestId } : {}) } },
  );
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
const date = (v: unknown): Date | null => {
  if (typeof v !== 'string') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
};

function allowlist(v: unknown): WebhookAllowlist | null {
  if (v === null || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  const state = str(o.state);
  if (state === null) return null;
  if (!Array.isArray(o['event-types'])) return { state };
  const eventTypes = (o['event-types'] as unknown[]).flatMap((e) => {
    const t = e as Record<string, unknown> | null;
    const eventType = str(t?.['event-type']);
    return eventType === null ? [] : [{ eventType, relationships: strings(t?.relationships) }];
  });
  return { state, eventTypes };
}

/**
 * Reads a webhook resource (`{type: 'webhook', id, attributes}`) in any key inflection.
 * @internal
 * @example
 * ```ts
 * const webhook = toApiWebhook(body.data, 'GET /webhooks/wbh_1', requestId)
 * ```
 */
export function toApiWebhook(item: unknown, label: string, requestId: string | null): ApiWebhook {
  const data = kebabKeys(item) as Record<string, unknown> | null;
  if (data === null || typeof data !== 'object') throw malformed(label, 'no "data" object', requestId);
  const id = str(data.id);
  if (id === null) throw malformed(label, 'no id', requestId);
  const a = data.attributes as Record<string, unknown> | undefined;
  if (a === null || typeof a !== 'object') throw malformed(label, `no attributes on ${id}`, requestId);
  const secrets: WebhookSecret[] = [];
  if (Array.isArray(a.secrets)) {
    for (const s of a.secrets as Record<string, unknown>[]) {
      const value = str(s?.value);
      if (value !== null) secrets.push({ value, expiresAt: date(s['expires-at']) });
    }
  } else if (typeof a.secret === 'string') {
    // `secret` is deprecated in favour of `secrets`; older answers have only it.
    secrets.push({ value: a.secret, expiresAt: null });
  }
  const fileTtl = a['file-access-token-expires-in'];
  return {
    id,
    status: str(a.status) ?? 'unknown',
    url: str(a.url) ?? '',
    name: str(a.name),
    secrets,
    apiVersion: str(a['api-version']),
    apiKeyInflection: str(a['api-key-inflection']),
    apiAttributesBlocklist: strings(a['api-attributes-blocklist']),
    enabledEvents: strings(a['enabled-events']),
    payloadFilter: a['payload-filter'] ?? null,
    includedAllowlist: allowlist(a['included-allowlist']),
    relationshipAllowlist: allowlist(a['relationship-allowlist']),
    fileAccessTokenExpiresIn: typeof fileTtl === 'number' ? fileTtl : null,
    createdAt: date(a['created-at']),
  };
}

function checkId(fn: string, id: unknown): string {
  if (typeof id !== 'string' || !/^wbh_[\w-]+$/.test(id))
    throw new PersonaWebhookError('invalid_options', `${fn}: the webhook id must look like wbh_ABC123.`);
  return id;
}

/**
 * Lists the environment's webhooks, one page (needs `webhook.read`).
 *
 * @throws PersonaApiError when the API refuses or keeps failing.
 * @example
 * ```ts
 * const { webhooks } = await listWebhooks(client)
 * const mine = webhooks.find((w) => w.url === 'https://app.example.com/webhooks/persona')
 * ```
 */
export async function listWebhooks(
  client: PersonaClient,
  params: { size?: number; after?: string; signal?: AbortSignal } = {},
): Promise<WebhooksPage> {
  const size = numberOption('listWebhooks', 'size', params.size, MAX_PAGE_SIZE, {
    integer: true,
    min: 1,
    max: MAX_PAGE_SIZE,
  });
  const label = 'GET /webhooks';
  const { body, requestId } = await client.request<{ data?: unknown; links?: { next?: unknown } }>({
    path: '/webhooks',
    query: { 'page[size]': size, 'page[after]': params.after },
    ...(params.signal ? { signal: params.signal } : {}),
  });
  if (body === null || typeof body !== 'object' || !Array.isArray(body.data))
    throw malformed(label, 'no "data" array', requestId);
  return {
    webhooks: body.data.map((item) => toApiWebhook(item, label, requestId)),
    nextCursor: cursorOf(body.links?.next, 'page[after]'),
    requestId,
  };
}

/**
 * Every webhook of the environment, page after page.
 *
 * @example
 * ```ts
 * for await (const webhook of iterateWebhooks(client)) console.log(webhook.id, webhook.url)
 * ```
 */
export async function* iterateWebhooks(
  client: PersonaClient,
  options: WebhookCallOptions = {},
): AsyncGenerator<ApiWebhook, void, undefined> {
  let after: string | undefined;
  // Bounded: a misbehaving server repeating a cursor must not loop for ever.
  for (let pages = 0; pages < 1000; pages++) {
    const page = await listWebhooks(client, { ...options, ...(after === undefined ? {} : { after }) });
    yield* page.webhooks;
    if (page.nextCursor === null || page.webhooks.length === 0 || page.nextCursor === after) return;
    after = page.nextCursor;
  }
}

async function webhookCall(
  client: PersonaClient,
  fn: string,
  id: string,
  request: { method: 'GET' | 'POST'; suffix: string; body?: unknown; idempotencyKey?: string; signal?: AbortSignal },
): Promise<ApiWebhook> {
  const path = `/webhooks/${encodeURIComponent(checkId(fn, id))}${request.suffix}`;
  const label = `${request.method} ${path}`;
  const { body, requestId } = await client.request<{ data?: unknown }>({
    method: request.method,
    path,
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(request.idempotencyKey === undefined ? {} : { idempotencyKey: request.idempotencyKey }),
    ...(request.signal ? { signal: request.signal } : {}),
  });
  if (body === null || typeof body !== 'object') throw malformed(label, 'no JSON object', requestId);
  return toApiWebhook(body.data, label, requestId);
}

/**
 * Fetches one webhook with its secrets and their `expires-at` (needs `webhook.read`).
 *
 * @throws PersonaApiError `api_not_found` for an unknown id, `api_forbidden` without `webhook.read`.
 * @example
 * ```ts
 * const { secrets } = await retrieveWebhook(client, 'wbh_ABC123')
 * ```
 */
export async function retrieveWebhook(client: PersonaClient, id: string, options: WebhookCallOptions = {}) {
  return webhookCall(client, 'retrieveWebhook', id, { method: 'GET', suffix: '', ...options });
}

/**
 * Rotates the webhook's secret (needs `webhook.write`): Persona signs with a new secret at once and keeps
 * signing with the current one until `expiresInSeconds` from now. The answer carries both.
 *
 * @throws PersonaWebhookError `invalid_options` for a negative or fractional expiry.
 * @example
 * ```ts
 * const webhook = await rotateWebhookSecret(client, 'wbh_ABC123', { expiresInSeconds: 7200 })
 * const newSecret = webhook.secrets.find((s) => s.expiresAt === null)?.value
 * ```
 */
export async function rotateWebhookSecret(client: PersonaClient, id: string, options: RotateSecretOptions = {}) {
  const expiresInSeconds =
    options.expiresInSeconds === undefined
      ? undefined
      : numberOption('rotateWebhookSecret', 'expiresInSeconds', options.expiresInSeconds, 0, {
          integer: true,
          min: 0,
          unit: 'seconds',
        });
  return webhookCall(client, 'rotateWebhookSecret', id, {
    method: 'POST',
    suffix: '/rotate-secret',
    body: expiresInSeconds === undefined ? {} : { meta: { 'expires-in-seconds': expiresInSeconds } },
    idempotencyKey: options.idempotencyKey ?? globalThis.crypto.randomUUID(),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/**
 * Enables a webhook (needs `webhook.write`): Persona starts delivering its enabled events.
 *
 * @example
 * ```ts
 * await enableWebhook(client, 'wbh_ABC123')
 * ```
 */
export async function enableWebhook(client: PersonaClient, id: string, options: WebhookCallOptions = {}) {
  return webhookCall(client, 'enableWebhook', id, { method: 'POST', suffix: '/enable', ...options });
}

/**
 * Disables a webhook (needs `webhook.write`): Persona stops delivering, pending retries included.
 *
 * @example
 * ```ts
 * await disableWebhook(client, 'wbh_ABC123')
 * ```
 */
export async function disableWebhook(client: PersonaClient, id: string, options: WebhookCallOptions = {}) {
  return webhookCall(client, 'disableWebhook', id, { method: 'POST', suffix: '/disable', ...options });
}

/**
 * The secrets Persona signs with at `now`: those without an expiry or expiring later, newest first.
 *
 * @example
 * ```ts
 * const active = activeWebhookSecrets(await retrieveWebhook(client, id)).map((s) => s.value)
 * ```
 */
export function activeWebhookSecrets(webhook: Pick<ApiWebhook, 'secrets'>, now: Date = new Date()): WebhookSecret[] {
  return webhook.secrets.filter((s) => s.expiresAt === null || s.expiresAt.getTime() > now.getTime());
}
