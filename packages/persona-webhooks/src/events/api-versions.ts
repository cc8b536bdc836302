// Which Persona API version and key inflection the event types describe. Each webhook is pinned to one API
// version and one key inflection (Persona's dashboard, or the Webhooks API's `api-version` and
// `api-key-inflection`); the payload's shape follows both.

/** The Persona API versions this package has types and samples for, newest first. */
export const API_VERSIONS = ['2025-12-08', '2023-01-05'] as const;

/** A Persona API version this package has types and samples for. */
export type ApiVersion = (typeof API_VERSIONS)[number];

/** The version types and samples describe unless told otherwise: the newest. */
export const DEFAULT_API_VERSION = '2025-12-08' satisfies ApiVersion;

/** How the webhook spells its keys: Persona lets each webhook choose (`api-key-inflection`). */
export type KeyInflection = 'kebab' | 'camel' | 'snake';

/**
 * Declares, once for the whole program, the API version and key inflection of your Persona webhook: every
 * `PersonaEvent`, handler and resource type then describes that shape. Without it: `2025-12-08`, `kebab`.
 *
 * @example
 * ```ts
 * // persona-webhooks.d.ts (any file the compiler sees)
 * declare module 'persona-webhooks' {
 *   interface Register {
 *     apiVersion: '2023-01-05'
 *     inflection: 'camel'
 *   }
 * }
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the user's module augmentation.
export interface Register {}

/** The API version declared in `Register`, or the default. */
export type RegisteredApiVersion = Register extends { apiVersion: infer V extends ApiVersion }
  ? V
  : typeof DEFAULT_API_VERSION;

/** The key inflection declared in `Register`, or `kebab` (Persona's default). */
export type RegisteredInflection = Register extends { inflection: infer I extends KeyInflection } ? I : 'kebab';

/**
 * Whether Persona leaves the keys inside `fields` as they are (no re-casing): from API version 2025-10-27 on.
 *
 * @example
 * ```ts
 * fieldKeysVerbatim('2025-12-08') // true: `fields.name_first` stays `name_first` in a camel webhook
 * fieldKeysVerbatim('2023-01-05') // false: `fields['name-first']` becomes `fields.nameFirst`
 * ```
 */
export function fieldKeysVerbatim(apiVersion: string): boolean {
  return apiVersion >= '2025-10-27';
}

/** The type-level twin of `fieldKeysVerbatim`. */
export type FieldKeysVerbatim<V extends ApiVersion> = V extends '2023-01-05' ? false : true;

/**
 * Whether `value` is an API version this package has types and samples for.
 *
 * @example
 * ```ts
 * isApiVersion('2023-01-05') // true
 * isApiVersion('2021-07-05') // false
 * ```
 */
export function isApiVersion(value: unknown): value is ApiVersion {
  return (API_VERSIONS as readonly unknown[]).includes(value);
}
