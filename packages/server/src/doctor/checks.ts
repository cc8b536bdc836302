// The checks of `persona-webhooks doctor`: pure functions over a webhook as Persona's Webhooks API describes it,
// the handlers module's expectations and the configured secrets. Each yields one line with a stable id.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiWebhook } from 'persona-webhooks/api';
import { maskCredentials } from '../cli/mask.js';

/** `ok`, `warn` (worth fixing, nothing is lost yet) or `fail` (events are or will be lost or refused). */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of the report. `id` is stable: scripts and docs refer to it. */
export interface Check {
  readonly id: string;
  readonly status: CheckStatus;
  /** What was found and what to do, one line, never a secret. */
  readonly message: string;
}

/** The API versions the library's event types were written and tested against, newest first. */
export const TYPED_API_VERSIONS: readonly string[] = ['2025-12-08', '2023-01-05'];
/** The key inflection the library's types use. */
export const TYPED_KEY_INFLECTION = 'kebab';

/** Personal attributes Persona puts in inquiry, account and verification payloads (FACTS §6). */
export const PERSONAL_ATTRIBUTES: readonly string[] = [
  'name-first',
  'name-middle',
  'name-last',
  'birthdate',
  'address-street-1',
  'address-street-2',
  'address-city',
  'address-subdivision',
  'address-postal-code',
  'email-address',
  'phone-number',
  'identification-number',
  'social-security-number',
];

/** The blocklist entries that cover {@link PERSONAL_ATTRIBUTES}, as Persona's wildcards write them. */
const SUGGESTED_BLOCKLIST: readonly string[] = [
  'name-*',
  'birthdate',
  'address-*',
  'email-address',
  'phone-number',
  'identification-number',
  'social-security-number',
];

/** A warning is given when a configured secret expires sooner than this. */
export const SECRET_EXPIRY_WARNING_MS = 24 * 3600 * 1000;

/** What the receiver's side expects of the webhook. */
export interface DoctorExpectations {
  /** The URL this service answers on (scheme, host, port, path), or null when unknown. */
  readonly url: string | null;
  /**
   * Event names the handlers module handles; `all` when a catch-all handler runs for every event;
   * null when no handlers module was given.
   */
  readonly handled: { readonly names: readonly string[]; readonly all: boolean } | null;
  /** The API version the handlers read shapes of. */
  readonly apiVersion: string;
  readonly keyInflection: string;
  /** Personal attributes the handlers declare they read (handlers module `personalAttributes`), or null. */
  readonly personalAttributes: readonly string[] | null;
  /** Configured secrets (compared in constant time, never printed). */
  readonly secrets: readonly string[];
}

// A webhook URL may carry a password or a token (basic auth, ?token=…): every message is masked.
const check = (id: string, status: CheckStatus, message: string): Check => ({
  id,
  status,
  message: maskCredentials(message),
});

/** Compares two secrets in constant time (digests of equal length, so the length leaks nothing either). */
function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

function normalizeUrl(text: string): URL | null {
  try {
    const u = new URL(text);
    u.hash = '';
    return u;
  } catch {
    return null;
  }
}

function checkUrl(webhook: ApiWebhook, expected: string | null): Check {
  const id = 'webhook.url';
  if (expected === null)
    return check(
      id,
      'warn',
      `posts to ${webhook.url}: pass --url (or set PERSONA_PUBLIC_URL) to check it is this service`,
    );
  const want = normalizeUrl(expected);
  const got = normalizeUrl(webhook.url);
  if (want === null) return check(id, 'warn', `--url ${expected.slice(0, 200)} is not an absolute URL`);
  if (got === null)
    return check(
      id,
      'fail',
      `the webhook's URL "${webhook.url.slice(0, 200)}" is not an absolute URL: fix it in the Dashboard (Webhooks → ${webhook.id} → URL)`,
    );
  if (got.href === want.href) return check(id, 'ok', `posts to ${got.href}`);
  const fix = `set the URL to ${want.href} (Dashboard → Webhooks → ${webhook.id} → URL, or PATCH /webhooks/${webhook.id})`;
  let why: string;
  if (got.origin !== want.origin) why = `another host (${got.origin}, this service is ${want.origin})`;
  else if (got.pathname === want.pathname) why = 'another query string';
  else if (got.pathname.replace(/\/+$/, '') === want.pathname.replace(/\/+$/, ''))
    why = 'the path differs by a trailing slash, which answers 404';
  else why = `another path (${got.pathname}, this service answers on ${want.pathname})`;
  return check(id, 'fail', `posts to ${got.href}: ${why}; ${fix}`);
}

