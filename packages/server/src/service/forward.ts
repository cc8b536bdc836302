// Forwarding: each event is POSTed to an internal URL, re-signed with the forwarding secret in the same
// Persona-Signature format, so the receiving app verifies it with this same library. Runs as a worker
// handler, so it gets the worker's retries, backoff and dead letters; a non-2xx answer is a failure.
import { type EventHandler, type EventStore, signPayload } from 'persona-webhooks';

export interface ForwardOptions {
  readonly url: string;
  /** The secret to sign with; an array signs one set per secret, as during a rotation. */
  readonly secret: string | readonly string[];
  readonly timeoutMs: number;
  /** Where the exact received bytes are read from, so numbers and spacing are forwarded untouched. */
  readonly store: EventStore;
}

/**
 * Creates the forwarding handler.
 *
 * @example
 * ```ts
 * registry.onAny(createForwardHandler({ url: 'http://app.internal/persona', secret: fwd, timeoutMs: 10_000, store }), { name: 'forward' })
 * ```
 */
export function createForwardHandler(options: ForwardOptions): EventHandler {
  const target = new URL(options.url);
  return async (event, context) => {
    const stored = await options.store.get(event.id);
    // The stored body is the exact bytes Persona signed; re-serialising could change numbers (FACTS §1).
    const body = stored?.body ?? JSON.stringify(event.raw);
    const header = await signPayload({ body, secret: options.secret });
    const signal = AbortSignal.any([context.signal, AbortSignal.timeout(options.timeoutMs)]);
    let response: Response;
    try {
      response = await fetch(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'persona-signature': header,
          'persona-event-id': event.id,
          'persona-event-name': event.name,
          'persona-forward-attempt': String(context.attempt),
          'user-agent': 'persona-webhooks-forwarder',
        },
        body,
        signal,
      });
    } catch (error) {
      const why =
        error instanceof Error && error.name === 'TimeoutError'
          ? `no answer within ${options.timeoutMs} ms`
          : error instanceof Error
            ? ((error.cause as { code?: string } | undefined)?.code ??
              (error.cause as { message?: string } | undefined)?.message ??
              error.message)
            : String(error);
      throw new Error(`forward to ${target.origin}${target.pathname} failed: ${why}`);
    }
    // Drain the body so the connection can be reused; its content is not ours to log.
    await response.arrayBuffer().catch(() => undefined);
    if (response.status < 200 || response.status > 299) {
      throw new Error(`forward to ${target.origin}${target.pathname} answered ${response.status}`);
    }
  };
}
