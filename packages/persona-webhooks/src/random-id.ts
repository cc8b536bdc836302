// Random ids for lease owners and reconcile runs, from Web Crypto (Node, Bun, Deno and Workers all have it).

/**
 * @internal `prefix` and 24 random hex digits (96 bits): unique across processes and machines.
 *
 * @example
 * ```ts
 * randomId('rcn_') // 'rcn_3f9c0a…'
 * ```
 */
export function randomId(prefix = ''): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
