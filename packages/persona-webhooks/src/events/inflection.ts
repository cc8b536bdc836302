// Key inflection at the type level: the generated types are written with the spec's kebab-case keys, and a
// camel or snake webhook gets the same types with every key re-cased, as Persona re-cases them (except inside
// `fields` from API version 2025-10-27 on). The run-time twin is `inflectKeys` in persona-webhooks/testing.
import type { ApiVersion, FieldKeysVerbatim, KeyInflection } from './api-versions.js';

type Camel<S extends string> = S extends `${infer H}-${infer T}`
  ? `${H}${Capitalize<Camel<T>>}`
  : S extends `${infer H}_${infer T}`
    ? `${H}${Capitalize<Camel<T>>}`
    : S;

type Snake<S extends string> = S extends `${infer H}-${infer T}` ? `${H}_${Snake<T>}` : S;

/**
 * One kebab-case key spelled in an inflection: `created-at` → `createdAt` (camel) or `created_at` (snake).
 *
 * @example
 * ```ts
 * type K = InflectKey<'address-street-1', 'camel'> // 'addressStreet1'
 * ```
 */
export type InflectKey<K extends string, I extends KeyInflection> = I extends 'camel'
  ? Camel<K>
  : I extends 'snake'
    ? Snake<K>
    : K;

type InflectDeep<T, I extends KeyInflection, F extends boolean> = T extends readonly (infer E)[]
  ? readonly InflectDeep<E, I, F>[]
  : T extends object
    ? {
        readonly [K in keyof T as K extends string ? InflectKey<K, I> : K]: K extends 'fields'
          ? F extends true
            ? T[K]
            : InflectDeep<T[K], I, F>
          : InflectDeep<T[K], I, F>;
      }
    : T;

/**
 * A kebab-case type as a webhook with inflection `I` at API version `V` receives it: every key re-cased,
 * except the keys inside `fields` from 2025-10-27 on (Persona leaves those as the template defines them).
 *
 * @example
 * ```ts
 * type A = Inflected<{ 'created-at': string; fields: { name_first: string } }, 'camel', '2025-12-08'>
 * // { createdAt: string; fields: { name_first: string } }
 * ```
 */
export type Inflected<T, I extends KeyInflection, V extends ApiVersion> = I extends 'kebab'
  ? T
  : InflectDeep<T, I, FieldKeysVerbatim<V>>;
