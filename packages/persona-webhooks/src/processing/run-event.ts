import { type PersonaEvent, parseEvent } from '../events/parse.js';
import type { EventStore, StoredEvent } from '../store/store.js';
import { describeError, describeFailures, type Handlers } from './handlers.js';

/**
 * How one claimed event ended. `lost`: the lease was lost (expired and taken), nothing was recorded.
 * `released`: stopped from outside; given back untouched after its handlers returned.
 */
export type RunStatus = 'succeeded' | 'retrying' | 'dead' | 'lost' | 'released';

/** @internal */
export interface RunEventOptions {
  readonly store: EventStore;
  readonly handlers: Handlers;
  readonly owner: string;
  readonly leaseMs: number;
  /** After this many started attempts a failure is final (`dead`). */
  readonly maxAttempts: number;
  /** Delay before the next attempt, given the 1-based attempt that just failed. */
  readonly retryDelay: (attempt: number) => number;
  /**
   * Aborts the handlers' signal from outside (graceful stop past its deadline). A run that does not succeed
   * after this signal gives its event back untouched (`release`), once its handlers have returned.
   */
  readonly signal?: AbortSignal;
}

/** @internal */
export interface RunEventResult {
  readonly status: RunStatus;
  readonly error?: string;
}

/**
 * Runs the handlers of an event this owner holds a lease on, keeps the lease alive while they run, and
 * records the outcome: complete, fail with a retry time, or dead.
 * @internal
 */
export async function runClaimedEvent(
  stored: StoredEvent,
  options: RunEventOptions,
  parsed?: PersonaEvent,
): Promise<RunEventResult> {
  const { store, owner } = options;
  let event = parsed;
  if (event === undefined) {
    if (stored.body === null) {
      // Replay of an event whose payload was pruned or scrubbed: nothing to run, ever.
      return finish(stored, options, 'payload_missing: the stored body was pruned or scrubbed', true, []);
    }
    try {
      event = parseEvent(stored.body);
    } catch (error) {
      return finish(stored, options, `invalid_event: ${describeError(error)}`, true, []);
    }
  }

  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(options.signal?.reason);
  // Already stopped (a runOnce or drain after stop): the listener would never fire.
  if (options.signal?.aborted === true) onOuterAbort();
  else options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let lost = false;
  // Heartbeat at a third of the lease so that two missed beats still leave the lease valid.
  const heartbeat = setInterval(
    () => {
      store.extendLease(stored.id, owner, options.leaseMs).then(
        (held) => {
          if (!held) {
            lost = true;
            clearInterval(heartbeat);
            controller.abort(new Error('lease lost'));
          }
        },
        () => {
          // The database blipped: the next beat tries again; the lease has two more beats of slack.
        },
      );
    },
    Math.max(10, Math.floor(options.leaseMs / 3)),
  );
  heartbeat.unref?.();
  try {
    const result = await options.handlers.dispatch(event, {
      completedHandlers: stored.completedHandlers,
      attempt: stored.attempts,
      signal: controller.signal,
    });
    if (lost) return { status: 'lost' };
    if (result.ok) {
      const held = await store.complete(stored.id, owner, { completedHandlers: result.completedHandlers });
      return { status: held ? 'succeeded' : 'lost' };
    }
    // Stopped from outside: the failure is the abort, not the event's. Released only now, after the handlers
    // returned, so that no other worker can run this event while they still do.
    if (options.signal?.aborted === true) {
      // What succeeded before the stop is recorded: the next worker runs only the handlers that did not.
      const held = await store.release(stored.id, owner, { completedHandlers: result.completedHandlers });
      return { status: held ? 'released' : 'lost' };
    }
    return await finish(stored, options, describeFailures(result.failures), false, result.completedHandlers);
  } finally {
    clearInterval(heartbeat);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}

async function finish(
  stored: StoredEvent,
  options: RunEventOptions,
  error: string,
  permanent: boolean,
  completedHandlers: readonly string[],
): Promise<RunEventResult> {
  const dead = permanent || stored.attempts >= options.maxAttempts;
  const retryAt = dead ? null : new Date(Date.now() + options.retryDelay(stored.attempts));
  const held = await options.store.fail(stored.id, options.owner, { error, retryAt, completedHandlers });
  if (!held) return { status: 'lost', error };
  return { status: dead ? 'dead' : 'retrying', error };
}
