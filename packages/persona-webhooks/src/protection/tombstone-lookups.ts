// Tombstone lookups of concurrent deliveries share one query: every lookup asked for in the same moment
// (the same turn of the event loop, in Node) is answered by one `findTombstones` over all their ids.

/** Batches "is any of these objects tombstoned?" questions into one store query per moment. */
export interface TombstoneLookups {
  /** Resolves true when at least one of `ids` has a tombstone; rejects when the store's query fails. */
  any(ids: readonly string[]): Promise<boolean>;
}

interface Pending {
  readonly ids: readonly string[];
  readonly resolve: (hit: boolean) => void;
  readonly reject: (error: unknown) => void;
}

/** Runs `fn` once the current batch of callbacks is done (setImmediate where it exists, else a 0 ms timer). */
const soon: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);

/**
 * Creates the batcher over a store's `findTombstones`.
 *
 * @example
 * ```ts
 * const lookups = createTombstoneLookups((ids) => store.findTombstones(ids))
 * await lookups.any(['inq_1', 'act_1']) // false
 * ```
 */
export function createTombstoneLookups(
  findTombstones: (ids: readonly string[]) => Promise<string[]>,
): TombstoneLookups {
  let pending: Pending[] = [];

  const flush = () => {
    const batch = pending;
    pending = [];
    const all = new Set<string>();
    for (const entry of batch) for (const id of entry.ids) all.add(id);
    findTombstones([...all]).then(
      (found) => {
        const hits = new Set(found);
        for (const entry of batch) entry.resolve(entry.ids.some((id) => hits.has(id)));
      },
      (error: unknown) => {
        for (const entry of batch) entry.reject(error);
      },
    );
  };

  return {
    any(ids) {
      return new Promise<boolean>((resolve, reject) => {
        pending.push({ ids, resolve, reject });
        if (pending.length === 1) soon(flush);
      });
    },
  };
}
