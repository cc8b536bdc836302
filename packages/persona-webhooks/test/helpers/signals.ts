// Waiting on conditions instead of sleeping: a test calls `changed()` wherever its state moves (a handler
// starts, an outcome is reported) and awaits `until(condition)`, which settles the moment the condition holds.

/** A set of pending waits re-checked whenever the test's state changes. */
export interface Signals {
  /** Re-check every pending wait; call it after each state change the test observes. */
  changed(): void;
  /** Resolves once `condition()` is true (at once if it already is). */
  until(condition: () => boolean): Promise<void>;
}

/**
 * Condition waits for a test.
 *
 * @example
 * ```ts
 * const { changed, until } = createSignals();
 * const worker = createWorker({ store, handlers, onEvent: (i) => { done.push(i); changed(); } });
 * worker.start();
 * await until(() => done.length === 3);
 * ```
 */
export function createSignals(): Signals {
  const waits = new Set<{ condition: () => boolean; resolve: () => void }>();
  return {
    changed() {
      for (const wait of [...waits]) {
        if (!wait.condition()) continue;
        waits.delete(wait);
        wait.resolve();
      }
    },
    until(condition) {
      if (condition()) return Promise.resolve();
      return new Promise((resolve) => waits.add({ condition, resolve }));
    },
  };
}

/**
 * A promise with its resolve function outside, for a gate a test opens.
 *
 * @example
 * ```ts
 * const gate = deferred();
 * handlers.onAny(() => gate.promise);
 * gate.resolve();
 * ```
 */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Keeps the process alive while a test waits on work driven only by unref'd timers (the worker's
 * heartbeats): without it Node ends the test with the wait still pending. Returns the function that lets go.
 *
 * @example
 * ```ts
 * const letGo = keepAlive();
 * await until(() => renewals >= 5);
 * letGo();
 * ```
 */
export function keepAlive(): () => void {
  const timer = setInterval(() => {}, 60_000);
  return () => clearInterval(timer);
}
