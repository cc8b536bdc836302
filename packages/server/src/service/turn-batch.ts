// Both sides of the SQLite thread send what piled up during one turn of the event loop as one message: a
// message per item costs more than the insert it carries.

/**
 * Collects items and hands the whole list to `send` once the current turn of the event loop is done.
 *
 * @example
 * ```ts
 * const push = batchPerTurn<StoreCall>((calls) => worker.postMessage(calls))
 * push(call)
 * ```
 */
export function batchPerTurn<T>(send: (items: T[]) => void): (item: T) => void {
  let items: T[] = [];
  const flush = () => {
    const list = items;
    items = [];
    send(list);
  };
  return (item) => {
    items.push(item);
    if (items.length === 1) setImmediate(flush);
  };
}
