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
  /** Whether this call reads; a call that does must then tell what it found (`found`). */
  due(): boolean;
  found(hit: boolean): void;
  /** Reads so far, and how many found the event. */
  counts(): { readonly reads: number; readonly found: number };
}

/** @internal Starts by reading every call, until reads show that duplicates are rare. */
export function createReadSampler(): ReadSampler {
  let reads = 0;
  let hits = 0;
  let share = 1;
  let skipped = 0;
  return {
    due() {
      if (share < RARE && ++skipped < PROBE_EVERY) return false;
      skipped = 0;
      return true;
    },
    found(hit) {
      reads += 1;
      if (hit) hits += 1;
      share = share * (1 - WEIGHT) + (hit ? WEIGHT : 0);
    },
    counts: () => ({ reads, found: hits }),
  };
}