function list(names: readonly string[], max = 6): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

function checkEvents(webhook: ApiWebhook, handled: DoctorExpectations['handled']): Check[] {
  if (handled === null) {
    const note =
      'pass --handlers FILE (or set PERSONA_HANDLERS) to compare the handled events with the subscribed ones';
    return [check('events.subscribed', 'warn', note), check('events.handled', 'warn', note)];
  }
  const subscribed = webhook.enabledEvents;
  const all = subscribed.includes('*');
  const out: Check[] = [];
  const missing = handled.names.filter((n) => !all && !subscribed.includes(n));
  out.push(
    missing.length > 0
      ? check(
          'events.subscribed',
          'fail',
          `handled but not subscribed, so never delivered: ${list(missing)}; add them to enabled-events (Dashboard → Webhooks → ${webhook.id} → Events)`,
        )
      : handled.all && handled.names.length === 0
        ? check('events.subscribed', 'ok', 'a catch-all handler runs for every event Persona sends')
        : check('events.subscribed', 'ok', `every handled event is subscribed (${handled.names.length})`),
  );
  if (handled.all) out.push(check('events.handled', 'ok', 'a catch-all handler runs for every subscribed event'));
  else if (all)
    out.push(
      check(
        'events.handled',
        'warn',
        `subscribed to every event (*) but ${handled.names.length} are handled: the rest are received and stored for nothing; set enabled-events to ${JSON.stringify(handled.names)}`,
      ),
    );
  else {
    const unhandled = subscribed.filter((n) => !handled.names.includes(n));
    out.push(
      unhandled.length > 0
        ? check(
            'events.handled',
            'warn',
            `subscribed but not handled (received and stored for nothing, personal data kept for nothing): ${list(unhandled)}; remove them from enabled-events or handle them`,
          )
        : check('events.handled', 'ok', `every subscribed event is handled (${subscribed.length})`),
    );
  }
  return out;
}

function checkShapes(webhook: ApiWebhook, expect: DoctorExpectations): Check[] {
  const version = webhook.apiVersion ?? 'unknown';
  const inflection = webhook.apiKeyInflection ?? 'unknown';
  const typed = TYPED_API_VERSIONS.includes(version)
    ? ''
    : ` (this library ships types for ${TYPED_API_VERSIONS.join(', ')})`;
  return [
    version === expect.apiVersion
      ? check('api.version', 'ok', `sends ${version} payloads, as the handlers expect`)
      : check(
          'api.version',
          'fail',
          `sends ${version} payloads but the handlers read ${expect.apiVersion} shapes${typed}: set the webhook's API version to ${expect.apiVersion} (Dashboard → Webhooks → ${webhook.id} → API version) or export apiVersion = '${version}' from the handlers module once they read that version`,
        ),
    inflection === expect.keyInflection
      ? check('api.inflection', 'ok', `keys are ${inflection}-case, as the handlers expect`)
      : check(
          'api.inflection',
          'fail',
          `keys are ${inflection}-case but the handlers read ${expect.keyInflection}-case keys (payload fields come back undefined): set the webhook's key inflection to ${expect.keyInflection}`,
        ),
  ];
}

