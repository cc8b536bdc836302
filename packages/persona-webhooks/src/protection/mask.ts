// Masking of Persona payloads for operator surfaces (CLI, dashboard): the shape of a payload stays visible, its
// values do not. Default-deny: Persona's schemas name hundreds of personal fields (document numbers, photo and
// file URLs with access tokens, birthplaces, nationalities, social profiles, device fingerprints, GPS …) and add
// more with each API version, so a list of what to hide always lags. What stays is the short list of values that
// are never about a person: the event name, object types, statuses, Persona's own object ids, timestamps of
// what happened, and the names of verification checks; booleans and nulls too. Everything else is masked.

/** What a masked value is replaced with by default. */
export const MASK = '•••';

/** Options of {@link maskPersonalData}. */
export interface MaskOptions {
  /** What a masked value is replaced with. Default `•••`. */
  readonly mask?: string;
}

/** A lowercase token: an object type (`verification/government-id`), a status, a requirement. */
const TOKEN = /^[a-z][a-z0-9_./-]{0,63}$/;
/** A check name (`id_barcode_inconsistency_detection`): snake case, at least two words, as all of Persona's are. */
const CHECK_NAME = /^[a-z0-9]+(?:_[a-z0-9]+){1,12}$/;
/** An event name (`inquiry.approved`, `report/watchlist.matched`). */
const EVENT_NAME = /^[a-z][a-z0-9_/-]*(\.[a-z0-9_-]+)+$/;
/**
 * One of Persona's own object ids: a prefix Persona's spec uses (`inq_`, `ver_`, `act_`, `itmpl_` …), then an
 * opaque run. A look-alike of the customer's own (`usr_…`) is not Persona's and stays masked.
 */
const PERSONA_ID = new RegExp(
  `^(?:${[
    'accac',
    'act',
    'acttp',
    'actst',
    'admn',
    'api',
    'cap',
    'case',
    'cqueue',
    'cscm',
    'ctmpl',
    'dev',
    'doc',
    'docf',
    'env',
    'evt',
    'gdt',
    'grphq',
    'inq',
    'iqse',
    'itmpl',
    'itmplv',
    'lst',
    'mprt',
    'mprtp',
    'mprtpr',
    'net',
    'oat',
    'org',
    'ract',
    'relay',
    'rep',
    'req',
    'rpr',
    'rptp',
    'tmpl',
    'txn',
    'txnl',
    'txntp',
    'user',
    'ver',
    'vtmpl',
    'wbh',
    'wfd',
    'wfl',
    'wfr',
    'wfs',
    'wfv',
  ].join('|')})_[A-Za-z0-9]{10,40}$`,
);
/** Keys ending in `id` whose values the customer chooses (their own user ids, often built from a name). */
const CUSTOMER_ID_KEYS = new Set(['referenceid', 'customerid', 'externalid', 'userid']);
/** An ISO 8601 date and time, whole (a birthdate has no time, so it never matches). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
/** A key naming when something happened: `created-at`, `completed_at`, `redactedAt`. */
const AT_KEY = /(?:^|[-_])at$|[a-z0-9]At$/;
/** Keys whose lowercase-token values are shown (compared without case, `-` or `_`). */
const TOKEN_KEYS = new Set(['type', 'status', 'requirement']);

function normal(key: string): string {
  return key.replace(/[-_]/g, '').toLowerCase();
}

/** Whether a string at `key` (inside `path`) is shown unmasked; `envelope`: the value is an event envelope. */
function shown(key: string, value: string, path: readonly string[], envelope: boolean): boolean {
  // The event's own name (`data.attributes.name` of an envelope whose data.type is `event`), not a person's.
  if (envelope && key === 'name' && path.length === 2 && path[0] === 'data' && path[1] === 'attributes') {
    return EVENT_NAME.test(value);
  }
  const k = normal(key);
  if (TOKEN_KEYS.has(k)) return TOKEN.test(value);
  if (k === 'name' && path.at(-1) === 'checks') return CHECK_NAME.test(value);
  if (k.endsWith('id') && !CUSTOMER_ID_KEYS.has(k)) return PERSONA_ID.test(value);
  return AT_KEY.test(key) && DATE_TIME.test(value);
}

function mask(value: unknown, key: string, path: readonly string[], replacement: string, envelope: boolean): unknown {
  if (value === null || value === undefined || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((item) => mask(item, key, path, replacement, envelope));
  if (typeof value === 'object') {
    const inner = key === '' ? path : [...path, key];
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = mask(v, k, inner, replacement, envelope);
    }
    return out;
  }
  if (typeof value === 'string' && shown(key, value, path, envelope)) return value;
  return replacement;
}

/**
 * A copy of a parsed payload in which every value is masked except those that are never about a person: the
 * event name, `type`, `status` and `requirement` tokens, Persona object ids under `id`-like keys, the date and
 * time under `*-at` keys, check names, booleans and nulls. Keys and the shape stay, so an operator still sees
 * which fields were present; numbers and every other string are masked, whatever the key inflection.
 *
 * @example
 * ```ts
 * maskPersonalData({ 'name-first': 'Jane', status: 'approved', 'document-number': 'X123' })
 * // { 'name-first': '•••', status: 'approved', 'document-number': '•••' }
 * ```
 */
export function maskPersonalData(value: unknown, options: MaskOptions = {}): unknown {
  const data = (value as { data?: unknown } | null)?.data;
  const envelope = data !== null && typeof data === 'object' && (data as { type?: unknown }).type === 'event';
  return mask(value, '', [], options.mask ?? MASK, envelope);
}
