import { ERROR_STATUS, PersonaWebhookError, type PersonaWebhookErrorCode, StoreUnavailableError } from '../errors.js';
import { type EnvelopeFacts, readEnvelope, readEnvelopeFacts } from '../events/envelope.js';
import { type PersonaEvent, parseEvent } from '../events/parse.js';
import { type NumberRule, numberOption } from '../options.js';
import { randomId } from '../random-id.js';
import { getSignatureHeader } from '../signature/header.js';
import { isSecretProvider, type SecretProvider } from '../signature/secret-provider.js';
import { checkTimestampOptions, collectSecrets, type SecretOptions } from '../signature/verify.js';
import type { EventStatus, EventStore, StoredEvent } from '../store/store.js';
import { verifySignature } from '../webhook-signature.js';
import { PROCESSING_DEFAULTS } from './defaults.js';
import type { Handlers } from './handlers.js';
import { runClaimedEvent } from './run-event.js';
import type { ReceiveInput, ReceiveOutcome, ReceiveResult, ReceiverLike } from './types.js';

/** `queue`: store and acknowledge, a worker runs the handlers. `inline`: run the handlers before answering. */
export type ReceiveMode = 'queue' | 'inline';

/** Facts about one `receive()` call for metrics and logs (no payload content). */
export interface ReceiveInfo {
  /** Wall time of the call, in milliseconds. */
  readonly durationMs: number;
}

/**
 * Options of {@link createWebhookReceiver}.
 *
 * @example
 * ```ts
 * const options: WebhookReceiverOptions = { secret: [newSecret, oldSecret], store, mode: 'inline', handlers }
 * ```
 */
export interface WebhookReceiverOptions {
  /**
   * The webhook's secret (`wbhsec_…`), several while rotating, or a {@link SecretProvider} whose secrets may
   * change while the receiver runs (a file reloaded on SIGHUP, Persona's Webhooks API).
   */
  readonly secret: string | readonly string[] | SecretProvider;
  /** Where events are stored (memory, SQLite, PostgreSQL). Call `store.migrate()` before receiving. */
  readonly store: EventStore;
  /** Default `queue`. */
  readonly mode?: ReceiveMode;
  /** The handlers: required in `inline` mode (in `queue` mode the worker takes them). */
  readonly handlers?: Handlers;
  /** Oldest accepted signature timestamp, in seconds before now. Default 300. */
  readonly toleranceSeconds?: number;
  /** Newest accepted signature timestamp, in seconds after now. Default 60. */
  readonly futureToleranceSeconds?: number;
  /** Skip the replay window (not recommended: it is what stops an old captured delivery from being replayed). */
  readonly disableTimestampCheck?: boolean;
  /**
   * Called after every `receive()`, and for the deliveries an adapter answers before `receive()` (see
   * `ReceiverLike.answered`: 405, 415, 413 and an unreadable body as `rejected`, `body_not_raw` as `failed`), for
   * metrics and logs. Its errors are ignored.
   */
  readonly onResult?: (result: ReceiveResult, info: ReceiveInfo) => void;
  /** Inline mode: the lease taken while handlers run (whole ms, ≥ 10), renewed while they run. Default 30,000 ms. */
  readonly leaseMs?: number;
  /** Inline mode: after this many failed attempts the event goes `dead` and later deliveries are acknowledged. Default 10. */
  readonly maxAttempts?: number;
  /** Inline mode: lease owner name. Default `inline:<pid-or-random>`. */
  readonly owner?: string;
  /** Seconds a client should wait before retrying a 503 (`Retry-After`). Default 5. */
  readonly retryAfterSeconds?: number;
}

/**
 * A receiver: `receive()` for adapters, plus what it was built with.
 *
 * @example
 * ```ts
 * const receiver: WebhookReceiver = createWebhookReceiver({ secret, store })
 * const { status, body, headers } = await receiver.receive({ body: rawBody, headers: req.headers })
 * ```
 */
export interface WebhookReceiver extends ReceiverLike {
  /** Passes a delivery an adapter answered itself (see `ReceiverLike.answered`) to `onResult`. */
  answered(result: ReceiveResult, info: ReceiveInfo): void;
  readonly mode: ReceiveMode;
  readonly store: EventStore;
  readonly handlers: Handlers | undefined;
}

