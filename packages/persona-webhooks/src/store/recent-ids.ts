// The newest ids a duplicate check was told are stored, each with a status, in typed arrays: no object per entry,
// so remembering tens of thousands of ids adds no work for the garbage collector. A Map of id strings did: each
// id lived long enough to reach the old generation and left it as garbage when pushed out, and the larger live
// heap let V8 grow it further between collections (serve's RSS swung ±30% in a 5-minute soak instead of ±6%;
// bench/results/server-notes.md, stop 13).
//
// Layout: `capacity` slots filled in turn (a ring: the first remembered is overwritten first), each holding an id
// of at most MAX_ID_LENGTH characters below U+0080 as bytes, its length, its hash, its status and when it was last
// set; and an open-addressing table (linear probing, at most half full) from hash to slot. An id that does not fit
// is not remembered, and one set longer ago than `maxAgeMs` is not answered: the caller reads the store for it, as
// for any id not remembered. About 70 bytes an id (slots 62, table 8).

import { EVENT_STATUSES, type EventStatus } from './store.js';

/** The longest id kept (Persona's are `evt_` and 24 characters). */
export const MAX_ID_LENGTH = 48;

/** @internal */
export interface RecentIds {
  /** The status remembered for `id`, or undefined. */
  get(id: string): EventStatus | undefined;
  /** Remembers `id` (or updates its status), pushing out the oldest id when full. False when `id` cannot be kept. */
  set(id: string, status: EventStatus): boolean;
  /** Forgets every id. */
  clear(): void;
  /** How many ids are remembered. */
  readonly size: number;
}

const NOT_KEPT = -1;

/** FNV-1a over the character codes; -1 when the id cannot be kept (too long, empty, or a character ≥ U+0080). */
function hashOf(id: string): number {
  const length = id.length;
  if (length === 0 || length > MAX_ID_LENGTH) return NOT_KEPT;
  let h = 0x811c9dc5;
  for (let i = 0; i < length; i++) {
    const c = id.charCodeAt(i);
    if (c >= 0x80) return NOT_KEPT;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h >>> 0;
}

/** Options of {@link createRecentIds}. */
export interface RecentIdsOptions {
  /** How long after it was last set an id is answered. Default: no limit. */
  readonly maxAgeMs?: number;
  /** The clock, in milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

/** @internal Remembers up to `capacity` ids (0: none; every `get` answers undefined). */
export function createRecentIds(capacity: number, options: RecentIdsOptions = {}): RecentIds {
  const maxAgeMs = options.maxAgeMs ?? Number.POSITIVE_INFINITY;
  const now = options.now ?? Date.now;
  const bytes = new Uint8Array(capacity * MAX_ID_LENGTH);
  const lengths = new Uint8Array(capacity);
  const hashes = new Uint32Array(capacity);
  const statuses = new Uint8Array(capacity);
  const setAt = new Float64Array(capacity);
  // Table of slot + 1 (0: empty); a power of two at least twice the capacity keeps probe runs short.
  let tableSize = 2;
  while (tableSize < capacity * 2) tableSize *= 2;
  const table = new Int32Array(capacity === 0 ? 0 : tableSize);
  const mask = tableSize - 1;
  let next = 0; // the slot written next (the oldest once full)
  let size = 0;

  const sameId = (slot: number, id: string): boolean => {
    if (lengths[slot] !== id.length) return false;
    const at = slot * MAX_ID_LENGTH;
    for (let i = 0; i < id.length; i++) if (bytes[at + i] !== id.charCodeAt(i)) return false;
    return true;
  };

  /** The table position holding `id`, or -1. */
  const find = (id: string, h: number): number => {
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const entry = table[p] as number;
      if (entry === 0) return -1;
      const slot = entry - 1;
      if (hashes[slot] === h && sameId(slot, id)) return p;
    }
  };

  /** Empties table position `p`, moving later entries of its probe run back so that every lookup still finds them. */
  const removeAt = (p: number): void => {
    let hole = p;
    table[hole] = 0;
    for (let q = (hole + 1) & mask; table[q] !== 0; q = (q + 1) & mask) {
      const home = (hashes[(table[q] as number) - 1] as number) & mask;
      // The entry at q may move to the hole only if its home is not cyclically within (hole, q].
      const between = hole <= q ? home > hole && home <= q : home > hole || home <= q;
      if (between) continue;
      table[hole] = table[q] as number;
      table[q] = 0;
      hole = q;
    }
  };

  return {
    get(id) {
      if (size === 0) return undefined;
      const h = hashOf(id);
      if (h === NOT_KEPT) return undefined;
      const p = find(id, h);
      if (p < 0) return undefined;
      const slot = (table[p] as number) - 1;
      if (now() - (setAt[slot] as number) > maxAgeMs) return undefined;
      return EVENT_STATUSES[statuses[slot] as number];
    },
    set(id, status) {
      if (capacity === 0) return false;
      const h = hashOf(id);
      if (h === NOT_KEPT) return false;
      const code = EVENT_STATUSES.indexOf(status);
      if (code < 0) return false;
      const p = find(id, h);
      if (p >= 0) {
        statuses[(table[p] as number) - 1] = code;
        setAt[(table[p] as number) - 1] = now();
        return true;
      }
      const slot = next;
      if (size === capacity) {
        // Full: the slot about to be overwritten holds the oldest id; take it out of the table first.
        let q = (hashes[slot] as number) & mask;
        while (table[q] !== slot + 1) q = (q + 1) & mask;
        removeAt(q);
      } else size += 1;
      const at = slot * MAX_ID_LENGTH;
      for (let i = 0; i < id.length; i++) bytes[at + i] = id.charCodeAt(i);
      lengths[slot] = id.length;
      hashes[slot] = h;
      statuses[slot] = code;
      setAt[slot] = now();
      let q = h & mask;
      while (table[q] !== 0) q = (q + 1) & mask;
      table[q] = slot + 1;
      next = (slot + 1) % capacity;
      return true;
    },
    clear() {
      table.fill(0);
      next = 0;
      size = 0;
    },
    get size() {
      return size;
    },
  };
}
