// Masking of the personal fields Persona sends, for operator surfaces (CLI, dashboard): the shape of a payload
// stays visible, the values do not.

/** Field names (compared without case, `-` or `_`, so every key inflection matches) whose values are personal. */
const PERSONAL_KEYS = new Set(
  [
    'name-first',
    'name-middle',
    'name-last',
    'name-suffix',
    'name',
    'birthdate',
    'email-address',
    'email',
    'phone-number',
    'phone',
    'identification-number',
    'social-security-number',
    'ssn',
    'tin',
    'card-access-number',
    'address-street-1',
    'address-street-2',
    'address-city',
    'address-subdivision',
    'address-postal-code',
    'address',
    'note',
    'ip-address',
    'device-fingerprint',
    'latitude',
    'longitude',
    'front-photo',
    'back-photo',
    'selfie-photo',
    'left-photo',
    'center-photo',
    'right-photo',
    'photo-urls',
    'document-files',
    'files',
    'url',
    'signed-url',
    'value',
  ].map((k) => k.replace(/[-_]/g, '')),
);

/** What a masked value is replaced with. */
export const MASK = '•••';

function normal(key: string): string {
  return key.replace(/[-_]/g, '').toLowerCase();
}

/**
 * A copy of a parsed payload with the values of known personal fields replaced by `•••` (at any depth,
 * `fields` entries included). The event's own `name` (`data.attributes.name`) is an event name, not a person's,
 * and stays.
 *
 * @example
 * ```ts
 * maskPersonalData({ 'name-first': 'Jane', status: 'approved' }) // { 'name-first': '•••', status: 'approved' }
 * ```
 */
export function maskPersonalData(value: unknown, path: readonly string[] = []): unknown {
  if (Array.isArray(value)) return value.map((v) => maskPersonalData(v, path));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const isEventName = key === 'name' && path.length === 2 && path[0] === 'data' && path[1] === 'attributes';
    // A `fields` entry ({ type, value }) named like a personal field is masked whole.
    out[key] =
      !isEventName && PERSONAL_KEYS.has(normal(key)) && v !== null && v !== undefined
        ? MASK
        : maskPersonalData(v, [...path, key]);
  }
  return out;
}
