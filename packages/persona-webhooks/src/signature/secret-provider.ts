// The seam between a receiver and where its secrets come from: fixed in the configuration, a file reloaded on
// SIGHUP, or Persona's Webhooks API (persona-webhooks/api createWebhookSecretSource).

/**
 * Secrets that can change while a receiver runs. The receiver asks for them on every delivery, so
 * `secrets()` must be synchronous and cheap (return a kept list; fetch in the background).
 *
 * @example
 * ```ts
 * let current = ['wbhsec_a']
 * const provider: SecretProvider = { secrets: () => current }
 * const receiver = createWebhookReceiver({ secret: provider, store })
 * current = ['wbhsec_b', 'wbhsec_a'] // the next delivery is verified against both
 * ```
 */
export interface SecretProvider {
  /** The secrets valid now, several during a rotation. An empty list answers 500 `no_secret` (Persona retries). */
  secrets(): readonly string[];
  /** Called (without waiting) when a delivery matched none of them: a chance to look for a new secret. */
  onMismatch?(): void;
}

/**
 * Whether a `secret` option is a {@link SecretProvider} rather than a string or a list of strings.
 *
 * @example
 * ```ts
 * isSecretProvider({ secrets: () => ['wbhsec_a'] }) // true
 * isSecretProvider('wbhsec_a')                       // false
 * ```
 */
export function isSecretProvider(value: unknown): value is SecretProvider {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    typeof (value as SecretProvider).secrets === 'function'
  );
}
