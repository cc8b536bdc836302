import type { KeyInflection } from '../events/parse.js';

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

/**
 * Converts every object key in `value`, recursively (arrays included), as Persona does for a webhook
 * whose `api-key-inflection` is camel or snake. String values, such as `verification/government-id`, are untouched.
 *
 * @example
 * ```ts
 * inflectKeys({ 'created-at': '…', fields: { 'name-first': { type: 'string', value: 'Jane' } } }, 'camel')
 * // { createdAt: '…', fields: { nameFirst: { type: 'string', value: 'Jane' } } }
 * ```
 */
export function inflectKeys<T>(value: T, inflection: KeyInflection): T {
  if (Array.isArray(value)) return value.map((v: unknown) => inflectKeys(v, inflection)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[inflectKey(key, inflection)] = inflectKeys(v, inflection);
  return out as T;
}
