import { PersonaWebhookError } from '../errors.js';
import type { EventName } from '../events/names.js';
import type { KeyInflection } from '../events/parse.js';
import type { EventPayload } from '../events/resources.js';
import { inflectKeys } from './inflect.js';
import { createSampleRandom, type SampleRandom } from './random.js';
import {
  buildReport,
  buildVerification,
  createSamplePerson,
  familySpec,
  type SampleContext,
  type SampleResource,
} from './sample-resources.js';

/**
 * Options of `createSampleEvent`. Everything is optional: the defaults give a realistic kebab-case event.
 *
 * @example
 * ```ts
 * const options: SampleEventOptions = { inflection: 'snake', seed: 7, attributes: { 'reference-id': 'user_42' } }
 * ```
 */
export interface SampleEventOptions {
  /** Key inflection of the whole envelope, as chosen per webhook in Persona's dashboard. Default `kebab`. */
  inflection?: KeyInflection;
  /** The event id (`evt_…`). Default: a random-looking id (from the seed, if given). */
  id?: string;
  /** The event's `created-at`. Default: now, or a fixed date derived from `seed`. */
  createdAt?: Date | string | number;
  /** The id of the object in `payload.data`. Default: an id with the family's prefix (`inq_…`, `rep_…`). */
  resourceId?: string;
  /** The `type` of the object in `payload.data`, e.g. `verification/selfie`. Default: from the event name. */
  resourceType?: string;
  /** Merged over the generated attributes of `payload.data` (any key inflection: keys are converted too). */
  attributes?: Readonly<Record<string, unknown>>;
  /** Replaces the generated `context`; `null` leaves it out. */
  context?: Readonly<Record<string, unknown>> | null;
  /** Replaces the generated `payload.included` objects. */
  included?: readonly unknown[];
  /**
   * Pads `payload.included` with realistic objects until the JSON is this many bytes (for benchmarks). When the
   * bare event is already larger, the generated `included` objects are dropped and the event stays at its bare
   * size: an inquiry is about 3 to 6 KB, a report under 1 KB.
   */
  payloadSize?: number;
  /** Makes the event reproducible: the same seed and options give the same event, byte for byte. */
  seed?: number | string;
}

/**
 * A sample event envelope with Persona's default kebab-case keys, typed by event name.
 *
 * @example
 * ```ts
 * const envelope: SampleEventEnvelope<'inquiry.approved'> = createSampleEvent('inquiry.approved')
 * envelope.data.attributes.payload.data.attributes.status // 'approved'
 * ```
 */
export interface SampleEventEnvelope<N extends string = string> {
  readonly data: {
    readonly type: 'event';
    readonly id: string;
    readonly attributes: {
      readonly name: N;
      readonly payload: EventPayload<N>;
      readonly 'created-at': string;
      readonly context?: Readonly<Record<string, unknown>>;
    };
  };
}

/**
 * A sample event envelope in camel or snake inflection (`createdAt` / `created_at`): keys are not typed.
 *
 * @example
 * ```ts
 * const envelope: InflectedSampleEventEnvelope = createSampleEvent('case.created', { inflection: 'snake' })
 * envelope.data.attributes['created_at']
 * ```
 */
export interface InflectedSampleEventEnvelope {
  readonly data: {
    readonly type: 'event';
    readonly id: string;
    readonly attributes: { readonly name: string; readonly [key: string]: unknown };
  };
}

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

/** Related objects Persona includes with inquiries, used to pad a payload to a target size. */
function paddingItem(ctx: SampleContext, rnd: SampleRandom, index: number): SampleResource {
  switch (index % 3) {
    case 0: {
      const type = 'verification/government-id';
      return { type, id: rnd.id('ver_'), ...buildVerification({ ...ctx, type, action: 'passed' }, 'passed') };
    }
    case 1: {
      const type = 'report/watchlist';
      return { type, id: rnd.id('rep_'), ...buildReport({ ...ctx, type, action: 'ready' }, 'ready', 'watchlist') };
    }
    default:
      return {
        type: 'inquiry-session',
        id: rnd.id('iqse_'),
        attributes: {
          status: 'expired',
          'created-at': new Date(ctx.at - 600_000).toISOString(),
          'ip-address': `203.0.113.${1 + rnd.int(250)}`,
          'user-agent':
            'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
          'device-type': 'desktop',
          'network-threat-level': 'low',
          'ip-connection-type': 'residential',
          latitude: 37.7749,
          longitude: -122.4194,
        },
        relationships: { inquiry: { data: { type: 'inquiry', id: ctx.inquiryId } } },
      };
  }
}

function commentItem(ctx: SampleContext, id: string, length: number): SampleResource {
  const body = FILLER_TEXT.repeat(Math.ceil(length / FILLER_TEXT.length)).slice(0, length);
  return {
    type: 'case-comment',
    id,
    attributes: { body, 'created-at': new Date(ctx.at).toISOString() },
    relationships: { inquiry: { data: { type: 'inquiry', id: ctx.inquiryId } } },
  };
}

