// A small seeded PRNG: sample events must be reproducible from a seed, on any runtime (no node:crypto).

/** @internal Seeded (or, without a seed, randomly seeded) source of sample values. */
export interface SampleRandom {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, max). */
  int(max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** A Persona-looking object id: `prefix` + 24 base58 characters. */
  id(prefix: string): string;
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function hashSeed(seed: number | string): number {
  // FNV-1a over the seed's text, so 1 and '1' give the same stream.
  let h = 0x811c9dc5;
  const text = String(seed);
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** @internal Creates a mulberry32 generator. */
export function createSampleRandom(seed?: number | string): SampleRandom {
  let state = seed === undefined ? Math.floor(Math.random() * 0x100000000) >>> 0 : hashSeed(seed);
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x100000000;
  };
  const int = (max: number): number => Math.floor(next() * max);
  return {
    next,
    int,
    pick<T>(items: readonly T[]): T {
      return items[int(items.length)] as T;
    },
    id(prefix: string): string {
      let out = prefix;
      for (let i = 0; i < 24; i++) out += BASE58[int(BASE58.length)];
      return out;
    },
  };
}
