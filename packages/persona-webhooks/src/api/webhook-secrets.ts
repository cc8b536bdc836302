// Secrets read from Persona: a SecretProvider that keeps the webhook's active secrets, refreshed on a timer and
// (rate-limited) after a signature mismatch, so a rotation needs no redeploy. A failed refresh keeps what is known.
import { PersonaApiError, PersonaWebhookError } from '../errors.js';
import { numberOption } from '../options.js';
import type { SecretProvider } from '../signature/secret-provider.js';
import type { PersonaClient } from './client.js';
import { retrieveWebhook, type WebhookSecret } from './webhooks.js';

/** Default time between two reads of the webhook: 5 minutes. */
export const DEFAULT_SECRET_REFRESH_MS = 300_000;
/** Default shortest time between two reads caused by signature mismatches: 30 seconds. */
export const DEFAULT_MISMATCH_REFRESH_MS = 30_000;

/** What changed, for one log line per change. */
export type SecretSourceChange =
  /** The first successful read. */
  | 'loaded'
  /** The active secrets differ from the last read (a rotation started or finished). */
  | 'changed'
  /** A read failed after the previous one succeeded (or the first one failed). */
  | 'failing'
  /** A read failed for another reason than the previous failure. */
  | 'failing-differently'
  /** A read succeeded after failures. */
  | 'recovered'
  /** A configured secret is listed by Persona as expired: it is no longer accepted. */
  | 'configured-expired';

/** The source's state after a change. Holds no secret value. */
export interface SecretSourceState {
  readonly change: SecretSourceChange;
  readonly webhookId: string;
  /** Secrets accepted now (configured ∪ fetched, expired ones left out). */
  readonly accepted: number;
  /** Of those, read from Persona. */
  readonly fetched: number;
  /** The earliest `expires-at` among the accepted secrets, if any. */
  readonly nextExpiry: Date | null;
  readonly lastSuccessAt: Date | null;
  /** The failing read's error code (`api_unreachable`, `api_unauthorized`, `api_forbidden`…) and one line. */
  readonly error: { readonly code: string; readonly message: string } | null;
  /** Why the read ran. */
  readonly reason: 'start' | 'interval' | 'mismatch' | 'manual';
}

/**
 * Options of {@link createWebhookSecretSource}.
 *
 * @example
 * ```ts
 * const options: WebhookSecretSourceOptions = { client, webhookId: 'wbh_ABC123', secret: process.env.PERSONA_WEBHOOK_SECRET }
 * ```
 */
export interface WebhookSecretSourceOptions {
  /** A client whose key has `webhook.read`. */
  readonly client: PersonaClient;
  readonly webhookId: string;
  /** Configured secrets, accepted beside the fetched ones (and the only ones until the first read succeeds). */
  readonly secret?: string | readonly string[];
  /** Default {@link DEFAULT_SECRET_REFRESH_MS}. */
  readonly refreshIntervalMs?: number;
  /** Default {@link DEFAULT_MISMATCH_REFRESH_MS}. */
  readonly mismatchRefreshMs?: number;
  /** Called once per change of state (never per delivery). Its errors are ignored. */
  readonly onChange?: (state: SecretSourceState) => void;
  /** The clock expiries are compared with. Default `() => new Date()`. */
  readonly now?: () => Date;
}

/**
 * A {@link SecretProvider} backed by Persona's Webhooks API.
 *
 * @example
 * ```ts
 * const source = createWebhookSecretSource({ client, webhookId: 'wbh_ABC123' })
 * await source.start()
 * const receiver = createWebhookReceiver({ secret: source, store })
 * ```
 */
export interface WebhookSecretSource extends SecretProvider {
  /** Reads the webhook once and starts the timer. Resolves even when the read fails (see `state()`). */
  start(): Promise<SecretSourceState>;
  /** Reads the webhook now. Resolves true when the read succeeded. */
  refresh(): Promise<boolean>;
  /** Stops the timer. */
  stop(): void;
  state(): SecretSourceState;
}

/**
 * Creates a secret source for one webhook: configured secrets ∪ the webhook's active secrets read from Persona.
 * Expiries are honoured on this side too, so an expired secret stops verifying even while the API is down.
 *
 * @throws PersonaWebhookError `invalid_options` for a bad id or interval.
 * @example
 * ```ts
 * import { createPersonaClient, createWebhookSecretSource } from 'persona-webhooks/api'
 * const client = createPersonaClient({ apiKey: process.env.PERSONA_API_KEY! })
 * const secrets = createWebhookSecretSource({ client, webhookId: 'wbh_ABC123', onChange: (s) => console.log(s.change) })
 * await secrets.start()
 * app.post('/webhooks/persona', express.raw({ type: '*\/*' }), createExpressHandler(createWebhookReceiver({ secret: secrets, store })))
 * ```
 */
