// The four envelope fields the store needs (id, name, created-at, the resource id), read from a body either
// by the validating scan (no object tree) or from a fully parsed event.
import { scanEnvelope } from './envelope-scan.js';
import { type PersonaEvent, parseEvent } from './parse.js';

/** The fields the ack path needs, read from a verified body. */
export interface EnvelopeFacts {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly resourceId: string | null;
}

/**
 * The facts the store needs from a parsed event: id, name, `created-at` and the resource id
 * (`payload.data.id`, for per-resource order).
 *
 * @example
 * ```ts
 * readEnvelopeFacts(parseEvent(body))
 * // { id: 'evt_1', name: 'inquiry.approved', createdAt: Date, resourceId: 'inq_1' }
 * ```
 */
export function readEnvelopeFacts(event: PersonaEvent): EnvelopeFacts {
  const data = event.payload.data as unknown;
  const resourceId =
    data !== null && typeof data === 'object' && typeof (data as { id?: unknown }).id === 'string'
      ? (data as { id: string }).id
      : null;
  return { id: event.id, name: event.name, createdAt: event.createdAt, resourceId };
}

/**
 * Reads the envelope facts of a body: the validating scan when it can answer (measured in
 * bench/processing.bench.ts), else the full parse, which also gives the exact error for a bad body.
 *
 * @throws WebhookVerificationError `invalid_json` or `invalid_event`
 * @example
 * ```ts
 * const { facts, event } = readEnvelope(text) // event is set only when the full parse ran
 * ```
 */
export function readEnvelope(text: string): { facts: EnvelopeFacts; event: PersonaEvent | undefined } {
  const scanned = scanEnvelope(text);
  if (scanned !== undefined) return { facts: scanned, event: undefined };
  const event = parseEvent(text);
  return { facts: readEnvelopeFacts(event), event };
}
