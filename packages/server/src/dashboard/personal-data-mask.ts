// The dashboard masks payloads with the library's rules (maskPersonalData: default-deny, so that the CLI, the
// dashboard and any later surface hide the same things), and marks what it hid in words a page reader can see.
import { maskPersonalData as maskWithLibraryRules } from 'persona-webhooks';

/** What a masked value is replaced with on the dashboard. */
export const MASKED = '•••• masked';

/**
 * Returns a copy of a parsed payload with every value that may be about a person replaced by {@link MASKED}
 * (see `maskPersonalData` in `persona-webhooks`). Keys, nulls and the shape stay.
 *
 * @example
 * ```ts
 * maskPersonalData({ 'name-first': 'Jane', status: 'approved' })
 * // { 'name-first': '•••• masked', status: 'approved' }
 * ```
 */
export function maskPersonalData(value: unknown): unknown {
  return maskWithLibraryRules(value, { mask: MASKED });
}