function when(date: Date, now: Date): string {
  const ms = date.getTime() - now.getTime();
  const abs = Math.abs(ms);
  const span =
    abs < 120_000
      ? `${Math.round(abs / 1000)} s`
      : abs < 7_200_000
        ? `${Math.round(abs / 60_000)} min`
        : `${Math.round(abs / 3_600_000)} h`;
  return `${ms >= 0 ? 'in' : ''} ${span}${ms < 0 ? ' ago' : ''} (${date.toISOString()})`.trim();
}

function checkSecrets(webhook: ApiWebhook, configured: readonly string[], now: Date): Check[] {
  if (configured.length === 0)
    return [
      check(
        'secret.match',
        'warn',
        'no secret configured to compare: set PERSONA_WEBHOOK_SECRET (or --secret), or let serve --webhook-id read it from Persona',
      ),
    ];
  if (webhook.secrets.length === 0)
    return [
      check(
        'secret.match',
        'warn',
        `Persona's answer carried no secrets for ${webhook.id}: the key may lack webhook.read`,
      ),
    ];
  const t = now.getTime();
  const out: Check[] = [];
  let matched = 0;
  const expiring: string[] = [];
  const expired: string[] = [];
  const stray: number[] = [];
  for (const [i, value] of configured.entries()) {
    const found = webhook.secrets.find((s) => sameSecret(s.value, value));
    if (found === undefined) {
      stray.push(i + 1);
      continue;
    }
    if (found.expiresAt !== null && found.expiresAt.getTime() <= t) {
      expired.push(`#${i + 1} expired ${when(found.expiresAt, now)}`);
      continue;
    }
    matched++;
    if (found.expiresAt !== null && found.expiresAt.getTime() - t < SECRET_EXPIRY_WARNING_MS)
      expiring.push(`#${i + 1} expires ${when(found.expiresAt, now)}`);
  }
  const newest = webhook.secrets.find((s) => s.expiresAt === null);
  const hasNewest = newest !== undefined && configured.some((c) => sameSecret(c, newest.value));
  if (matched === 0)
    out.push(
      check(
        'secret.match',
        'fail',
        `no configured secret (${configured.length}) matches an active secret of ${webhook.id}: every delivery answers 401; copy the secret of this webhook in this environment (sandbox and production differ), or run serve --webhook-id`,
      ),
    );
  else out.push(check('secret.match', 'ok', `a configured secret matches an active secret of ${webhook.id}`));
  if (expiring.length > 0)
    out.push(
      check(
        'secret.expiry',
        'warn',
        `configured secret ${expiring.join('; ')}${hasNewest ? '' : ': configure the new secret before then (or run serve --webhook-id)'}`,
      ),
    );
  else if (expired.length > 0)
    out.push(
      check('secret.expiry', 'warn', `configured secret ${expired.join('; ')}: remove it from the configuration`),
    );
  else if (matched > 0) out.push(check('secret.expiry', 'ok', 'no configured secret expires within a day'));
  if (stray.length > 0 && matched > 0)
    out.push(
      check(
        'secret.unused',
        'warn',
        `configured secret${stray.length > 1 ? 's' : ''} #${stray.join(', #')} match${stray.length > 1 ? '' : 'es'} no secret of ${webhook.id}: remove ${stray.length > 1 ? 'them' : 'it'} (each one is another HMAC per delivery)`,
      ),
    );
  return out;
}

