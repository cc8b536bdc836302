// The object ids of an insertUnlessTombstoned call cross to the SQLite thread as one string joined by U+0000
// (which no id from the redaction check holds), in the call's own `packedIds` field: one string to copy each way
// instead of an array of dozens (a Persona delivery names every object it includes: 33 ids in the benchmark's
// 8 KB event). Measured with node:v8's serializer, the array cost ~9 µs to serialize and deserialize against
// ~0.5 µs for the string.

const SEPARATOR = '\u0000';

/** @internal `ids` as one string, or undefined when that would lose something (then send the array). */
export function packObjectIds(ids: unknown): string | undefined {
  if (!Array.isArray(ids)) return undefined;
  for (const id of ids) if (typeof id !== 'string' || id === '' || id.includes(SEPARATOR)) return undefined;
  return ids.join(SEPARATOR);
}

/** @internal The ids `packObjectIds` packed. */
export function unpackObjectIds(packed: string): string[] {
  return packed === '' ? [] : packed.split(SEPARATOR);
}
