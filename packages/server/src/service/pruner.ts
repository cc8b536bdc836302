// Retention in the service: a worker process prunes the store shortly after start, then on an interval.
import { type EventStore, type PruneResult, pruneByRetention } from 'persona-webhooks';
import { describeError, type Logger } from './logger.js';
import { startPeriodic } from './periodic.js';

/** A started pruning schedule. */
export interface Pruner {
  /** Prunes now (also what the timer runs). Never rejects: errors are logged. */
  runOnce(): Promise<PruneResult | null>;
  /** Cancels the timer and waits for a running prune to finish. Idempotent. */
  stop(): Promise<void>;
}

export interface PrunerOptions {
  readonly store: EventStore;
  readonly recordDays: number;
  readonly payloadDays: number;
  readonly intervalMs: number;
  /** Delay of the first run after start, in ms (default: 5 s, or the interval if shorter). */
  readonly firstDelayMs?: number;
  readonly logger: Logger;
  /** Called with the counts of each successful run (e.g. metrics). */
  readonly onPruned?: (result: PruneResult) => void;
}

/**
 * Starts pruning a store by retention: once shortly after start, then every `intervalMs`. The timer is
 * unref'd (it never keeps the process alive) and a failed run is logged, never thrown.
 *
 * @example
 * ```ts
 * const pruner = startPruner({ store, recordDays: 90, payloadDays: 30, intervalMs: 3_600_000, logger })
 * await pruner.stop()
 * ```
 */
export function startPruner(options: PrunerOptions): Pruner {
  const log = options.logger;
  return startPeriodic(
    async (): Promise<PruneResult | null> => {
      try {
        const result = await pruneByRetention(options.store, {
          recordDays: options.recordDays,
          payloadDays: options.payloadDays,
        });
        options.onPruned?.(result);
        const facts = {
          payloadsCleared: result.payloadsCleared,
          recordsDeleted: result.recordsDeleted,
          recordDays: options.recordDays,
          payloadDays: options.payloadDays,
        };
        if (result.payloadsCleared > 0 || result.recordsDeleted > 0) log.info(facts, 'pruned by retention');
        else log.debug(facts, 'pruned by retention: nothing to prune');
        return result;
      } catch (error) {
        log.warn({ error: describeError(error) }, 'pruning by retention failed: will try again at the next interval');
        return null;
      }
    },
    { intervalMs: options.intervalMs, firstDelayMs: options.firstDelayMs ?? Math.min(5000, options.intervalMs) },
  );
}
