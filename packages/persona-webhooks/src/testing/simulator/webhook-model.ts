// The simulator's webhooks: one record per `wbh_…`, with the attributes Persona's Webhooks API exposes, so that a
// Webhooks API can serve them and the delivery engine signs and filters with them.
import type { KeyInflection } from '../../events/parse.js';

/** One secret of a webhook; `expiresAt` is set on the old secret while a rotation is in progress. */
export interface SimulatedSecret {
  readonly value: string;
  readonly expiresAt: Date | null;
}

/** A webhook as the simulator keeps it (Persona's attribute names, camel-cased). */
export interface SimulatedWebhook {
  readonly id: string;
  url: string;
  status: 'enabled' | 'disabled' | 'archived';
  /** Newest first. Deliveries are signed with every secret not yet expired. */
  secrets: SimulatedSecret[];
  /** Event names this webhook receives; `['*']` is all. */
  enabledEvents: readonly string[];
  apiVersion: string;
  apiKeyInflection: KeyInflection;
  readonly createdAt: Date;
  /** The Webhooks API's other settings, served and patched by webhooks-api.ts (not applied to deliveries). */
  settings?: SimulatedWebhookSettings;
}

/** Settings the simulator's Webhooks API stores as Persona's does, for `doctor` to read. */
export interface SimulatedWebhookSettings {
  name?: string | null;
  apiAttributesBlocklist?: readonly string[];
  includedAllowlist?: { readonly state: string } | null;
  relationshipAllowlist?: { readonly state: string } | null;
}

/** What `addWebhook` takes. */
export interface SimulatedWebhookInput {
  /** Where deliveries go. */
  readonly url: string;
  /** Default: a generated `wbhsec_…`. */
  readonly secret?: string;
  /** Default `['*']`. */
  readonly enabledEvents?: readonly string[];
  /** Default `2025-12-08`. */
  readonly apiVersion?: string;
  /** Default `kebab`. */
  readonly apiKeyInflection?: KeyInflection;
  /** Default `enabled` (Persona creates webhooks disabled; a simulator that delivers nothing by default helps no one). */
  readonly status?: 'enabled' | 'disabled';
  /** Default: Persona's defaults (no blocklist, included `include_none`, relationships `include_all`). */
  readonly settings?: SimulatedWebhookSettings;
}

/**
 * @internal The secrets a delivery at `now` is signed with, newest first.
 * @example
 * ```ts
 * const header = await signPayload({ body, secret: activeSecrets(webhook, new Date()) })
 * ```
 */
export function activeSecrets(webhook: SimulatedWebhook, now: Date): string[] {
  return webhook.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now).map((s) => s.value);
}

/**
 * @internal Whether the webhook receives this event name.
 * @example
 * ```ts
 * if (receives(webhook, 'inquiry.approved')) engine.deliver(webhook, event)
 * ```
 */
export function receives(webhook: SimulatedWebhook, name: string): boolean {
  return webhook.status === 'enabled' && (webhook.enabledEvents.includes('*') || webhook.enabledEvents.includes(name));
}

/**
 * @internal A new secret becomes the first; the current ones expire after `expiresInSeconds` (0: at once), as
 * Persona's `rotate-secret` with `meta.expires-in-seconds` does.
 * @example
 * ```ts
 * rotate(webhook, 'wbhsec_new', 3600, new Date())
 * ```
 */
export function rotate(webhook: SimulatedWebhook, newSecret: string, expiresInSeconds: number, now: Date): void {
  const expiresAt = new Date(now.getTime() + expiresInSeconds * 1000);
  webhook.secrets = [
    { value: newSecret, expiresAt: null },
    ...webhook.secrets
      .filter((s) => s.expiresAt === null || s.expiresAt > now)
      .map((s) => ({
        value: s.value,
        expiresAt: s.expiresAt !== null && s.expiresAt < expiresAt ? s.expiresAt : expiresAt,
      })),
  ];
}
