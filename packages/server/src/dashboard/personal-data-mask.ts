// Masks personal data in a Persona payload before an operator sees it. One place, so that the CLI, the
// dashboard and any later surface can share the same rules.
//
// Which keys are personal: Persona's own redaction list (name-*, address-*, birthdate, email-address,
// phone-number, identification-number, social-security-number, the matching `fields` entries, note), plus
// what identifies a person or grants access to their documents: photo/video/pictograph URLs (they carry
// access tokens), IP addresses and geolocation. Keys are compared without case, '-' or '_', so the kebab,
// camel and snake inflections all match. Every value under `fields` is masked: since 2025-10-27 the personal
// data lives there, under keys Persona does not re-case.

/** What a masked leaf is replaced with. */
export const MASKED = '•••• masked';

const PERSONAL_KEY_PATTERNS: readonly RegExp[] = [
  /^name.+/, // name-first, name-last, name-full, … (not `name`: the event name)
  /^address/,
  /^(birthdate|dateofbirth|dob)$/,
  /^(emailaddress|email)$/,
  /^(phonenumber|phone)$/,
  /^(identificationnumber|socialsecuritynumber|ssn|idnumber)$/,
  /^note$/,
  /(photo|pictograph|image|video|portrait)/, // document and selfie photos, their URLs and face coordinates
  /^(ipaddress|ip|latitude|longitude|geolocation|devicefingerprint)$/,
  /^fields$/,
];

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/**
 * True for a payload key whose value is personal data.
 *
 * @example
 * ```ts
 * isPersonalKey('name-first') // true
 * isPersonalKey('name')       // false (the event name)
 * ```
 */
export function isPersonalKey(key: string): boolean {
  const k = normalizeKey(key);
  return PERSONAL_KEY_PATTERNS.some((pattern) => pattern.test(k));
}

function maskAll(value: unknown): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(maskAll);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, maskAll(v)]));
  }
  return MASKED;
}

/**
 * Returns a copy of a parsed payload with every personal value replaced by {@link MASKED}. Keys, nulls and
 * the shape stay, so an operator still sees which fields were present.
 *
 * @example
 * ```ts
 * maskPersonalData({ 'name-first': 'Jane', status: 'approved' })
 * // { 'name-first': '•••• masked', status: 'approved' }
 * ```
 */
export function maskPersonalData(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(maskPersonalData);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    out[key] = isPersonalKey(key) ? maskAll(child) : maskPersonalData(child);
  }
  return out;
}
