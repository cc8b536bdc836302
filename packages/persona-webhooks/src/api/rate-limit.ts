// Keeps a client inside its share of Persona's rate limit: 300 requests per minute per environment, a fixed
// window shared by every key (https://docs.withpersona.com/rate-limiting).

/** Persona's default limit and window. The limit is learnt from `RateLimit-Limit` once an answer arrives. */
export const PERSONA_RATE_LIMIT = 300;
export const PERSONA_RATE_WINDOW_MS = 60_000;

/** What the last answer said about the window. */
export interface RateLimitState {
  /** `RateLimit-Limit`: requests per window for the whole environment. */
  readonly limit: number;
  /** `RateLimit-Remaining` of the last answer, or null before the first one. */
  readonly remaining: number | null;
  /** When the window resets (from `RateLimit-Reset`), or null before the first answer. */
  readonly resetAt: number | null;
  /** Requests this client may send per window: `floor(limit × share)`. */
  readonly budget: number;
}

/** @internal Options of the pacer; times are in real (scaled) milliseconds. */
export interface PacerOptions {
  /** Fraction of the limit this client may use, in (0, 1]. */
  readonly share: number;
  /** Multiplies every wait (a window is `60 s × timeScale`): tests run Persona's minute in less. */
  readonly timeScale: number;
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Spaces this client's requests evenly over the window (never more than `budget` in any window-long span,
 * whatever the window's phase), and when `RateLimit-Remaining` says the rest of the environment's allowance is
 * the room left for other callers, waits for the reset.
 * @internal
 * @example
 * ```ts
 * const pacer = createPacer({ share: 0.5, timeScale: 1, now: Date.now, sleep })
 * await pacer.acquire(); const res = await fetch(url); pacer.observe(res.headers, Date.now())
 * ```
 */
export function createPacer(options: PacerOptions) {
  const windowMs = PERSONA_RATE_WINDOW_MS * options.timeScale;
  let limit = PERSONA_RATE_LIMIT;
  let remaining: number | null = null;
  let resetAt: number | null = null;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  // One request at a time through the gate, so concurrent callers cannot both take the same slot.
  let gate: Promise<void> = Promise.resolve();

  const budget = () => Math.max(1, Math.floor(limit * options.share));
  const reserve = () => limit - budget();

  async function waitForSlot(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = options.now();
      let until = lastSentAt + windowMs / budget();
      if (remaining !== null && resetAt !== null && remaining <= reserve() && resetAt > now) {
        until = Math.max(until, resetAt);
      }
      if (now >= until) break;
      await options.sleep(until - now, signal);
    }
    lastSentAt = options.now();
    // The answer refreshes `remaining`; until then, count this request against it.
    if (remaining !== null) remaining -= 1;
  }

  return {
    /** Resolves when the next request may be sent. */
    acquire(signal?: AbortSignal): Promise<void> {
      const turn = gate.then(() => waitForSlot(signal));
      gate = turn.catch(() => undefined);
      return turn;
    },
    /** Reads `RateLimit-Limit`, `-Remaining` and `-Reset` (seconds, scaled by `timeScale`). */
    observe(headers: { get(name: string): string | null }, receivedAt: number): void {
      const l = Number(headers.get('ratelimit-limit') ?? Number.NaN);
      const r = Number(headers.get('ratelimit-remaining') ?? Number.NaN);
      const s = Number(headers.get('ratelimit-reset') ?? Number.NaN);
      if (Number.isInteger(l) && l > 0) limit = l;
      if (Number.isInteger(r) && r >= 0) remaining = r;
      if (Number.isFinite(s) && s >= 0) resetAt = receivedAt + s * 1000 * options.timeScale;
    },
    /** Milliseconds until the window the last answer described resets (0 if unknown or past). */
    msUntilReset(now: number): number {
      return resetAt === null ? 0 : Math.max(0, resetAt - now);
    },
    state(): RateLimitState {
      return { limit, remaining, resetAt, budget: budget() };
    },
  };
}

/** @internal */
export type Pacer = ReturnType<typeof createPacer>;
