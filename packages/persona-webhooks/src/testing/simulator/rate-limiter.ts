// The simulator's rate limit: Persona's fixed window (60 s, scaled), one count per environment shared by all keys.

/** One window's count, as the simulator saw it. */
export interface RateWindow {
  /** Window number since the simulator started (0, 1, 2 …). */
  readonly index: number;
  /** Authenticated requests that arrived in it, the 429-answered ones included. */
  readonly requests: number;
  /** Of those, answered 429. */
  readonly limited: number;
}

/**
 * @internal Counts requests per fixed window and says whether one is over the limit.
 * @example
 * ```ts
 * const limiter = createRateLimiter({ limit: 300, windowMs: 60_000, now: () => performance.now() })
 * const { allowed, remaining, resetMs } = limiter.take()
 * ```
 */
export function createRateLimiter(options: { limit: number; windowMs: number; now: () => number }) {
  const started = options.now();
  const windows: { index: number; requests: number; limited: number }[] = [];

  function current() {
    const index = Math.floor((options.now() - started) / options.windowMs);
    let last = windows[windows.length - 1];
    if (last === undefined || last.index !== index) {
      last = { index, requests: 0, limited: 0 };
      windows.push(last);
      // Bounded memory for a long-running simulator: keep the last day of windows.
      if (windows.length > 1440) windows.shift();
    }
    return last;
  }

  return {
    limit: options.limit,
    /** Counts one request; `forceLimited` answers 429 whatever the count (a fault switch). */
    take(forceLimited = false): { allowed: boolean; remaining: number; resetMs: number } {
      const w = current();
      w.requests++;
      const allowed = !forceLimited && w.requests <= options.limit;
      if (!allowed) w.limited++;
      const resetMs = started + (w.index + 1) * options.windowMs - options.now();
      return { allowed, remaining: Math.max(0, options.limit - w.requests), resetMs };
    },
    windows(): readonly RateWindow[] {
      return windows.map((w) => ({ ...w }));
    },
  };
}
