import { PersonaWebhookError } from '../errors.js';
import { numberOption } from '../options.js';
import { randomId } from '../random-id.js';
import type { EventStore, StoredEvent } from '../store/store.js';
import { type BackoffSchedule, createBackoff } from './backoff.js';
import { PROCESSING_DEFAULTS } from './defaults.js';
import type { Handlers } from './handlers.js';
import { type RunStatus, runClaimedEvent } from './run-event.js';

/**
 * Options of {@link createWorker}.
 *
 * @example
 * ```ts
 * const options: WorkerOptions = { store, handlers, concurrency: 8, leaseMs: 60_000, maxAttempts: 12 }
 * ```
 */
export interface WorkerOptions {
  readonly store: EventStore;
  /** The handler registry (`createHandlers().on(…)`), as the receiver's `handlers` option. */
  readonly handlers: Handlers;
  /** Lease owner: unique per worker. Default `worker:<pid>:<random>`. */
  readonly owner?: string;
  /** Events run at the same time. Default 4 (`PROCESSING_DEFAULTS`). */
  readonly concurrency?: number;
  /** Lease length in whole ms (≥ 10); a heartbeat renews it every third of it while handlers run. Default 30,000 ms. */
  readonly leaseMs?: number;
  /** Wait between polls when nothing was due. Default 1,000 ms. */
  readonly pollIntervalMs?: number;
  /**
   * Attempts before an event goes `dead`, counting attempts that crashed their worker (a poison event).
   * Default 10.
   */
  readonly maxAttempts?: number;
  /** Delay between attempts. Default `{ baseMs: 5000, factor: 2, maxMs: 3_600_000, jitter: 0.2 }`. */
  readonly backoff?: BackoffSchedule;
  /** Called when an event finishes an attempt (metrics, logs): no payload content. Errors are ignored. */
  readonly onEvent?: (info: WorkerEventInfo) => void;
  /** Called when the store fails during polling or recording (the loop keeps going). */
  readonly onStoreError?: (error: unknown) => void;
}

/** What happened to one claimed event. */
export interface WorkerEventInfo {
  readonly id: string;
  readonly name: string;
  readonly attempt: number;
  readonly status: RunStatus;
  readonly durationMs: number;
  /** Short, payload-free description of the failure. */
  readonly error?: string;
}

export interface StopOptions {
  /**
   * How long in-flight handlers may take in all. Past three quarters of it (at most 1 s before the end) their
   * `signal` is aborted, and an event whose handlers then return is released. Default 10,000 ms.
   */
  readonly deadlineMs?: number;
}

/** What `stop()` left behind. */
export interface StopResult {
  /**
   * Events whose handlers ignored their abort signal and still run past the deadline. They keep their lease
   * while they run (so no other worker runs them at the same time); exit the process to give them up: the
   * lease then expires and another worker retries them.
   */
  readonly stillRunning: readonly string[];
}

/**
 * A running (or stopped) worker.
 *
 * @example
 * ```ts
 * const worker: Worker = createWorker({ store, handlers })
 * worker.start()
 * await worker.stop({ deadlineMs: 10_000 })
 * ```
 */
export interface Worker {
  /** Starts the polling loop (idempotent). */
  start(): void;
  /**
   * Stops claiming, lets in-flight events finish within the deadline, then aborts the rest (their handlers'
   * `signal`) and releases each once its handlers returned, so another worker takes it at once. Never
   * releases an event whose handler still runs.
   */
  stop(options?: StopOptions): Promise<StopResult>;
  /** Claims once and runs what it got, to completion. Returns how many events ran. For cron-style use and tests. */
  runOnce(): Promise<number>;
  /** Runs until nothing is due. Returns how many events ran. */
  drain(): Promise<number>;
  readonly owner: string;
  readonly running: boolean;
  /** Events running now. */
  readonly inFlight: number;
}

/**
 * Creates a worker that claims due events with a lease, runs their handlers with bounded concurrency, and
 * records the outcome: succeeded, retrying after an exponential backoff with jitter, or dead after the last
 * attempt. Per-resource order comes from the store's claim: events about one object never run at once and
 * run in `created-at` order.
 *
 * @example
 * ```ts
 * const worker = createWorker({ store, handlers, concurrency: 8, maxAttempts: 12 })
 * worker.start()
 * process.on('SIGTERM', () => worker.stop({ deadlineMs: 10_000 }))
 * ```
 */