/**
 * A realistic Persona event envelope for any event name (all 250 known ones, and unknown ones as generic objects):
 * the right resource type and id prefix, attributes consistent with the event (`inquiry.approved` → status
 * `approved` with `decisioned-at`), an `included` array, and `context` where Persona sends one.
 * Serialize it with `JSON.stringify` and sign it, or use `createSignedRequest`.
 *
 * @throws PersonaWebhookError `invalid_options` for a malformed name or option.
 * @example
 * ```ts
 * const event = createSampleEvent('inquiry.approved', { seed: 1 })
 * event.data.attributes.payload.data.attributes.status // 'approved'
 * const camel = createSampleEvent('report/watchlist.matched', { inflection: 'camel', payloadSize: 8192 })
 * ```
 */
export function createSampleEvent<N extends EventName | (string & {})>(
  name: N,
  options?: SampleEventOptions & { inflection?: 'kebab' },
): SampleEventEnvelope<N>;
export function createSampleEvent(
  name: string,
  options: SampleEventOptions & { inflection: 'camel' | 'snake' },
): InflectedSampleEventEnvelope;
export function createSampleEvent(
  name: string,
  options?: SampleEventOptions,
): SampleEventEnvelope | InflectedSampleEventEnvelope;
export function createSampleEvent(
  name: string,
  options: SampleEventOptions = {},
): SampleEventEnvelope | InflectedSampleEventEnvelope {
  if (typeof name !== 'string' || !/^[^.\s]+\.[^\s]+$/.test(name)) {
    throw invalid('the event name must look like "<family>.<action>", e.g. "inquiry.approved".');
  }
  const inflection = options.inflection ?? 'kebab';
  if (inflection !== 'kebab' && inflection !== 'camel' && inflection !== 'snake') {
    throw invalid('inflection must be "kebab", "camel" or "snake".');
  }
  const { payloadSize } = options;
  if (payloadSize !== undefined && !(Number.isSafeInteger(payloadSize) && payloadSize > 0)) {
    throw invalid('payloadSize must be a positive whole number of bytes.');
  }
  const dot = name.indexOf('.');
  const family = name.slice(0, dot);
  const action = name.slice(dot + 1);
  const spec = familySpec(family);

  // The name joins the seed: one seed across several names must not give them the same event id.
  const rnd = createSampleRandom(options.seed === undefined ? undefined : `${options.seed}\u0000${name}`);
  const createdAt =
    options.createdAt !== undefined
      ? toDate(options.createdAt)
      : options.seed !== undefined
        ? new Date(SEEDED_EPOCH_MS - rnd.int(30 * 24 * 3600) * 1000 - rnd.int(1000))
        : new Date();
  const person = createSamplePerson(rnd);
  const eventId = options.id ?? rnd.id('evt_');
  const type = options.resourceType ?? spec.type(family);
  const resourceId = options.resourceId ?? rnd.id(spec.prefix);
  const accountId = family === 'account' ? resourceId : rnd.id('act_');
  const inquiryId = family === 'inquiry' ? resourceId : rnd.id('inq_');
  const ctx: SampleContext = {
    name,
    family,
    action,
    type,
    id: resourceId,
    at: createdAt.getTime(),
    rnd,
    person,
    accountId,
    inquiryId,
    verificationId: rnd.id('ver_'),
  };

  const built = spec.build(ctx);
  const resource: SampleResource = {
    type,
    id: resourceId,
    attributes: { ...built.attributes, ...options.attributes },
    ...(built.relationships === undefined ? {} : { relationships: built.relationships }),
  };
  const included: unknown[] = [...(options.included ?? spec.included?.(ctx) ?? [])];
  const context = options.context === null ? undefined : (options.context ?? spec.context?.(ctx));
  const envelope = {
    data: {
      type: 'event' as const,
      id: eventId,
      attributes: {
        name,
        payload: { data: resource, included },
        'created-at': createdAt.toISOString(),
        ...(context === undefined ? {} : { context }),
      },
    },
  };
  // Always converted, kebab too: overrides may be written in another inflection.
  const result = inflectKeys(envelope, inflection);

  if (payloadSize !== undefined) {
    const list = result.data.attributes.payload.included;
    let size = byteLength(result);
    // Smaller than asked for: drop the generated related objects, as a webhook without an included allowlist does.
    if (size > payloadSize && options.included === undefined) {
      list.length = 0;
      size = byteLength(result);
    }
    // Whole objects first, keeping room for a final comment whose text length makes the size exact.
    const commentId = rnd.id('ccmt_');
    const emptyComment = byteLength(inflectKeys(commentItem(ctx, commentId, 0), inflection));
    for (let i = 0; ; i++) {
      const item = inflectKeys(paddingItem(ctx, rnd, i), inflection);
      const extra = byteLength(item) + (list.length > 0 ? 1 : 0);
      if (size + extra !== payloadSize && size + extra + 1 + emptyComment > payloadSize) break;
      list.push(item);
      size += extra;
    }
    const gap = payloadSize - size - emptyComment - (list.length > 0 ? 1 : 0);
    if (gap >= 0) list.push(inflectKeys(commentItem(ctx, commentId, gap), inflection));
  }
  return result as SampleEventEnvelope | InflectedSampleEventEnvelope;
}
