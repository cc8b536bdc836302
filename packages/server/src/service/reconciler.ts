// serve --reconcile-every: a worker process reconciles on an interval. On PostgreSQL the store's advisory lock
// lets one process at a time run; the others skip that turn.
import type { EventStore } from 'persona-webhooks';
import { type PersonaClient, type ReconcileResult, reconcile } from 'persona-webhooks/api';
import { describeError, type Logger } from './logger.js';
import { type Periodic, startPeriodic } from './periodic.js';

export interface ReconcilerOptions {
  readonly store: EventStore;
  readonly client: PersonaClient;
  readonly intervalMs: number;
  /** Where a first run starts: now minus this (default: the reconcile margin, 72 h). */
  readonly firstWindowMs: number;
  readonly owner: string;
  readonly logger: Logger;
  /** Delay of the first run after start. Default: 10 s, or the interval if shorter. */
  readonly firstDelayMs?: number;
  readonly onResult?: (result: ReconcileResult | 'locked' | 'failed') => void;
}

/**
 * Starts reconciling on an interval. A run that fails is logged (one line) and recorded in the store; the next
 * turn resumes it. Stopping aborts a running reconcile, which is then recorded as failed and resumed later.
 *
 * @example
 * ```ts
 * const reconciler = startReconciler({ store, client, intervalMs: 900_000, firstWindowMs: 72 * 3_600_000, owner, logger })
 * await reconciler.stop()
 * ```
 */
export function startReconciler(options: ReconcilerOptions): Periodic<void> {
  const log = options.logger;
  const report = (result: ReconcileResult | 'locked' | 'failed') => {
    try {
      options.onResult?.(result);
    } catch {
      // metrics only
    }
  };
  return startPeriodic(
    async (signal) => {
      try {
        const result = await reconcile({
          client: options.client,
          store: options.store,
          owner: options.owner,
          defaultSince: new Date(Date.now() - options.firstWindowMs),
          signal,
        });
        const { run } = result;
        log.info(
          {
            run: run.id,
            seen: run.seen,
            inserted: run.inserted,
            alreadyStored: run.alreadyStored,
            failed: run.failed,
            pages: result.pages,
            resumedFrom: result.resumedFrom,
            windowFrom: run.windowFrom.toISOString(),
            startedAt: run.startedAt.toISOString(),
            finishedAt: run.finishedAt?.toISOString(),
          },
          'reconcile finished',
        );
        report(result);
      } catch (error) {
        const code = (error as { code?: unknown })?.code;
        const message = describeError(error);
        if (code === 'reconcile_locked') {
          log.info({ owner: options.owner }, 'reconcile skipped: another process is reconciling');
          report('locked');
        } else if (!signal.aborted) {
          // The status and Persona's Request-Id (for Persona support) as fields: the scrubbed message loses them.
          const { httpStatus, requestId } =
            (error as { details?: { httpStatus?: number; requestId?: string } }).details ?? {};
          log.warn(
            { error: message, code, httpStatus, requestId },
            'reconcile failed: recorded, the next run resumes it',
          );
          report('failed');
        }
      }
    },
    { intervalMs: options.intervalMs, firstDelayMs: options.firstDelayMs ?? Math.min(10_000, options.intervalMs) },
  );
}
