// Event name → payload and context types, per API version and key inflection, from the generated types.
import type { ApiVersion, KeyInflection, RegisteredApiVersion, RegisteredInflection } from './api-versions.js';
import type * as V20230105 from './generated/v2023-01-05.js';
import type * as V20251208 from './generated/v2025-12-08.js';
import type { Inflected } from './inflection.js';
import type { PersonaResource } from './resource-types.js';

/** The generated modules, by API version. */
interface Versions {
  '2025-12-08': { readonly events: V20251208.Events; readonly resources: V20251208.Resources };
  '2023-01-05': { readonly events: V20230105.Events; readonly resources: V20230105.Resources };
}

type EventsOf<V extends ApiVersion> = Versions[V]['events'];

/** Context Persona's changelog (2026-03-30) names differently from the spec: both spellings may arrive. */
interface RelationContextAliases {
  readonly 'related-account-id'?: string | null;
  readonly 'related-txn-id'?: string | null;
}

/** A `context` the spec does not describe: Persona may still send one, and add keys to those it describes. */
type OpenContext = Readonly<Record<string, unknown>>;

type KebabContext<N extends string, V extends ApiVersion> = N extends keyof EventsOf<V>
  ? EventsOf<V>[N] extends { readonly context: infer C }
    ? [C] extends [undefined]
      ? OpenContext
      : N extends `${string}.${'added' | 'removed'}-relation`
        ? C & RelationContextAliases & OpenContext
        : C & OpenContext
    : OpenContext
  : OpenContext;

/**
 * A Persona resource by its schema name, at an API version and key inflection (defaults: those in `Register`).
 *
 * @example
 * ```ts
 * type OldInquiry = PersonaResourceOf<'inquiry', '2023-01-05'>
 * const first: string | null | undefined = ({} as OldInquiry).attributes['name-first']
 * ```
 */
export type PersonaResourceOf<
  R extends keyof Versions[ApiVersion]['resources'],
  V extends ApiVersion = RegisteredApiVersion,
  I extends KeyInflection = RegisteredInflection,
> = Inflected<Versions[V]['resources'][R], I, V>;

/**
 * An inquiry (`inquiry.*` events). From 2025-10-27 on, personal data is only in `attributes.fields`.
 *
 * @example
 * ```ts
 * const inquiry: Inquiry = event.payload.data // in a handler of 'inquiry.approved'
 * ```
 */
export type Inquiry<
  V extends ApiVersion = RegisteredApiVersion,
  I extends KeyInflection = RegisteredInflection,
> = PersonaResourceOf<'inquiry', V, I>;
/**
 * An account (`account.*` events).
 *
 * @example
 * ```ts
 * const account: Account = event.payload.data // in a handler of 'account.created'
 * ```
 */
export type Account<
  V extends ApiVersion = RegisteredApiVersion,
  I extends KeyInflection = RegisteredInflection,
> = PersonaResourceOf<'account', V, I>;
/**
 * A verification of any kind (`verification.*` events); `type` says which (`verification/government-id`, …).
 *
 * @example
 * ```ts
 * const verification: Verification = event.payload.data // in a handler of 'verification.passed'
 * ```
 */
export type Verification<
  V extends ApiVersion = RegisteredApiVersion,
  I extends KeyInflection = RegisteredInflection,
> = PersonaResourceOf<'verification', V, I>;
/**
 * A report of one of the kinds the spec describes (`report/*` events).
 *
 * @example
 * ```ts
 * const report: Report = event.payload.data // in a handler of 'report/watchlist.matched'
 * ```
 */
export type Report<
  V extends ApiVersion = RegisteredApiVersion,
  I extends KeyInflection = RegisteredInflection,
> = PersonaResourceOf<'report', V, I>;
/**
 * A case (`case.*` events). Its status is a string the case template defines (`Open`, `Approved`, …).
 *
 * @example
 * ```ts
 * const kase: Case = event.payload.data // in a handler of 'case.resolved'
 * ```
 */
export type Case<
  V extends ApiVersion = RegisteredApiVersion,
  I extends KeyInflection = RegisteredInflection,
> = PersonaResourceOf<'case', V, I>;
/**
 * A transaction (`transaction.*` events).
 *
 * @example
 * ```ts
 * const txn: Transaction = event.payload.data // in a handler of 'transaction.status-updated'
 * ```
 */
export type Transaction<
  V extends ApiVersion = RegisteredApiVersion,
  I extends KeyInflection = RegisteredInflection,
> = PersonaResourceOf<'transaction', V, I>;

/**
 * Inquiry statuses (open to values Persona adds later). A redacted inquiry keeps its status: see `redacted-at`.
 *
 * @example
 * ```ts
 * const status: InquiryStatus = 'approved'
 * ```
 */
export type InquiryStatus = V20251208.Inquiry['attributes']['status'];

/**
 * The object in `payload.data` of an event named `N`, at API version `V` with key inflection `I`. Unknown names
 * give the generic resource.
 *
 * @example
 * ```ts
 * type A = ResourceForEvent<'inquiry.approved'> // Inquiry (of the registered version)
 * type B = ResourceForEvent<'report/middesk.ready', '2023-01-05'> // a resource of type 'report/middesk'
 * type C = ResourceForEvent<'widget.exploded'> // PersonaResource
 * ```
 */
// Distributive on purpose, with `N` always in the checked position: that keeps `PersonaEvent<'inquiry.approved'>`
// assignable to the wide `PersonaEvent` (a `string extends N` guard would make TypeScript treat N as invariant).
export type ResourceForEvent<
  N extends string,
  V extends ApiVersion = RegisteredApiVersion,
  I extends KeyInflection = RegisteredInflection,
> = N extends keyof EventsOf<V>
  ? EventsOf<V>[N] extends { readonly data: infer D }
    ? Inflected<D, I, V>
    : PersonaResource
  : PersonaResource;

/**
 * The objects Persona may put in `payload.included` for an event named `N` (empty unless the webhook's
 * "included allowlist" asks for them).
 *
 * @example
 * ```ts
 * const related: IncludedForEvent<'inquiry.approved'> = event.payload.included
 * ```
 */
export type IncludedForEvent<
  N extends string,
  V extends ApiVersion = RegisteredApiVersion,
  I extends KeyInflection = RegisteredInflection,
> = N extends keyof EventsOf<V>
  ? EventsOf<V>[N] extends { readonly included: infer R }
    ? Inflected<R, I, V>
    : readonly PersonaResource[]
  : readonly PersonaResource[];

/**
 * The `context` of an event named `N`: what the spec describes (tags added and removed, the related object of
 * a relation event: `target-*-id`, or `related-*-id` as Persona's changelog spells it), or an open record.
 *
 * @example
 * ```ts
 * const context: EventContext<'inquiry.updated-tags'> | undefined = event.context
 * context?.['added-tags']
 * ```
 */
export type EventContext<
  N extends string,
  V extends ApiVersion = RegisteredApiVersion,
  I extends KeyInflection = RegisteredInflection,
> = Inflected<KebabContext<N, V>, I, V>;

/**
 * The `payload` of an event named `N`: the resource (`data`) and its related objects (`included`, often empty).
 *
 * @example
 * ```ts
 * const payload: EventPayload<'inquiry.approved'> = event.payload
 * payload.data.attributes.status // InquiryStatus
 * ```
 */
export interface EventPayload<
  N extends string = string,
  V extends ApiVersion = RegisteredApiVersion,
  I extends KeyInflection = RegisteredInflection,
> {
  readonly data: ResourceForEvent<N, V, I>;
  readonly included: IncludedForEvent<N, V, I>;
}
