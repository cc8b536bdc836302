import { type ApiVersion, fieldKeysVerbatim, type KeyInflection } from '../events/api-versions.js';

function words(key: string): string[] {
  if (/[-_]/.test(key)) return key.split(/[-_]/).filter((w) => w !== '');
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(' ');
}

/**
 * Spells one key in a Persona key inflection: `created-at` → `createdAt` (camel) or `created_at` (snake).
 * Accepts a key in any of the three inflections.
 *
 * @example
 * ```ts
 * inflectKey('address-street-1', 'snake') // 'address_street_1'
 * inflectKey('reference-id', 'camel')     // 'referenceId'
 * ```
 */
export function inflectKey(key: string, inflection: KeyInflection): string {
  const parts = words(key);
  if (parts.length <= 1) return key;
  if (inflection === 'kebab') return parts.join('-');
  if (inflection === 'snake') return parts.join('_');
  return parts.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('');
}

/** Options of `inflectKeys`. */
export interface InflectKeysOptions {
  /**
   * The webhook's API version: from 2025-10-27 on, Persona leaves the keys inside `fields` as they are.
   * Without it, every key is converted (as for the older versions).
   */
  apiVersion?: ApiVersion | (string & {});
}

/**
 * Converts every object key in `value`, recursively (arrays included), as Persona does for a webhook
 * whose `api-key-inflection` is camel or snake. String values, such as `verification/government-id`, are
 * untouched; so are the keys inside `fields` when `apiVersion` is 2025-10-27 or later.
 *
 * @example
 * ```ts
 * inflectKeys({ 'created-at': '…', fields: { 'name-first': { type: 'string', value: 'Jane' } } }, 'camel')
 * // { createdAt: '…', fields: { nameFirst: { type: 'string', value: 'Jane' } } }
 * inflectKeys({ 'created-at': '…', fields: { name_first: { type: 'string', value: 'Jane' } } }, 'camel', {
 *   apiVersion: '2025-12-08',
 * })
 * // { createdAt: '…', fields: { name_first: { type: 'string', value: 'Jane' } } }
 * ```
 */
export function inflectKeys<T>(value: T, inflection: KeyInflection, options: InflectKeysOptions = {}): T {
  const verbatimFields = options.apiVersion !== undefined && fieldKeysVerbatim(options.apiVersion);
  const convert = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(convert);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(node)) {
      out[inflectKey(key, inflection)] = verbatimFields && key === 'fields' ? v : convert(v);
    }
    return out;
  };
  return convert(value) as T;
}
