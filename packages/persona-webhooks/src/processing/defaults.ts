// The processing defaults, declared once: the receiver's inline mode, the worker and the `serve` command all
// read them from here. Why these values: docs/decisions/0005-defaults.md.

/**
 * Defaults of the receiver (inline mode), the worker and `persona-webhooks serve`.
 *
 * @example
 * ```ts
 * createWorker({ store, handlers, concurrency: 2 * PROCESSING_DEFAULTS.concurrency })
 * ```
 */
export const PROCESSING_DEFAULTS = Object.freeze({
  /** Lease on a claimed event; renewed every third of it while handlers run. A crashed worker's event is retried after it. */
  leaseMs: 30_000,
  /** Attempts (crashed ones included) before an event goes `dead`. */
  maxAttempts: 10,
  /** Events one worker runs at the same time. */
  concurrency: 4,
  /** Wait between polls when nothing was due. */
  pollIntervalMs: 1_000,
  /** How long `worker.stop()` lets in-flight handlers finish before aborting and releasing them. */
  stopDeadlineMs: 10_000,
  /** `Retry-After` on a 503 answer. */
  retryAfterSeconds: 5,
});