export function createWorker(options: WorkerOptions): Worker {
  if (options === null || typeof options !== 'object')
    throw new PersonaWebhookError('invalid_options', 'createWorker needs an options object.');
  const { store, handlers } = options;
  if (store === null || typeof store !== 'object' || typeof store.claim !== 'function')
    throw new PersonaWebhookError('invalid_options', 'createWorker needs a `store`.');
  if ((options as { dispatcher?: unknown }).dispatcher !== undefined)
    throw new PersonaWebhookError('invalid_options', 'createWorker: the `dispatcher` option is now `handlers`.');
  if (handlers === null || typeof handlers !== 'object' || typeof handlers.dispatch !== 'function')
    throw new PersonaWebhookError('invalid_options', 'createWorker needs `handlers` (createHandlers().on(…)).');
  const int = (name: string, value: unknown, fallback: number, min = 1) =>
    numberOption('createWorker', name, value, fallback, { integer: true, min });
  const concurrency = int('concurrency', options.concurrency, PROCESSING_DEFAULTS.concurrency);
  const leaseMs = int('leaseMs', options.leaseMs, PROCESSING_DEFAULTS.leaseMs, 10);
  const pollIntervalMs = int('pollIntervalMs', options.pollIntervalMs, PROCESSING_DEFAULTS.pollIntervalMs);
  const maxAttempts = int('maxAttempts', options.maxAttempts, PROCESSING_DEFAULTS.maxAttempts);
  const retryDelay = createBackoff(options.backoff);
  const owner =
    options.owner ??
    `worker:${typeof process === 'object' && typeof process.pid === 'number' ? process.pid : 'js'}:${randomId()}`;

  const tasks = new Map<string, Promise<void>>();
  const abort = new AbortController();
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  function notify(info: WorkerEventInfo): void {
    try {
      options.onEvent?.(info);
    } catch {
      // Observability must not change processing.
    }
  }

  function storeError(error: unknown): void {
    try {
      options.onStoreError?.(error);
    } catch {
      // Same as above.
    }
  }

  function launch(event: StoredEvent): Promise<void> {
    const started = performance.now();
    const task = runClaimedEvent(event, {
      store,
      handlers,
      owner,
      leaseMs,
      maxAttempts,
      retryDelay,
      signal: abort.signal,
    })
      .then(
        (result) => {
          notify({
            id: event.id,
            name: event.name,
            attempt: event.attempts,
            status: result.status,
            durationMs: performance.now() - started,
            ...(result.error === undefined ? {} : { error: result.error }),
          });
        },
        // Recording the outcome failed: the lease runs out and another attempt follows.
        (error: unknown) => storeError(error),
      )
      .finally(() => {
        tasks.delete(event.id);
        wake?.();
      });
    tasks.set(event.id, task);
    return task;
  }

  async function claim(limit: number): Promise<StoredEvent[]> {
    const names = handlers.eventNames();
    return store.claim({
      owner,
      leaseMs,
      limit,
      maxAttempts,
      // Without an onAny handler, events nobody handles stay pending for a worker that handles them.
      ...(names === null ? {} : { names }),
    });
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  async function run(): Promise<void> {
    while (running) {
      const free = concurrency - tasks.size;
      if (free <= 0) {
        await sleep(pollIntervalMs);
        continue;
      }
      let claimed: StoredEvent[] = [];
      try {
        claimed = await claim(free);
      } catch (error) {
        storeError(error);
      }
      if (!running) {
        // stop() began while the claim was on its way: give these back untouched.
        await Promise.all(claimed.map((e) => store.release(e.id, owner).catch(storeError)));
        break;
      }
      for (const event of claimed) launch(event);
      // A full batch suggests more is due: claim again as soon as a slot frees (or at once if slots remain).
      if (claimed.length === free) continue;
      await sleep(pollIntervalMs);
    }
  }

  async function runOnce(): Promise<number> {
    const claimed = await claim(concurrency);
    await Promise.all(claimed.map(launch));
    return claimed.length;
  }

  const worker: Worker = {
    owner,
    get running() {
      return running;
    },
    get inFlight() {
      return tasks.size;
    },
    start() {
      if (running) return;
      if (abort.signal.aborted)
        throw new PersonaWebhookError('invalid_options', 'This worker was stopped: create a new one to start again.');
      running = true;
      loop = run();
    },
    async stop(stopOptions: StopOptions = {}): Promise<StopResult> {
      const deadlineMs = numberOption(
        'worker.stop',
        'deadlineMs',
        stopOptions.deadlineMs,
        PROCESSING_DEFAULTS.stopDeadlineMs,
        {
          min: 0,
        },
      );
      const stopAt = performance.now() + deadlineMs;
      running = false;
      wake?.();
      await loop;
      // The last part of the deadline is for aborted handlers to return, so their events are released.
      const graceMs = Math.min(1000, Math.floor(deadlineMs / 4));
      const settled = (ms: number) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), Math.max(0, ms));
        });
        return Promise.race([Promise.all(tasks.values()).then(() => true), late]).finally(() => clearTimeout(timer));
      };
      if (tasks.size > 0 && !(await settled(stopAt - graceMs - performance.now()))) {
        abort.abort(new Error('worker stopped'));
        await settled(stopAt - performance.now());
      }
      abort.abort(new Error('worker stopped'));
      // Handlers that ignore their signal keep their lease (renewed while they run), so no other worker
      // takes the event while they still run; if this process exits, the lease expires and it is retried.
      return { stillRunning: [...tasks.keys()] };
    },
    runOnce,
    async drain() {
      let total = 0;
      for (;;) {
        const n = await runOnce();
        total += n;
        if (n === 0) return total;
      }
    },
  };
  return worker;
}