export function createWebhookSecretSource(options: WebhookSecretSourceOptions): WebhookSecretSource {
  const { client, webhookId } = options;
  if (typeof webhookId !== 'string' || !/^wbh_[\w-]+$/.test(webhookId))
    throw new PersonaWebhookError('invalid_options', 'createWebhookSecretSource: webhookId must look like wbh_ABC123.');
  const owner = 'createWebhookSecretSource';
  const intervalMs = numberOption(owner, 'refreshIntervalMs', options.refreshIntervalMs, DEFAULT_SECRET_REFRESH_MS, {
    unit: 'ms',
  });
  const mismatchMs = numberOption(owner, 'mismatchRefreshMs', options.mismatchRefreshMs, DEFAULT_MISMATCH_REFRESH_MS, {
    unit: 'ms',
  });
  const now = options.now ?? (() => new Date());
  const configured: string[] =
    options.secret === undefined ? [] : typeof options.secret === 'string' ? [options.secret] : [...options.secret];

  let fetched: WebhookSecret[] = [];
  /** Configured secrets Persona lists with an expiry: honoured like fetched ones. */
  const configuredExpiry = new Map<string, Date>();
  let lastSuccessAt: Date | null = null;
  let error: SecretSourceState['error'] = null;
  let everSucceeded = false;
  let inFlight: Promise<boolean> | null = null;
  let lastMismatchRead = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setInterval> | null = null;
  let last: SecretSourceState | null = null;

  function accepted(at: Date): { values: string[]; expiries: Date[]; fetchedCount: number } {
    const t = at.getTime();
    const values: string[] = [];
    const expiries: Date[] = [];
    for (const s of configured) {
      const expiry = configuredExpiry.get(s);
      if (expiry !== undefined && expiry.getTime() <= t) continue;
      if (expiry !== undefined) expiries.push(expiry);
      values.push(s);
    }
    let fetchedCount = 0;
    for (const s of fetched) {
      if (s.expiresAt !== null && s.expiresAt.getTime() <= t) continue;
      fetchedCount++;
      if (values.includes(s.value)) continue;
      values.push(s.value);
      if (s.expiresAt !== null) expiries.push(s.expiresAt);
    }
    return { values, expiries, fetchedCount };
  }

  function snapshot(change: SecretSourceChange, reason: SecretSourceState['reason']): SecretSourceState {
    const { values, expiries, fetchedCount } = accepted(now());
    const nextExpiry = expiries.length === 0 ? null : new Date(Math.min(...expiries.map((d) => d.getTime())));
    return {
      change,
      webhookId,
      accepted: values.length,
      fetched: fetchedCount,
      nextExpiry,
      lastSuccessAt,
      error,
      reason,
    };
  }

  function emit(change: SecretSourceChange, reason: SecretSourceState['reason']) {
    last = snapshot(change, reason);
    try {
      options.onChange?.(last);
    } catch {
      // A logging hook must not break the source.
    }
  }

  async function read(reason: SecretSourceState['reason']): Promise<boolean> {
    let secrets: readonly WebhookSecret[];
    try {
      ({ secrets } = await retrieveWebhook(client, webhookId));
    } catch (cause) {
      const code = cause instanceof PersonaWebhookError ? cause.code : 'unexpected';
      const message =
        cause instanceof PersonaApiError || cause instanceof PersonaWebhookError
          ? cause.message
          : String((cause as Error)?.message ?? cause).split('\n')[0];
      const before = error;
      error = { code, message: (message ?? '').slice(0, 300) };
      if (before === null) emit('failing', reason);
      else if (before.code !== code) emit('failing-differently', reason);
      return false;
    }
    const previous = fetched.map((s) => `${s.value}\u0000${s.expiresAt?.getTime() ?? ''}`).join('\n');
    fetched = [...secrets];
    lastSuccessAt = now();
    const recovered = error !== null && everSucceeded;
    error = null;
    let configuredNewlyExpired = false;
    for (const s of secrets) {
      if (!configured.includes(s.value) || s.expiresAt === null) continue;
      if (!configuredExpiry.has(s.value) && s.expiresAt.getTime() <= now().getTime()) configuredNewlyExpired = true;
      configuredExpiry.set(s.value, s.expiresAt);
    }
    const current = fetched.map((s) => `${s.value}\u0000${s.expiresAt?.getTime() ?? ''}`).join('\n');
    if (!everSucceeded) {
      everSucceeded = true;
      emit('loaded', reason);
    } else if (current !== previous) emit('changed', reason);
    else if (recovered) emit('recovered', reason);
    if (configuredNewlyExpired) emit('configured-expired', reason);
    return true;
  }

  function refresh(reason: SecretSourceState['reason'] = 'manual'): Promise<boolean> {
    // One read at a time: a wall of mismatching deliveries causes one request, not one each.
    inFlight ??= read(reason).finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  return {
    secrets() {
      return accepted(now()).values;
    },
    onMismatch() {
      const t = performance.now();
      if (t - lastMismatchRead < mismatchMs) return;
      lastMismatchRead = t;
      void refresh('mismatch');
    },
    async start() {
      await refresh('start');
      if (timer === null) {
        timer = setInterval(() => void refresh('interval'), intervalMs);
        // The source must not keep a process alive on its own.
        (timer as { unref?: () => void }).unref?.();
      }
      return last ?? snapshot('loaded', 'start');
    },
    refresh: () => refresh('manual'),
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
    state: () => last ?? snapshot('loaded', 'start'),
  };
}
