// The simulator's events, newest first, and the Events API's paging and filters over them.

/** An event the simulator holds: the kebab-case envelope a delivery would carry, with `included`. */
export interface SimulatedEvent {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
  /** `payload.data.id`: what `filter[object-id]` matches. */
  readonly objectId: string | null;
  readonly envelope: { readonly data: { readonly id: string; readonly attributes: Record<string, unknown> } };
}

/** The query of `GET /events`, already read from the URL. */
export interface EventQuery {
  readonly size: number;
  readonly after?: string;
  readonly before?: string;
  readonly names?: readonly string[];
  readonly objectIds?: readonly string[];
  readonly ids?: readonly string[];
}

/**
 * @internal A query the simulator answers 400 to, with Persona's error wording.
 * @example
 * ```ts
 * throw new BadQueryError('No event with id evt_x for the page cursor')
 * ```
 */
export class BadQueryError extends Error {}

/**
 * @internal Events newest first (created-at desc, then the later-added first), with Persona's cursor paging.
 * @example
 * ```ts
 * const log = createEventLog(); log.add(event)
 * const { items, hasOlder, hasNewer } = log.page({ size: 100 })
 * ```
 */
export function createEventLog() {
  // Kept sorted newest first; inserts are by binary search since tests may add events out of created-at order.
  const events: SimulatedEvent[] = [];
  const byId = new Map<string, SimulatedEvent>();

  function newerThan(a: SimulatedEvent, b: SimulatedEvent): boolean {
    return a.createdAt.getTime() >= b.createdAt.getTime();
  }

  return {
    add(event: SimulatedEvent): boolean {
      if (byId.has(event.id)) return false;
      let lo = 0;
      let hi = events.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (newerThan(event, events[mid] as SimulatedEvent)) hi = mid;
        else lo = mid + 1;
      }
      events.splice(lo, 0, event);
      byId.set(event.id, event);
      return true;
    },
    get(id: string): SimulatedEvent | undefined {
      return byId.get(id);
    },
    all(): readonly SimulatedEvent[] {
      return events;
    },
    get size(): number {
      return events.length;
    },
    page(query: EventQuery): { items: SimulatedEvent[]; hasOlder: boolean; hasNewer: boolean } {
      const names = query.names ? new Set(query.names) : null;
      const objectIds = query.objectIds ? new Set(query.objectIds) : null;
      const ids = query.ids ? new Set(query.ids) : null;
      const matches = (e: SimulatedEvent) =>
        (names === null || names.has(e.name)) &&
        (objectIds === null || (e.objectId !== null && objectIds.has(e.objectId))) &&
        (ids === null || ids.has(e.id));
      const index = (cursor: string) => {
        const at = events.findIndex((e) => e.id === cursor);
        if (at === -1) throw new BadQueryError(`No event with id ${cursor.slice(0, 64)} for the page cursor`);
        return at;
      };
      if (query.before !== undefined) {
        // The `size` matching events just newer than the cursor, still listed newest first.
        const items: SimulatedEvent[] = [];
        let i = index(query.before) - 1;
        for (; i >= 0 && items.length < query.size; i--) {
          const e = events[i] as SimulatedEvent;
          if (matches(e)) items.unshift(e);
        }
        let hasNewer = false;
        for (; i >= 0 && !hasNewer; i--) hasNewer = matches(events[i] as SimulatedEvent);
        return { items, hasOlder: true, hasNewer };
      }
      const start = query.after === undefined ? 0 : index(query.after) + 1;
      const items: SimulatedEvent[] = [];
      let i = start;
      for (; i < events.length && items.length < query.size; i++) {
        const e = events[i] as SimulatedEvent;
        if (matches(e)) items.push(e);
      }
      let hasOlder = false;
      for (; i < events.length && !hasOlder; i++) hasOlder = matches(events[i] as SimulatedEvent);
      return { items, hasOlder, hasNewer: query.after !== undefined };
    },
  };
}

/** @internal */
export type EventLog = ReturnType<typeof createEventLog>;
