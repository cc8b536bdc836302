// A job a service process runs shortly after start and then on an interval (retention, reconcile).

/** A started schedule. */
export interface Periodic<T> {
  /** Runs now unless a run is already going (then waits for that one). */
  runOnce(): Promise<T>;
  /** Cancels the timer, aborts the signal given to the job, and waits for a running job. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Runs `job` after `firstDelayMs`, then `intervalMs` after each run ends (runs never overlap). The timer is
 * unref'd. `job` must not reject: it logs its own failures.
 *
 * @example
 * ```ts
 * const periodic = startPeriodic((signal) => prune(signal), { intervalMs: 3_600_000, firstDelayMs: 5000 })
 * await periodic.stop()
 * ```
 */
export function startPeriodic<T>(
  job: (signal: AbortSignal) => Promise<T>,
  options: { intervalMs: number; firstDelayMs: number },
): Periodic<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<T> | null = null;
  let stopped = false;

  const runOnce = (): Promise<T> => {
    running ??= job(controller.signal).finally(() => {
      running = null;
    });
    return running;
  };
  const schedule = (delayMs: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      void runOnce().then(() => schedule(options.intervalMs));
    }, delayMs);
    timer.unref();
  };
  schedule(options.firstDelayMs);

  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      controller.abort(new Error('the service is stopping'));
      await running;
    },
  };
}
