import { takeScannedIds } from '../events/envelope-scan.js';

// Which Persona objects a stored event is about or links to: its subject (`payload.data`), the objects its
// relationships name, and every object in `included` with their own relationships.

/** An object reference found in an event: its id and Persona type (`inquiry`, `verification/government-id` …). */
export interface ObjectRef {
  readonly id: string;
  readonly type: string;
}

/** What an event refers to. */
export interface EventReferences {
  /** `payload.data`, the object the event is about; null when the payload has none. */
  readonly subject: ObjectRef | null;
  /** The subject and every object it links to or includes, each once. */
  readonly all: readonly ObjectRef[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function refOf(value: unknown): ObjectRef | null {
  if (!isObject(value) || typeof value.id !== 'string' || value.id === '') return null;
  return { id: value.id, type: typeof value.type === 'string' ? value.type : '' };
}

/**
 * Lists the objects an event envelope (already parsed JSON) is about or links to.
 *
 * @example
 * ```ts
 * eventReferences(JSON.parse(body)).all.map((r) => r.id) // ['inq_1', 'act_1', 'ver_1', …]
 * ```
 */
export function eventReferences(envelope: unknown): EventReferences {
  const found = new Map<string, ObjectRef>();
  const add = (ref: ObjectRef | null) => {
    if (ref !== null && !found.has(ref.id)) found.set(ref.id, ref);
  };
  const relationships = (resource: Record<string, unknown>) => {
    const rels = resource.relationships;
    if (!isObject(rels)) return;
    for (const rel of Object.values(rels)) {
      if (!isObject(rel)) continue;
      const data = rel.data;
      if (Array.isArray(data)) for (const item of data) add(refOf(item));
      else add(refOf(data));
    }
  };
  const attributes = isObject(envelope) && isObject(envelope.data) ? envelope.data.attributes : undefined;
  const payload = isObject(attributes) ? attributes.payload : undefined;
  let subject: ObjectRef | null = null;
  if (isObject(payload)) {
    subject = refOf(payload.data);
    add(subject);
    if (isObject(payload.data)) relationships(payload.data);
    if (Array.isArray(payload.included)) {
      for (const item of payload.included) {
        add(refOf(item));
        if (isObject(item)) relationships(item);
      }
    }
  }
  return { subject, all: [...found.values()] };
}

/** `"id": "<value>"` anywhere in JSON text (the value may hold escapes). */
const ID_MEMBER = /"id"\s*:\s*"((?:[^"\\]|\\.)*)"/g;
/**
 * Whether the text holds an escaped `i` or `d` (`\u0069`, `\u0064`): a key spelled `"\u0069d"` is still `id`,
 * and the scan below would not see it. JSON spells escapes with a lowercase `u` and these two with digits only,
 * so a plain substring search finds every one (faster than a regular expression over the whole text).
 */
function hasEscapedIdLetter(text: string): boolean {
  for (let at = text.indexOf('\\u006'); at !== -1; at = text.indexOf('\\u006', at + 1)) {
    const digit = text.charCodeAt(at + 5);
    if (digit === 0x34 /* 4 */ || digit === 0x39 /* 9 */) return true;
  }
  return false;
}

/**
 * Every string value of an `id` member anywhere in an envelope's JSON text, without parsing it: a superset of
 * the ids {@link eventReferences} finds (each of those is an `id` member with a string value), less any id
 * holding U+0000, which no tombstone can match. An id may be named more than once. Null when the
 * text spells a key with escapes this scan does not decode; parse it then. Lets a store check tombstones
 * without building the whole object tree for every delivery.
 *
 * When the receiver's envelope scan has just read this very text, its ids are taken from that scan (the same
 * ids, in order, an id named twice listed twice: a plain text has no escapes, so each `"id"` there is a key);
 * otherwise one pass of a regular expression finds them, each once.
 *
 * @example
 * ```ts
 * candidateObjectIds('{"data":{"id":"evt_1","attributes":{"payload":{"data":{"id":"inq_1"}}}}}') // ['evt_1', 'inq_1']
 * ```
 */
export function candidateObjectIds(text: string): string[] | null {
  const scanned = takeScannedIds(text);
  if (scanned !== undefined) return scanned;
  if (hasEscapedIdLetter(text)) return null;
  const ids = new Set<string>();
  // An id holding U+0000 is left out: no tombstone holds one (addTombstones refuses it), and PostgreSQL cannot
  // bind it.
  ID_MEMBER.lastIndex = 0;
  for (let match = ID_MEMBER.exec(text); match !== null; match = ID_MEMBER.exec(text)) {
    const raw = match[1] as string;
    if (raw === '') continue;
    let id = raw;
    if (raw.includes('\\')) {
      try {
        id = JSON.parse(`"${raw}"`) as string;
      } catch {
        return null;
      }
    }
    if (!id.includes('\u0000')) ids.add(id);
  }
  return [...ids];
}

/** The created-at keys of an envelope, in each of Persona's key inflections. */
const CREATED_AT_KEYS = ['created-at', 'createdAt', 'created_at'] as const;

/**
 * The same envelope with everything personal removed: the event's id, name and created-at and the subject's
 * type and id stay (handlers and the dedupe record need them), attributes, relationships and `included` go.
 * Marked `"scrubbed": true`.
 *
 * @example
 * ```ts
 * scrubEnvelope(JSON.parse(body)) // '{"data":{"type":"event","id":"evt_1","attributes":{…,"payload":{"data":{"type":"inquiry","id":"inq_1","attributes":{}},"included":[]}}},"scrubbed":true}'
 * ```
 */
export function scrubEnvelope(envelope: unknown): string {
  const data = isObject(envelope) && isObject(envelope.data) ? envelope.data : {};
  const attributes = isObject(data.attributes) ? data.attributes : {};
  const payload = isObject(attributes.payload) ? attributes.payload : {};
  const subject = refOf(payload.data);
  const kept: Record<string, unknown> = { name: attributes.name };
  for (const key of CREATED_AT_KEYS) if (typeof attributes[key] === 'string') kept[key] = attributes[key];
  kept.payload = {
    data: subject === null ? null : { type: subject.type, id: subject.id, attributes: {} },
    included: [],
  };
  return JSON.stringify({ data: { type: 'event', id: data.id, attributes: kept }, scrubbed: true });
}

/**
 * Whether a stored body is one `scrubEnvelope` produced.
 *
 * @example
 * ```ts
 * isScrubbed(scrubEnvelope(envelope)) // true
 * ```
 */
export function isScrubbed(body: string): boolean {
  return body.endsWith(',"scrubbed":true}');
}
