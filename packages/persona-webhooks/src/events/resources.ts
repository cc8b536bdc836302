// Types of the objects Persona puts in an event's `payload`, for the kebab-case default inflection.
// Persona may add types, attributes and status values without a new API version
// (https://docs.withpersona.com/versioning), so every union here stays open to other strings.

/**
 * A known string literal union that still accepts any other string, while keeping editor completion.
 *
 * @example
 * ```ts
 * const status: Open<'approved' | 'declined'> = 'some_future_status' // compiles
 * ```
 */
export type Open<T extends string> = T | (string & {});

/**
 * Attributes Persona did not document (or added later) are still readable, as `unknown`.
 *
 * @example
 * ```ts
 * const attrs: OpenAttributes = { 'new-attribute': 1 }
 * ```
 */
export interface OpenAttributes {
  readonly [key: string]: unknown;
}

/**
 * A JSON:API resource identifier, as found in `relationships`.
 *
 * @example
 * ```ts
 * const ref: ResourceIdentifier = { type: 'account', id: 'act_ZgyPdXHbHrT2SkPdgvH4CKWm' }
 * ```
 */
export interface ResourceIdentifier<T extends string = string> {
  readonly type: T;
  readonly id: string;
}

/**
 * One relationship of a resource: a single identifier, a list, or `null`.
 *
 * @example
 * ```ts
 * const account: Relationship = { data: { type: 'account', id: 'act_ZgyPdXHbHrT2SkPdgvH4CKWm' } }
 * ```
 */
export interface Relationship {
  readonly data: ResourceIdentifier | readonly ResourceIdentifier[] | null;
}

/**
 * A JSON:API resource object as Persona sends it. The generic resource: any `type`, open attributes.
 *
 * @example
 * ```ts
 * const resource: PersonaResource = event.payload.data
 * console.log(resource.type, resource.id)
 * ```
 */
export interface PersonaResource<T extends string = string, A extends OpenAttributes = OpenAttributes> {
  readonly type: T;
  readonly id: string;
  readonly attributes: A;
  readonly relationships?: Readonly<Record<string, Relationship | undefined>>;
}

/**
 * Alias of the untyped resource, for events whose family has no dedicated type.
 *
 * @example
 * ```ts
 * const run: GenericResource = event.payload.data // e.g. a `workflow-run`
 * ```
 */
export type GenericResource = PersonaResource;

/**
 * An ISO 8601 date-time string, e.g. `2026-01-15T12:00:00.000Z` (or `null` when not reached yet).
 *
 * @example
 * ```ts
 * const at: IsoDateTime = '2026-01-15T12:00:00.000Z'
 * ```
 */
export type IsoDateTime = string;

/**
 * An inquiry field: `{ type, value }` keyed by the field name (`name-first`, `birthdate`, …).
 *
 * @example
 * ```ts
 * const field: InquiryField = { type: 'string', value: 'Jane' }
 * ```
 */
export interface InquiryField {
  readonly type: Open<'string' | 'date' | 'boolean' | 'integer' | 'float' | 'hash' | 'array' | 'choices'>;
  readonly value: unknown;
}

/**
 * Inquiry statuses Persona documents. `needs_review` follows `inquiry.marked-for-review`.
 * A redacted inquiry keeps its status: look at `redacted-at`.
 *
 * @example
 * ```ts
 * if (inquiry.attributes.status === 'approved') grantAccess()
 * ```
 */
export type InquiryStatus = Open<
  'created' | 'pending' | 'completed' | 'failed' | 'expired' | 'needs_review' | 'approved' | 'declined'
>;

/**
 * Attributes of an inquiry (kebab-case). PII attributes are `null` after redaction.
 *
 * @example
 * ```ts
 * const { status, 'reference-id': referenceId } = inquiry.attributes
 * ```
 */
export interface InquiryAttributes extends OpenAttributes {
  readonly status: InquiryStatus;
  readonly 'reference-id'?: string | null;
  readonly note?: string | null;
  readonly tags?: readonly string[];
  readonly fields?: Readonly<Record<string, InquiryField | undefined>>;
  readonly behaviors?: Readonly<Record<string, unknown>> | null;
  readonly creator?: string | null;
  readonly 'reviewer-comment'?: string | null;
  readonly 'created-at'?: IsoDateTime;
  readonly 'updated-at'?: IsoDateTime | null;
  readonly 'started-at'?: IsoDateTime | null;
  readonly 'expires-at'?: IsoDateTime | null;
  readonly 'completed-at'?: IsoDateTime | null;
  readonly 'failed-at'?: IsoDateTime | null;
  readonly 'marked-for-review-at'?: IsoDateTime | null;
  readonly 'decisioned-at'?: IsoDateTime | null;
  readonly 'expired-at'?: IsoDateTime | null;
  readonly 'redacted-at'?: IsoDateTime | null;
  readonly 'previous-step-name'?: string | null;
  readonly 'next-step-name'?: string | null;
}

