import type { ApiVersion, KeyInflection, RegisteredApiVersion, RegisteredInflection } from './api-versions.js';
import type { EventName } from './names.js';
import type { PersonaEvent } from './parse.js';

/**
 * Any event with a known name, as a union discriminated by `name`: comparing `event.name` narrows the payload.
 * Use it where unknown names are impossible (or already routed elsewhere); otherwise use `isEvent`.
 *
 * @example
 * ```ts
 * function handle(event: KnownPersonaEvent) {
 *   if (event.name === 'inquiry.approved') event.payload.data.attributes.status // InquiryStatus
 * }
 * ```
 */
export type KnownPersonaEvent<
  V extends ApiVersion = RegisteredApiVersion,
  I extends KeyInflection = RegisteredInflection,
> = { [N in EventName]: PersonaEvent<N, V, I> }[EventName];

/**
 * Whether `event` has one of the given names; narrows its type (and its payload's) when it does.
 * Persona may send names this version does not know: they simply do not match.
 *
 * @example
 * ```ts
 * const event = await verifyWebhook({ body, header, secret })
 * if (isEvent(event, 'inquiry.approved', 'inquiry.declined')) {
 *   event.payload.data.attributes['decisioned-at'] // typed: the payload is an Inquiry
 * }
 * ```
 */
export function isEvent<N extends EventName | (string & {})>(
  event: PersonaEvent,
  ...names: readonly N[]
): event is PersonaEvent<N> {
  return names.includes(event.name as N);
}
