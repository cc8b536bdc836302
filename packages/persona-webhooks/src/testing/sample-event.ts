import { PersonaWebhookError } from '../errors.js';
import { type ApiVersion, DEFAULT_API_VERSION, isApiVersion, type KeyInflection } from '../events/api-versions.js';
import type { Inflected } from '../events/inflection.js';
import type { EventName } from '../events/names.js';
import type { EventContext, EventPayload } from '../events/payloads.js';
import { numberOption } from '../options.js';
import { createSamplePerson, type FreshValues, refreshValues } from './fresh-values.js';
import { inflectKeys } from './inflect.js';
import { createSampleRandom } from './random.js';
import { type SampleTemplate, sampleTemplates } from './templates.js';

/**
 * Options of `createSampleEvent`. Everything is optional: the defaults give a kebab-case event of the newest
 * API version, shaped like Persona's own example for that event.
 *
 * @example
 * ```ts
 * const options: SampleEventOptions = { apiVersion: '2023-01-05', inflection: 'snake', seed: 7 }
 * ```
 */
export interface SampleEventOptions {
  /** The API version whose shapes the event follows (each webhook is pinned to one). Default `2025-12-08`. */
  apiVersion?: ApiVersion;
  /** Key inflection of the whole envelope, as chosen per webhook in Persona's dashboard. Default `kebab`. */
  inflection?: KeyInflection;
  /** The event id (`evt_…`). Default: a random-looking id (from the seed, if given). */
  id?: string;
  /** The event's `created-at`. Default: now, or a fixed date derived from `seed`. */
  createdAt?: Date | string | number;
  /** The id of the object in `payload.data` (relationships pointing at it follow). Default: a fresh id. */
  resourceId?: string;
  /** The `type` of the object in `payload.data`, e.g. `verification/selfie`. Default: from Persona's example. */
  resourceType?: string;
  /** Merged over the attributes of `payload.data` (any key inflection: keys are converted too). */
  attributes?: Readonly<Record<string, unknown>>;
  /** Replaces the `context` (Persona's example's, for the events that have one); `null` leaves it out. */
  context?: Readonly<Record<string, unknown>> | null;
  /**
   * `payload.included`: empty by default, as Persona sends it to a webhook without an "included allowlist";
   * `true` for the related objects of Persona's example (fresh ids, matching the relationships); or your list.
   */
  included?: boolean | readonly unknown[];
  /**
   * Pads `payload.included` with related objects until the JSON is this many bytes (for benchmarks). When the
   * bare event is already larger, it stays at its bare size.
   */
  payloadSize?: number;
  /** Makes the event reproducible: the same seed and options give the same event, byte for byte. */
  seed?: number | string;
}

/**
 * A sample event envelope, typed by event name, API version and key inflection.
 *
 * @example
 * ```ts
 * const envelope: SampleEventEnvelope<'inquiry.approved'> = createSampleEvent('inquiry.approved')
 * envelope.data.attributes.payload.data.attributes.status // 'approved'
 * ```
 */
export type SampleEventEnvelope<
  N extends string = string,
  V extends ApiVersion = typeof DEFAULT_API_VERSION,
  I extends KeyInflection = 'kebab',
> = {
  readonly data: {
    readonly type: 'event';
    readonly id: string;
    readonly attributes: Inflected<
      {
        readonly name: N;
        readonly 'created-at': string;
        readonly context?: EventContext<N, V, 'kebab'>;
      },
      I,
      V
    > & { readonly payload: EventPayload<N, V, I> };
  };
};

// Seeded events get a fixed, plausible date so that a seed alone makes them reproducible.
const SEEDED_EPOCH_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const FILLER_TEXT =
  'Reviewed the submitted government ID against the selfie and the database results; details match the application. ';

function invalid(message: string): PersonaWebhookError {
  return new PersonaWebhookError('invalid_options', `createSampleEvent: ${message}`);
}

function toDate(value: Date | string | number): Date {
  const date = value instanceof Date ? new Date(value.getTime()) : new Date(value);
  if (Number.isNaN(date.getTime())) throw invalid('createdAt is not a valid date.');
  return date;
}

const encoder = new TextEncoder();
function byteLength(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).length;
}

type Json = Record<string, unknown>;

/** A body for a name the spec does not know: Persona's envelope around a generic resource of the family. */
function unknownTemplate(name: string): SampleTemplate {
  const family = name.slice(0, name.lastIndexOf('.'));
  const prefix = `${family.replace(/[^a-z]/g, '').slice(0, 4) || 'obj'}_`;
  const at = '2024-01-01T00:00:00.000Z';
  return {
    source: 'schema',
    included: true,
    body: {
      data: {
        type: 'event',
        id: 'evt_ABC123def456GHI789jkl012',
        attributes: {
          name,
          payload: {
            data: { type: family, id: `${prefix}ABC123def456GHI789jkl012`, attributes: { 'created-at': at } },
          },
          'created-at': at,
        },
      },
    },
  };
}

/** A related object of the size asked for, whose text length makes a padded body exact. */
function commentItem(id: string, at: string, length: number): Json {
  const body = FILLER_TEXT.repeat(Math.ceil(length / FILLER_TEXT.length)).slice(0, length);
  return { type: 'case-comment', id, attributes: { body, 'created-at': at } };
}

/** Related objects to pad with: those of Persona's inquiry.approved example, each copy with fresh ids. */
function paddingItems(apiVersion: ApiVersion, values: FreshValues, index: number): Json {
  const pool = (sampleTemplates(apiVersion)['inquiry.approved']?.body.data.attributes.payload.included ?? []) as Json[];
  const item = pool[index % Math.max(pool.length, 1)] ?? commentItem('ccmt_ABC123def456GHI789jkl012', '', 0);
  return refreshValues(item, { ...values, ids: new Map() });
}

