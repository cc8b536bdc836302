import { numberOption } from '../options.js';

/**
 * Exponential backoff: `baseMs × factor^(attempt-1)`, capped at `maxMs`, then reduced by up to `jitter` of itself.
 *
 * @example
 * ```ts
 * const backoff: BackoffOptions = { baseMs: 2_000, factor: 3, maxMs: 900_000, jitter: 0.3 }
 * ```
 */
export interface BackoffOptions {
  /** Delay after the first failed attempt. Default 5,000 ms. */
  readonly baseMs?: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
  /** Upper bound. Default 1 hour. */
  readonly maxMs?: number;
  /**
   * Share of the delay that is random, in [0, 1]: the delay is drawn from `[d × (1 - jitter), d]`, so workers
   * that failed together do not retry together. Default 0.2.
   */
  readonly jitter?: number;
}

/**
 * A backoff schedule: options, or a function from the attempt that failed (1-based) to a delay in ms.
 *
 * @example
 * ```ts
 * const steps: BackoffSchedule = (attempt) => [1_000, 10_000, 60_000][attempt - 1] ?? 300_000
 * ```
 */
export type BackoffSchedule = BackoffOptions | ((attempt: number) => number);

/**
 * The worker's default schedule: 5 s, 10 s, 20 s … capped at 1 h, each up to 20 % shorter at random.
 *
 * @example
 * ```ts
 * createWorker({ store, handlers, backoff: { ...DEFAULT_BACKOFF, maxMs: 600_000 } })
 * ```
 */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = {
  baseMs: 5_000,
  factor: 2,
  maxMs: 3_600_000,
  jitter: 0.2,
};

function check(name: string, value: number | undefined, fallback: number, min: number, max?: number): number {
  return numberOption('createBackoff', `backoff.${name}`, value, fallback, {
    min,
    ...(max === undefined ? {} : { max }),
  });
}

/**
 * Turns a schedule into `(attempt) => delayMs`, where `attempt` is the 1-based number of the attempt that
 * just failed.
 *
 * @example
 * ```ts
 * const delay = createBackoff({ baseMs: 1000, factor: 2, maxMs: 60_000, jitter: 0 })
 * delay(1) // 1000
 * delay(3) // 4000
 * ```
 */
export function createBackoff(
  schedule: BackoffSchedule = {},
  random: () => number = Math.random,
): (attempt: number) => number {
  if (typeof schedule === 'function') {
    return (attempt) => {
      const ms = schedule(attempt);
      return Number.isFinite(ms) && ms > 0 ? ms : 0;
    };
  }
  const baseMs = check('baseMs', schedule.baseMs, DEFAULT_BACKOFF.baseMs, 0);
  const factor = check('factor', schedule.factor, DEFAULT_BACKOFF.factor, 1);
  const maxMs = check('maxMs', schedule.maxMs, DEFAULT_BACKOFF.maxMs, 0);
  const jitter = check('jitter', schedule.jitter, DEFAULT_BACKOFF.jitter, 0, 1);
  return (attempt) => {
    const n = Math.max(1, Math.floor(attempt));
    const raw = Math.min(maxMs, baseMs * factor ** (n - 1));
    return Math.round(raw * (1 - jitter * random()));
  };
}