/**
 * The resource id only orders events about one object: a value no store could key on (empty, a NUL that
 * PostgreSQL refuses, absurdly long) is stored as "no resource" rather than refusing a signed event.
 */
function usableResourceId(value: string | null): string | null {
  if (value === null || value.length === 0 || value.length > 255 || value.includes('\u0000')) return null;
  return value;
}

/**
 * What an unauthenticated sender is told for each code whose library message helps only the operator:
 * `signature_mismatch` says how many secrets were tried and hints about them, `no_secret` describes the
 * configuration. The full error stays on `ReceiveResult.error` for the operator's log.
 */
const PUBLIC_MESSAGES: Partial<Record<PersonaWebhookErrorCode, string>> = {
  signature_mismatch: 'No signature in the Persona-Signature header matched this body.',
  no_secret: 'The receiver is misconfigured; nothing was stored. Persona retries.',
};

const decoder = new TextDecoder();

function bodyAsString(body: ReceiveInput['body']): string {
  if (typeof body === 'string') return body;
  return decoder.decode(body instanceof ArrayBuffer ? new Uint8Array(body) : body);
}

let ownerSequence = 0;

/**
 * Creates the receiver every adapter calls: verify the `Persona-Signature` over the raw body, store the
 * event once (insert-if-absent on its id), and answer. A 2xx is only ever given for an event that is
 * durably stored: a store failure answers 503, so Persona retries.
 *
 * @example
 * ```ts
 * import { createWebhookReceiver, createHandlers } from 'persona-webhooks'
 * import { createSqliteStore } from 'persona-webhooks/sqlite'
 *
 * const store = createSqliteStore({ database: new Database('events.db') })
 * await store.migrate()
 * const receiver = createWebhookReceiver({ secret: process.env.PERSONA_WEBHOOK_SECRET, store })
 * const result = await receiver.receive({ body: rawBody, headers: req.headers })
 * res.status(result.status).json(result.body)   // 200 { received: true, id } — a worker runs the handlers
 * ```
 */
