import { WebhookVerificationError } from '../errors.js';
import type { RawBody } from '../signature/body.js';
import type { ApiVersion, KeyInflection, RegisteredApiVersion, RegisteredInflection } from './api-versions.js';
import type { EventName } from './names.js';
import type { EventContext, EventPayload } from './payloads.js';

export type { KeyInflection } from './api-versions.js';

/**
 * A Persona event, normalised whatever the webhook's key inflection. `payload` and `context` keep the keys as
 * Persona sent them; their types follow the API version `V` and key inflection `I` (default: those declared in
 * `Register`, else `2025-12-08` and `kebab`).
 */
export interface PersonaEvent<
  N extends string = EventName | (string & {}),
  V extends ApiVersion = RegisteredApiVersion,
  I extends KeyInflection = RegisteredInflection,
> {
  /** `evt_…`: the idempotency key. */
  readonly id: string;
  /** e.g. `inquiry.approved`, `report/watchlist.matched`. Unknown names pass through. */
  readonly name: N;
  /** When Persona created the event: order by this, not by arrival. */
  readonly createdAt: Date;
  /** The resource (`data`) and related objects (`included`, possibly empty). */
  readonly payload: EventPayload<N, V, I>;
  /** Extra information some events carry (added by Persona in 2026-01): tags added and removed, a relation's target. */
  readonly context?: EventContext<N, V, I>;
  /** The key inflection detected in the envelope (the types follow `I`, which you declare). */
  readonly inflection: KeyInflection;
  /** The whole parsed body, untouched. */
  readonly raw: unknown;
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
// On Node, Buffer#toString decodes faster than TextDecoder; elsewhere (Workers, browsers) there is no Buffer.
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;

/** UTF-8 text of the body, without a leading byte-order mark (which JSON.parse rejects). */
function decode(bytes: Uint8Array): string {
  if (NodeBuffer !== undefined && bytes instanceof NodeBuffer) {
    const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    return bom ? bytes.toString('utf8', 3) : bytes.toString();
  }
  return decoder.decode(bytes);
}

function invalid(message: string): WebhookVerificationError {
  return new WebhookVerificationError('invalid_event', `Not a Persona event envelope: ${message}.`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Parses the body as JSON, failing with `invalid_json` and a message that carries no part of the body.
 * @internal
 * @example
 * ```ts
 * parseJsonBody(Buffer.from('{"data":{}}')) // { data: {} }
 * ```
 */
export function parseJsonBody(body: RawBody): unknown {
  let text: string;
  if (typeof body === 'string') text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  else text = decode(body instanceof ArrayBuffer ? new Uint8Array(body) : body);
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8's message quotes the start of the body ("Unexpected token … "{\"name… is not valid JSON"):
    // only the position is kept, since the body may hold personal data.
    const position = error instanceof Error ? /position (\d+)/.exec(error.message)?.[1] : undefined;
    throw new WebhookVerificationError(
      'invalid_json',
      `The body is not valid JSON (${text.length} characters${position === undefined ? '' : `, error at position ${position}`}): the signature is valid, so the sender signed a body that is not JSON.`,
      { details: { bodyLength: text.length, ...(position === undefined ? {} : { position: Number(position) }) } },
    );
  }
}

/**
 * Parses a Persona webhook body (raw or already parsed) into a `PersonaEvent`.
 * Accepts kebab (`created-at`), camel (`createdAt`) and snake (`created_at`) keys.
 *
 * @throws WebhookVerificationError `invalid_json` or `invalid_event`.
 * @example
 * ```ts
 * const event = parseEvent(rawBody)
 * if (event.name === 'inquiry.approved') console.log(event.payload.data.id)
 * ```
 */
export function parseEvent(body: RawBody | Record<string, unknown>): PersonaEvent {
  const raw =
    typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer
      ? parseJsonBody(body)
      : ArrayBuffer.isView(body)
        ? parseJsonBody(new Uint8Array(body.buffer, body.byteOffset, body.byteLength))
        : Object.prototype.toString.call(body) === '[object ArrayBuffer]' // from another realm
          ? parseJsonBody(new Uint8Array(body as unknown as ArrayBuffer))
          : body;
  if (!isObject(raw)) throw invalid('the body is not a JSON object');
  const data = raw.data;
  if (!isObject(data)) throw invalid('no "data" object');
  if (data.type !== undefined && data.type !== 'event')
    throw invalid(`data.type is "${String(data.type).slice(0, 40)}", not "event"`);
  const id = data.id;
  if (typeof id !== 'string' || id === '') throw invalid('no data.id');
  const attributes = data.attributes;
  if (!isObject(attributes)) throw invalid('no data.attributes object');
  const name = attributes.name;
  if (typeof name !== 'string' || name === '') throw invalid('no data.attributes.name');
  let inflection: KeyInflection = 'kebab';
  let createdAtValue = attributes['created-at'];
  if (createdAtValue === undefined && attributes.createdAt !== undefined) {
    createdAtValue = attributes.createdAt;
    inflection = 'camel';
  } else if (createdAtValue === undefined && attributes.created_at !== undefined) {
    createdAtValue = attributes.created_at;
    inflection = 'snake';
  }
  if (typeof createdAtValue !== 'string') throw invalid('no data.attributes.created-at');
  const createdAt = new Date(createdAtValue);
  if (Number.isNaN(createdAt.getTime())) throw invalid('data.attributes.created-at is not a date');
  const payload = attributes.payload;
  if (!isObject(payload)) throw invalid('no data.attributes.payload object');
  // The payload is used as parsed (no copy) unless `included` has to be filled in.
  const eventPayload = (Array.isArray(payload.included)
    ? payload
    : { ...payload, included: [] }) as unknown as PersonaEvent['payload'];
  const event: { -readonly [K in keyof PersonaEvent]: PersonaEvent[K] } = {
    id,
    name,
    createdAt,
    payload: eventPayload,
    inflection,
    raw,
  };
  if (isObject(attributes.context)) event.context = attributes.context as PersonaEvent['context'];
  return event;
}
