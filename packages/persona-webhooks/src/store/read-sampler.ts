// Which inserts read before they write. A read first makes a duplicate delivery cheap (answered at once, no
// transaction to wait for); for a new event it finds nothing and only costs (a read transaction of its own:
// locks and a b-tree search, measured in bench/results/server-notes.md). So while reads rarely find the event,
// only one call in PROBE_EVERY reads; once they find duplicates again (a redelivery storm after an outage),
// every call reads. A call that does not read inserts, and the insert answers a duplicate correctly too.

/** Below this moving share of reads that found the event, only one call in PROBE_EVERY reads. */
const RARE = 0.05;
const PROBE_EVERY = 64;
/** Weight of the latest read in the moving share. */
const WEIGHT = 0.1;

/** @internal */
export interface ReadSampler {
  /**
   * `lookup()`'s answer when this call reads, or undefined at once when it does not (then the caller inserts).
   * What the lookup finds (anything but undefined) decides whether later calls read.
   */
  read<T>(lookup: () => T | undefined): T | undefined;
  /** Reads so far, and how many found the event. */
  counts(): { readonly reads: number; readonly found: number };
}

/**
 * @internal Starts by reading every call, until reads show that duplicates are rare. With `sample: false`
 * every call reads (and is counted).
 */
export function createReadSampler(options: { readonly sample?: boolean } = {}): ReadSampler {
  const sample = options.sample ?? true;
  let reads = 0;
  let hits = 0;
  let share = 1;
  let skipped = 0;
  return {
    read(lookup) {
      if (sample && share < RARE && ++skipped < PROBE_EVERY) return undefined;
      skipped = 0;
      const found = lookup();
      const hit = found !== undefined;
      reads += 1;
      if (hit) hits += 1;
      share = share * (1 - WEIGHT) + (hit ? WEIGHT : 0);
      return found;
    },
    counts: () => ({ reads, found: hits }),
  };
}