/**
 * An inquiry (`inq_…`): the payload of every `inquiry.*` event.
 *
 * @example
 * ```ts
 * const inquiry: Inquiry = event.payload.data // event: PersonaEvent<'inquiry.approved'>
 * ```
 */
export type Inquiry = PersonaResource<'inquiry', InquiryAttributes>;

/**
 * Verification statuses. `requires_retry` is deprecated by Persona but still seen.
 *
 * @example
 * ```ts
 * const done = (['passed', 'failed'] as VerificationStatus[]).includes(verification.attributes.status)
 * ```
 */
export type VerificationStatus = Open<
  'initiated' | 'confirmed' | 'submitted' | 'passed' | 'failed' | 'requires_retry' | 'canceled' | 'skipped'
>;

/**
 * Attributes of a verification (kebab-case).
 *
 * @example
 * ```ts
 * const country = verification.attributes['country-code']
 * ```
 */
export interface VerificationAttributes extends OpenAttributes {
  readonly status: VerificationStatus;
  readonly 'created-at'?: IsoDateTime;
  readonly 'created-at-ts'?: number;
  readonly 'submitted-at'?: IsoDateTime | null;
  readonly 'submitted-at-ts'?: number | null;
  readonly 'completed-at'?: IsoDateTime | null;
  readonly 'completed-at-ts'?: number | null;
  readonly 'redacted-at'?: IsoDateTime | null;
  readonly 'country-code'?: string | null;
  readonly checks?: readonly VerificationCheck[];
}

/**
 * One check inside a verification (`id_barcode_detection`, `selfie_liveness_detection`, …).
 *
 * @example
 * ```ts
 * const failed = verification.attributes.checks?.filter((c) => c.status === 'failed')
 * ```
 */
