// The building blocks of the types generated from Persona's spec (generated/*.ts): open strings, open
// attributes, the generic JSON:API resource. Persona may add types, attributes and status values without a new
// API version (https://docs.withpersona.com/versioning), so every union stays open to other strings.

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