/**
 * A realistic Persona event envelope for any event name, at API version 2025-12-08 (default) or 2023-01-05:
 * for the 130 events with an official example in Persona's OpenAPI spec, a body with exactly the keys of that
 * example; for the other names, a body valid against the event's schema; for unknown names, a generic object.
 * Ids, timestamps and personal data are fresh (deterministic for a seed); `included` is empty unless asked for.
 * Serialize it with `JSON.stringify` and sign it, or use `createSignedRequest`.
 *
 * @throws PersonaWebhookError `invalid_options` for a malformed name or option.
 * @example
 * ```ts
 * const event = createSampleEvent('inquiry.approved', { seed: 1 })
 * event.data.attributes.payload.data.attributes.fields // 2025-12-08: personal data only in `fields`
 * const old = createSampleEvent('inquiry.approved', { apiVersion: '2023-01-05', inflection: 'camel' })
 * old.data.attributes.payload.data.attributes.nameFirst
 * ```
 */
export function createSampleEvent<
  N extends EventName | (string & {}),
  V extends ApiVersion = typeof DEFAULT_API_VERSION,
  I extends KeyInflection = 'kebab',
>(name: N, options?: SampleEventOptions & { apiVersion?: V; inflection?: I }): SampleEventEnvelope<N, V, I>;
export function createSampleEvent(name: string, options: SampleEventOptions = {}): SampleEventEnvelope {
  if (typeof name !== 'string' || !/^[^.\s]+\.[^\s]+$/.test(name)) {
    throw invalid('the event name must look like "<family>.<action>", e.g. "inquiry.approved".');
  }
  const inflection = options.inflection ?? 'kebab';
  if (inflection !== 'kebab' && inflection !== 'camel' && inflection !== 'snake') {
    throw invalid('inflection must be "kebab", "camel" or "snake".');
  }
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  if (!isApiVersion(apiVersion)) throw invalid(`apiVersion must be "2025-12-08" or "2023-01-05".`);
  const payloadSize =
    options.payloadSize === undefined
      ? undefined
      : numberOption('createSampleEvent', 'payloadSize', options.payloadSize, 0, { integer: true, min: 1 });

  // The name joins the seed: one seed across several names must not give them the same event id.
  const rnd = createSampleRandom(options.seed === undefined ? undefined : `${options.seed}\u0000${name}`);
  const createdAt =
    options.createdAt !== undefined
      ? toDate(options.createdAt)
      : options.seed !== undefined
        ? new Date(SEEDED_EPOCH_MS - rnd.int(30 * 24 * 3600) * 1000 - rnd.int(1000))
        : new Date();
  const template = sampleTemplates(apiVersion)[name] ?? unknownTemplate(name);
  const source = template.body.data.attributes;
  const ids = new Map<string, string>();
  if (options.id !== undefined) ids.set(template.body.data.id, options.id);
  const sourceId = source.payload.data.id;
  if (options.resourceId !== undefined && typeof sourceId === 'string') ids.set(sourceId, options.resourceId);
  const values: FreshValues = {
    rnd,
    person: createSamplePerson(rnd),
    shiftMs: createdAt.getTime() - Date.parse(source['created-at']),
    ids,
  };
  const fresh = refreshValues(template.body, values);
  const attributes = fresh.data.attributes;
  const data: Json = { ...attributes.payload.data };
  if (options.resourceType !== undefined) data.type = options.resourceType;
  // Overrides may be written in any inflection: spelled like the template (kebab) first.
  if (options.attributes !== undefined) {
    data.attributes = { ...(data.attributes as Json), ...inflectKeys(options.attributes, 'kebab', { apiVersion }) };
  }
  const included =
    options.included === true
      ? attributes.payload.included
      : Array.isArray(options.included)
        ? [...options.included]
        : template.included
          ? []
          : undefined;
  const context =
    options.context === null
      ? undefined
      : options.context === undefined
        ? attributes.context
        : inflectKeys(options.context, 'kebab');
  const envelope = {
    data: {
      type: 'event' as const,
      id: fresh.data.id,
      attributes: {
        name,
        payload: { data, ...(included === undefined ? {} : { included }) },
        'created-at': createdAt.toISOString(),
        ...(context === undefined ? {} : { context }),
      },
    },
  };
  // The template's own keys are left alone in kebab: Persona's examples keep a few snake_case keys there.
  const result = inflection === 'kebab' ? envelope : inflectKeys(envelope, inflection, { apiVersion });

  if (payloadSize !== undefined) {
    const payload = result.data.attributes.payload as { included?: unknown[] };
    // Padding adds `included` even to the few events whose schema has none: a benchmark wants the bytes.
    payload.included ??= [];
    const list = payload.included;
    let size = byteLength(result);
    // Whole objects first, keeping room for a final comment whose text length makes the size exact.
    const commentId = rnd.id('ccmt_');
    const at = createdAt.toISOString();
    const emptyComment = byteLength(inflectKeys(commentItem(commentId, at, 0), inflection));
    for (let i = 0; ; i++) {
      const padding = paddingItems(apiVersion, values, i);
      const item = inflection === 'kebab' ? padding : inflectKeys(padding, inflection, { apiVersion });
      const extra = byteLength(item) + (list.length > 0 ? 1 : 0);
      if (size + extra !== payloadSize && size + extra + 1 + emptyComment > payloadSize) break;
      list.push(item);
      size += extra;
    }
    const gap = payloadSize - size - emptyComment - (list.length > 0 ? 1 : 0);
    if (gap >= 0) list.push(inflectKeys(commentItem(commentId, at, gap), inflection));
  }
  return result as unknown as SampleEventEnvelope;
}