export interface VerificationCheck {
  readonly name: string;
  readonly status: Open<'passed' | 'failed' | 'not_applicable'>;
  readonly reasons?: readonly string[];
  readonly requirement?: Open<'required' | 'not_required'>;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/**
 * The kinds of verification commonly seen (`verification/<kind>`); others pass through.
 *
 * @example
 * ```ts
 * const kind: VerificationKind = 'government-id'
 * ```
 */
export type VerificationKind = Open<
  | 'government-id'
  | 'selfie'
  | 'database'
  | 'document'
  | 'phone-number'
  | 'email-address'
  | 'aamva'
  | 'database-standard'
  | 'driver-license'
>;

/**
 * A verification (`ver_…`, type `verification/<kind>`): the payload of every `verification.*` event.
 *
 * @example
 * ```ts
 * if (verification.type === 'verification/government-id') { ... }
 * ```
 */
export type Verification = PersonaResource<`verification/${VerificationKind}`, VerificationAttributes>;

/**
 * Report statuses. Some report types also pass through `submitted`.
 *
 * @example
 * ```ts
 * if (report.attributes.status === 'ready' && report.attributes['has-match']) review(report)
 * ```
 */
export type ReportStatus = Open<'pending' | 'ready' | 'errored' | 'submitted'>;

/**
 * Attributes of a report (kebab-case).
 *
 * @example
 * ```ts
 * const recurring = report.attributes['is-continuous']
 * ```
 */
export interface ReportAttributes extends OpenAttributes {
  readonly status: ReportStatus;
  readonly 'has-match'?: boolean | null;
  readonly 'is-continuous'?: boolean | null;
  readonly tags?: readonly string[];
  readonly 'created-at'?: IsoDateTime;
  readonly 'completed-at'?: IsoDateTime | null;
  readonly 'redacted-at'?: IsoDateTime | null;
}

/**
 * A report (`rep_…`, type `report/<kind>`, e.g. `report/watchlist`): the payload of every `report/*` event.
 *
 * @example
 * ```ts
 * if (report.type === 'report/watchlist' && report.attributes['has-match']) escalate(report.id)
 * ```
 */
export type Report = PersonaResource<`report/${string}`, ReportAttributes>;

/**
 * Case statuses: customisable per case template; these are the defaults.
 *
 * @example
 * ```ts
 * const status: CaseStatus = 'open'
 * ```
 */
export type CaseStatus = Open<'open' | 'pending' | 'approved' | 'declined' | 'resolved' | 'closed'>;

/**
 * Attributes of a case (kebab-case).
 *
 * @example
 * ```ts
 * const assignee = kase.attributes['assignee-id']
 * ```
 */
export interface CaseAttributes extends OpenAttributes {
  readonly status: CaseStatus;
  readonly name?: string | null;
  readonly resolution?: string | null;
  readonly tags?: readonly string[];
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly 'assignee-id'?: string | null;
  readonly 'creator-id'?: string | null;
  readonly 'created-at'?: IsoDateTime;
  readonly 'updated-at'?: IsoDateTime | null;
  readonly 'assigned-at'?: IsoDateTime | null;
  readonly 'resolved-at'?: IsoDateTime | null;
  readonly 'sla-expires-at'?: IsoDateTime | null;
  readonly 'redacted-at'?: IsoDateTime | null;
}

/**
 * A case (`case_…`): the payload of every `case.*` event.
 *
 * @example
 * ```ts
 * const kase: Case = event.payload.data // event: PersonaEvent<'case.resolved'>
 * ```
 */
export type Case = PersonaResource<'case', CaseAttributes>;

/**
 * Attributes of an account (kebab-case). Account status values are not documented in depth: open string.
 *
 * @example
 * ```ts
 * const refId = account.attributes['reference-id']
 * ```
 */
export interface AccountAttributes extends OpenAttributes {
  readonly 'reference-id'?: string | null;
  readonly 'account-type-name'?: string | null;
  readonly 'account-status'?: string | null;
  readonly tags?: readonly string[];
  readonly fields?: Readonly<Record<string, InquiryField | undefined>>;
  readonly 'created-at'?: IsoDateTime;
  readonly 'updated-at'?: IsoDateTime | null;
  readonly 'redacted-at'?: IsoDateTime | null;
}

/**
 * An account (`act_…`): the payload of every `account.*` event.
 *
 * @example
 * ```ts
 * const account: Account = event.payload.data // event: PersonaEvent<'account.created'>
 * ```
 */
export type Account = PersonaResource<'account', AccountAttributes>;

/**
 * Attributes of a transaction (kebab-case). Transaction statuses are custom per organisation.
 *
 * @example
 * ```ts
 * const status = transaction.attributes.status
 * ```
 */
export interface TransactionAttributes extends OpenAttributes {
  readonly status: string;
  readonly 'reference-id'?: string | null;
  readonly tags?: readonly string[];
  readonly fields?: Readonly<Record<string, InquiryField | undefined>>;
  readonly 'created-at'?: IsoDateTime;
  readonly 'updated-at'?: IsoDateTime | null;
  readonly 'redacted-at'?: IsoDateTime | null;
}

/**
 * A transaction (`txn_…`): the payload of every `transaction.*` event.
 *
 * @example
 * ```ts
 * const txn: Transaction = event.payload.data // event: PersonaEvent<'transaction.status-updated'>
 * ```
 */
export type Transaction = PersonaResource<'transaction', TransactionAttributes>;

/**
 * The resource an event of name `N` carries, by the name's family (the text before the first dot).
 * Other names give the generic resource; a union of names gives the union of their resources.
 * `inquiry-session.*` is not an inquiry event.
 *
 * @example
 * ```ts
 * type A = ResourceForEvent<'inquiry.approved'> // Inquiry
 * type B = ResourceForEvent<'report/watchlist.matched'> // Report
 * type C = ResourceForEvent<'workflow-run.completed'> // PersonaResource
 * ```
 */
// Distributive on purpose, with `N` always in the checked position: that keeps `PersonaEvent<'inquiry.approved'>`
// assignable to the wide `PersonaEvent` (a `string extends N` guard would make TypeScript treat N as invariant).
export type ResourceForEvent<N extends string> = N extends `inquiry.${string}`
  ? Inquiry
  : N extends `verification.${string}`
    ? Verification
    : N extends `report/${string}`
      ? Report
      : N extends `case.${string}`
        ? Case
        : N extends `account.${string}`
          ? Account
          : N extends `transaction.${string}`
            ? Transaction
            : PersonaResource;

/**
 * The `payload` of an event named `N`: the resource (`data`) and its related objects (`included`).
 * Typed for the kebab-case default; with camel or snake inflection the keys differ at run time.
 *
 * @example
 * ```ts
 * const payload: EventPayload<'inquiry.approved'> = event.payload
 * payload.data.attributes.status // InquiryStatus
 * ```
 */
export interface EventPayload<N extends string = string> {
  readonly data: ResourceForEvent<N>;
  readonly included: readonly PersonaResource[];
}
