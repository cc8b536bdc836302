// Group commit: inserts that arrive in the same event-loop turn share one transaction and one fsync, and each
// caller's promise settles only after that commit.
import { StoreUnavailableError } from '../../errors.js';

interface Queued<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

/** How a group commit writes: a batch in one transaction, or one item alone. */
export interface GroupCommitOptions<T, R> {
  readonly maxBatchSize: number;
  /** Commits every item in one transaction; returns one result per item, in order. */
  readonly commitBatch: (items: readonly T[]) => R[];
  /** Commits one item in its own transaction. */
  readonly commitOne: (item: T) => R;
  /** Maps a driver error to the error the caller sees. */
  readonly mapError: (error: unknown) => unknown;
}

/** A queue of writes committed together at the end of the current event-loop turn. */
export interface GroupCommit<T, R> {
  /** Queues `item`; resolves once the transaction holding it committed. */
  add(item: T): Promise<R>;
  /** Commits whatever is queued now (used by `close()`). */
  flush(): void;
}

/** Creates a group commit queue over synchronous commit functions (better-sqlite3). */
export function createGroupCommit<T, R>(options: GroupCommitOptions<T, R>): GroupCommit<T, R> {
  let queue: Queued<T, R>[] = [];
  let scheduled = false;

  const commitEachAlone = (batch: readonly Queued<T, R>[]) => {
    for (const entry of batch) {
      try {
        entry.resolve(options.commitOne(entry.item));
      } catch (error) {
        entry.reject(options.mapError(error));
      }
    }
  };

  const flush = () => {
    scheduled = false;
    while (queue.length > 0) {
      const batch = queue.slice(0, options.maxBatchSize);
      queue = queue.slice(options.maxBatchSize);
      try {
        const results = options.commitBatch(batch.map((entry) => entry.item));
        // Resolve only now: the commit (and its fsync) is done.
        for (const [i, entry] of batch.entries()) entry.resolve(results[i] as R);
      } catch (error) {
        const mapped = options.mapError(error);
        if (mapped instanceof StoreUnavailableError || batch.length === 1) {
          for (const entry of batch) entry.reject(mapped);
          continue;
        }
        // One item the database refused must not fail the others: commit them one by one.
        commitEachAlone(batch);
      }
    }
  };

  return {
    add(item: T): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    flush() {
      if (queue.length > 0) flush();
    },
  };
}
