import { numberOption } from '../options.js';
import type { EventStore, PruneOptions, PruneResult } from './store.js';

const DAY_MS = 86_400_000;

/**
 * Retention defaults and bounds, in days (the library's `pruneByRetention` and `serve` read them here).
 *
 * @example
 * ```ts
 * await pruneByRetention(store, { recordDays: RETENTION_DEFAULTS.recordDays, payloadDays: 7 })
 * ```
 */
export const RETENTION_DEFAULTS = Object.freeze({
  /** How long a dedupe record (id, name, times, status) is kept: far beyond Persona's ~51 h retries. */
  recordDays: 90,
  /** How long a finished event's payload (personal data) is kept. */
  payloadDays: 30,
  /**
   * The shortest record retention accepted: Persona retries a delivery for about 51 hours, and a record pruned
   * before the last retry would let that retry run the handlers again.
   */
  minRecordDays: 3,
});

/** Retention periods, in days. */
export interface RetentionOptions {
  /** Default 90. At least 3 (beyond Persona's retry tail). */
  readonly recordDays?: number;
  /** Default 30. At most `recordDays`; 0 clears payloads as soon as an event is finished. */
  readonly payloadDays?: number;
  readonly now?: Date;
}

/**
 * Turns retention periods into the cutoff dates `store.prune()` takes, refusing a record retention short
 * enough to let a late Persona retry be processed twice.
 *
 * @example
 * ```ts
 * await store.prune(retentionCutoffs({ recordDays: 90, payloadDays: 7 }))
 * ```
 */
export function retentionCutoffs(options: RetentionOptions = {}): Required<PruneOptions> {
  const recordDays = numberOption('retentionCutoffs', 'recordDays', options.recordDays, RETENTION_DEFAULTS.recordDays, {
    min: RETENTION_DEFAULTS.minRecordDays,
    unit: 'days',
    hint: 'Persona retries for ~51 h, and a pruned record lets a late retry run again.',
  });
  const payloadDays = Math.min(
    numberOption('retentionCutoffs', 'payloadDays', options.payloadDays, RETENTION_DEFAULTS.payloadDays, {
      min: 0,
      unit: 'days',
    }),
    recordDays,
  );
  const now = (options.now ?? new Date()).getTime();
  return {
    recordsBefore: new Date(now - recordDays * DAY_MS),
    payloadsBefore: new Date(now - payloadDays * DAY_MS),
  };
}

/**
 * Prunes a store by retention periods (run it daily, from one process or several: it is idempotent).
 *
 * @example
 * ```ts
 * setInterval(() => pruneByRetention(store, { payloadDays: 7 }).catch(log), 86_400_000).unref()
 * ```
 */
export function pruneByRetention(store: EventStore, options: RetentionOptions = {}): Promise<PruneResult> {
  try {
    return store.prune(retentionCutoffs(options));
  } catch (error) {
    return Promise.reject(error);
  }
}