/** Persona's blocklist syntax: `name-*` globs, `/json/path` (last segment counts here), `!` exemptions. */
function blocked(attribute: string, blocklist: readonly string[]): boolean {
  const glob = (pattern: string) => {
    const p = pattern
      .replace(/_/g, '-')
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase();
    const re = new RegExp(
      `^${p
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return re.test(attribute);
  };
  const last = (entry: string) => (entry.startsWith('/') ? (entry.split('?')[0]?.split('/').pop() ?? '') : entry);
  const exempt = blocklist.some((e) => e.startsWith('!') && glob(last(e.slice(1))));
  return !exempt && blocklist.some((e) => !e.startsWith('!') && glob(last(e)));
}

function checkPrivacy(webhook: ApiWebhook, reads: readonly string[] | null): Check[] {
  const out: Check[] = [];
  const delivered = PERSONAL_ATTRIBUTES.filter((a) => !blocked(a, webhook.apiAttributesBlocklist));
  const unread = reads === null ? delivered : delivered.filter((a) => !reads.some((r) => blocked(a, [r])));
  if (unread.length === 0)
    out.push(check('privacy.blocklist', 'ok', 'no personal attribute is delivered that the handlers do not read'));
  else {
    // A glob such as name-* only when the handlers read none of what it covers; otherwise the attributes by name.
    const suggestion = [
      ...webhook.apiAttributesBlocklist,
      ...unread.map((a) => {
        const glob = SUGGESTED_BLOCKLIST.find((entry) => blocked(a, [entry])) ?? a;
        return (reads ?? []).some((r) => blocked(r, [glob])) ? a : glob;
      }),
    ];
    out.push(
      check(
        'privacy.blocklist',
        'warn',
        `personal attributes delivered that the handlers ${reads === null ? 'do not declare reading (export personalAttributes from the handlers module)' : 'never read'}: ${list(unread, 4)}; set api-attributes-blocklist to ${JSON.stringify([...new Set(suggestion)])}`,
      ),
    );
  }
  const included = webhook.includedAllowlist?.state ?? 'include_none';
  out.push(
    included === 'include_all'
      ? check(
          'privacy.included',
          'warn',
          'included-allowlist is include_all: every related object (with its personal data) comes in each payload; set included-allowlist to {"state":"include_none"}, or "custom" with the relationships the handlers read',
        )
      : check('privacy.included', 'ok', `included-allowlist is ${included}`),
  );
  const relationships = webhook.relationshipAllowlist?.state ?? 'include_all';
  out.push(
    relationships === 'include_all'
      ? check(
          'privacy.relationships',
          'warn',
          'relationship-allowlist is include_all: every relationship id is sent; set relationship-allowlist to {"state":"include_none"} if the handlers follow none',
        )
      : check('privacy.relationships', 'ok', `relationship-allowlist is ${relationships}`),
  );
  return out;
}

/**
 * Runs every configuration check on one webhook. Pure: the same inputs give the same lines.
 *
 * @example
 * ```ts
 * const checks = webhookChecks(await retrieveWebhook(client, 'wbh_ABC123'), {
 *   url: 'https://app.example.com/webhooks/persona', handled: { names: ['inquiry.approved'], all: false },
 *   apiVersion: '2025-12-08', keyInflection: 'kebab', personalAttributes: null, secrets: [process.env.PERSONA_WEBHOOK_SECRET!],
 * }, new Date())
 * ```
 */
export function webhookChecks(webhook: ApiWebhook, expect: DoctorExpectations, now: Date): Check[] {
  const name = webhook.name ? ` "${webhook.name}"` : '';
  return [
    check('webhook.found', 'ok', `${webhook.id}${name}`),
    webhook.status === 'enabled'
      ? check('webhook.enabled', 'ok', 'enabled')
      : check(
          'webhook.enabled',
          'fail',
          `${webhook.status}: Persona delivers nothing to it; enable it (Dashboard → Webhooks → ${webhook.id} → Enable, or POST /webhooks/${webhook.id}/enable), then run persona-webhooks reconcile for what was missed`,
        ),
    checkUrl(webhook, expect.url),
    ...checkEvents(webhook, expect.handled),
    ...checkShapes(webhook, expect),
    ...checkSecrets(webhook, expect.secrets, now),
    ...checkPrivacy(webhook, expect.personalAttributes),
  ];
}