export function createWebhookReceiver(options: WebhookReceiverOptions): WebhookReceiver {
  if (options === null || typeof options !== 'object')
    throw new PersonaWebhookError('invalid_options', 'createWebhookReceiver needs an options object.');
  const { store, handlers, onResult } = options;
  const mode: ReceiveMode = options.mode ?? 'queue';
  if (mode !== 'queue' && mode !== 'inline')
    throw new PersonaWebhookError('invalid_options', `mode must be "queue" or "inline", got ${String(mode)}.`);
  if (store === null || typeof store !== 'object' || typeof store.insertIfAbsent !== 'function')
    throw new PersonaWebhookError(
      'invalid_options',
      'createWebhookReceiver needs a `store` (createMemoryStore(), createSqliteStore(…) or createPostgresStore(…)).',
    );
  if (mode === 'inline' && (handlers === undefined || typeof handlers.dispatch !== 'function'))
    throw new PersonaWebhookError(
      'invalid_options',
      'Inline mode runs handlers before answering: pass `handlers: createHandlers().on(…)`.',
    );
  const check = (name: string, value: unknown, fallback: number, rule: NumberRule) =>
    numberOption('createWebhookReceiver', name, value, fallback, rule);
  // The same rules the store applies at claim: a lease it would refuse is refused here, not at every delivery.
  const leaseMs = check('leaseMs', options.leaseMs, PROCESSING_DEFAULTS.leaseMs, {
    integer: true,
    min: 10,
    unit: 'ms',
  });
  const maxAttempts = check('maxAttempts', options.maxAttempts, PROCESSING_DEFAULTS.maxAttempts, {
    integer: true,
    min: 1,
  });
  const retryAfterSeconds = check(
    'retryAfterSeconds',
    options.retryAfterSeconds,
    PROCESSING_DEFAULTS.retryAfterSeconds,
    {
      unit: 'seconds',
    },
  );
  const retryAfter = String(Math.ceil(retryAfterSeconds));
  // Unique across processes too: containers often all run as pid 1, and a lease shared by two owners of one
  // name would let a stale run complete an event another process took over.
  const owner =
    options.owner ??
    `inline:${typeof process === 'object' && typeof process.pid === 'number' ? process.pid : 'js'}:${randomId()}:${++ownerSequence}`;
  const provider = isSecretProvider(options.secret) ? options.secret : null;
  // Fixed secrets are refused now rather than answered 500 at every delivery; a provider's list is read per
  // delivery (it changes on rotation) and may be empty while it loads.
  const fixed = provider ? null : collectSecrets(options as SecretOptions);
  const secretNow = (): SecretOptions['secret'] => (provider ? provider.secrets() : (fixed as readonly string[]));
  const mismatched = (error: unknown) => {
    if (provider?.onMismatch === undefined || !(error instanceof PersonaWebhookError)) return;
    // No secret known yet (a source still loading) is a mismatch too: look again now, not at the next interval.
    if (error.code !== 'signature_mismatch' && error.code !== 'no_secret') return;
    try {
      provider.onMismatch();
    } catch {
      // A provider's refresh trouble must not change the answer.
    }
  };
  const timestamps = {
    toleranceSeconds: options.toleranceSeconds,
    futureToleranceSeconds: options.futureToleranceSeconds,
    disableTimestampCheck: options.disableTimestampCheck,
  };
  checkTimestampOptions(timestamps);

  function reject(error: unknown): ReceiveResult {
    if (error instanceof PersonaWebhookError) {
      return {
        status: error.status,
        outcome: 'rejected',
        code: error.code,
        error,
        body: { error: error.code, message: PUBLIC_MESSAGES[error.code] ?? error.message },
      };
    }
    return internal(error);
  }

  function internal(error: unknown): ReceiveResult {
    return {
      status: ERROR_STATUS.internal_error,
      outcome: 'failed',
      code: 'internal_error',
      error,
      body: { error: 'internal_error', message: 'The receiver failed unexpectedly; nothing was acknowledged.' },
    };
  }

  /**
   * A failed insert: only an outage (StoreUnavailableError) is a 503. A signed event with a value the store
   * refuses is a 422 that names the problem, never a false "database down"; anything else is a 500 whose
   * cause reaches `onResult`.
   */
  function insertFailed(facts: EnvelopeFacts, error: unknown): ReceiveResult {
    if (error instanceof StoreUnavailableError) return unavailable(facts, false, error);
    const refused = error instanceof PersonaWebhookError && error.code === 'invalid_options';
    const code: PersonaWebhookErrorCode = refused ? 'event_not_storable' : 'store_failed';
    return {
      status: ERROR_STATUS[code],
      outcome: refused ? 'rejected' : 'failed',
      code,
      error,
      eventId: facts.id,
      eventName: facts.name,
      body: {
        error: code,
        message: refused
          ? 'The event is signed but one of its envelope values cannot be stored (see the receiver log); nothing was stored.'
          : 'The event store failed unexpectedly; nothing was stored or acknowledged.',
      },
    };
  }

  function unavailable(facts: EnvelopeFacts, stored = false, error?: unknown): ReceiveResult {
    return {
      status: ERROR_STATUS.store_unavailable,
      outcome: 'unavailable',
      code: 'store_unavailable',
      ...(error === undefined ? {} : { error }),
      headers: { 'retry-after': retryAfter },
      eventId: facts.id,
      eventName: facts.name,
      body: {
        error: 'store_unavailable',
        message: stored
          ? 'The event is stored, but the event store failed while its handlers were claimed or recorded: not acknowledged, Persona retries.'
          : 'The event store is unavailable: the delivery was not stored and is not acknowledged. Persona retries.',
      },
    };
  }

  function ok(facts: EnvelopeFacts, outcome: 'accepted' | 'duplicate', extra: Record<string, unknown> = {}) {
    return {
      status: 200,
      outcome,
      eventId: facts.id,
      eventName: facts.name,
      body: { received: true, id: facts.id, ...(outcome === 'duplicate' ? { duplicate: true } : {}), ...extra },
    } satisfies ReceiveResult;
  }

  function notNow(
    facts: EnvelopeFacts,
    code: 'in_flight' | 'handler_failed',
    outcome: ReceiveOutcome,
    message: string,
  ) {
    return {
      status: ERROR_STATUS[code],
      outcome,
      code,
      eventId: facts.id,
      eventName: facts.name,
      headers: { 'retry-after': retryAfter },
      body: { error: code, message, id: facts.id },
    } satisfies ReceiveResult;
  }

  async function runInline(
    event: PersonaEvent,
    facts: EnvelopeFacts,
    inserted: boolean,
    status: EventStatus,
  ): Promise<ReceiveResult> {
    if (status === 'succeeded') return ok(facts, 'duplicate');
    // Dead: the attempts are spent; acknowledging stops Persona's retries, replay is a manual decision.
    if (status === 'dead') return ok(facts, 'duplicate', { status: 'dead' });
    let claimed: StoredEvent[];
    try {
      claimed = await store.claim({ owner, leaseMs, limit: 1, ids: [facts.id], maxAttempts });
    } catch (error) {
      return unavailable(facts, true, error);
    }
    const mine = claimed.find((e) => e.id === facts.id);
    // A store that ignores `ids` may hand over another event: give it back untouched.
    for (const other of claimed) if (other !== mine) await store.release(other.id, owner).catch(() => false);
    if (mine === undefined) {
      return notNow(
        facts,
        'in_flight',
        'in_flight',
        'This event is being processed (or waits for an older event about the same object); not acknowledged yet, retry later.',
      );
    }
    let result: Awaited<ReturnType<typeof runClaimedEvent>>;
    try {
      result = await runClaimedEvent(
        mine,
        { store, handlers: handlers as Handlers, owner, leaseMs, maxAttempts, retryDelay: () => 0 },
        event,
      );
    } catch (error) {
      // The handlers ran but recording the outcome failed: the lease expires and the event is retried.
      return unavailable(facts, true, error);
    }
    if (result.status === 'succeeded') return ok(facts, inserted ? 'accepted' : 'duplicate');
    if (result.status === 'dead') return ok(facts, inserted ? 'accepted' : 'duplicate', { status: 'dead' });
    return notNow(
      facts,
      'handler_failed',
      'failed',
      result.status === 'lost'
        ? 'The lease on this event was lost while its handlers ran; it will be retried.'
        : 'A handler failed; the event stays stored and is retried on the next delivery.',
    );
  }

  function report(result: ReceiveResult, info: ReceiveInfo): void {
    if (onResult === undefined) return;
    try {
      onResult(result, info);
    } catch {
      // Metrics must never change the answer.
    }
  }

  async function receive(input: ReceiveInput): Promise<ReceiveResult> {
    let event: PersonaEvent | undefined;
    let facts: EnvelopeFacts;
    let text: string;
    try {
      if (input === null || typeof input !== 'object')
        throw new PersonaWebhookError('invalid_options', 'receive() needs { body, headers }.');
      try {
        await verifySignature({
          secret: secretNow(),
          ...timestamps,
          body: input.body,
          header: getSignatureHeader(input.headers),
        });
      } catch (error) {
        mismatched(error);
        throw error;
      }
      text = bodyAsString(input.body);
      // Queue mode only needs four fields: a validating scan instead of building the whole object tree
      // (measured in bench/processing.bench.ts); anything unusual takes the full parse.
      if (mode === 'queue') ({ facts, event } = readEnvelope(text));
      else {
        event = parseEvent(text);
        facts = readEnvelopeFacts(event);
      }
    } catch (error) {
      return reject(error);
    }
    let insert: { inserted: boolean; status: EventStatus };
    try {
      insert = await store.insertIfAbsent({
        id: facts.id,
        name: facts.name,
        createdAt: facts.createdAt,
        resourceId: usableResourceId(facts.resourceId),
        body: text,
      });
    } catch (error) {
      return insertFailed(facts, error);
    }
    if (mode === 'queue' || event === undefined) return ok(facts, insert.inserted ? 'accepted' : 'duplicate');
    return runInline(event, facts, insert.inserted, insert.status);
  }

  return {
    mode,
    store,
    handlers,
    async receive(input) {
      const started = performance.now();
      let result: ReceiveResult;
      try {
        result = await receive(input);
      } catch (error) {
        result = internal(error);
      }
      report(result, { durationMs: performance.now() - started });
      return result;
    },
    answered: report,
  };
}
