/**
 * The EventStore contract: one interface, three implementations (memory, SQLite, PostgreSQL), one
 * conformance suite (test/conformance/store-suite.ts) that all pass unchanged.
 *
 * Life of an event: insertIfAbsent → pending → claim → processing → complete → succeeded
 *                                                               └→ fail(retryAt) → retrying → claim …
 *                                                               └→ fail(dead)    → dead → requeue → pending
 * A lease that expires (crashed worker) makes the event claimable again; `attempts` is counted at
 * claim and `finishedAttempts` at complete/fail, so a gap between them shows crashes.
 */

export type EventStatus = 'pending' | 'processing' | 'succeeded' | 'retrying' | 'dead';

export const EVENT_STATUSES: readonly EventStatus[] = ['pending', 'processing', 'succeeded', 'retrying', 'dead'];

/** What the receiver stores for a newly delivered event. */
export interface NewEvent {
  /** Persona event id (`evt_…`): the unique key. */
  readonly id: string;
  readonly name: string;
  /** The event's `created-at`: per-resource order. */
  readonly createdAt: Date;
  /** The id of the Persona object the event is about (`inq_…`), for per-resource order; null if none. */
  readonly resourceId: string | null;
  /** The raw body as received (kept for processing and replay; pruned later). */
  readonly body: string;
  /** When this process received it. Default: now. */
  readonly receivedAt?: Date;
}

export interface StoredEvent {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly receivedAt: Date;
  readonly resourceId: string | null;
  readonly status: EventStatus;
  /** Attempts started (counted at claim). */
  readonly attempts: number;
  /** Attempts that reached complete/fail. `attempts - finishedAttempts` (outside a live lease) = crashes. */
  readonly finishedAttempts: number;
  /** When a retrying event becomes due. */
  readonly runAt: Date;
  readonly lockedBy: string | null;
  readonly lockedUntil: Date | null;
  /** A short, payload-free description of the last failure. */
  readonly lastError: string | null;
  /** Names of handlers that already succeeded: a retry runs only the others. */
  readonly completedHandlers: readonly string[];
  /** How many times Persona (or anyone) delivered it: 1 + duplicates seen. */
  readonly deliveries: number;
  /** The raw body, or null once the payload was pruned or scrubbed. */
  readonly body: string | null;
  readonly updatedAt: Date;
}

export interface InsertResult {
  /** true: stored now; false: a duplicate (the id was already stored). */
  readonly inserted: boolean;
  /** The status of the stored record (for a duplicate: of the first copy). */
  readonly status: EventStatus;
}

export interface ClaimOptions {
  /** Who holds the lease (a worker id). */
  readonly owner: string;
  /** How long the lease lasts unless extended. */
  readonly leaseMs: number;
  /** At most this many events. */
  readonly limit: number;
  /**
   * An event whose lease expired after this many started attempts goes to `dead` instead of being
   * claimed again (a poison event that kills its worker). Default: no limit.
   */
  readonly maxAttempts?: number;
  /** Only these names (e.g. the names a worker has handlers for). Default: all. */
  readonly names?: readonly string[];
  /**
   * Only these event ids (inline mode claims the event it just stored). Default: any. Per-resource order and
   * due-ness still apply: an id that is not due, leased elsewhere or blocked by an older event is not returned.
   */
  readonly ids?: readonly string[];
  readonly now?: Date;
}

export interface FailOptions {
  /** Short description of the failure: no payload content. */
  readonly error: string;
  /** When to retry; `null` moves the event to `dead`. */
  readonly retryAt: Date | null;
  /** Handlers that succeeded in this attempt (merged with the stored list). */
  readonly completedHandlers?: readonly string[];
  readonly now?: Date;
}

export interface CompleteOptions {
  readonly completedHandlers?: readonly string[];
  readonly now?: Date;
}

export interface ListFilter {
  readonly status?: EventStatus | readonly EventStatus[];
  readonly name?: string | readonly string[];
  readonly resourceId?: string;
  /** createdAt >= since */
  readonly since?: Date;
  /** createdAt < until */
  readonly until?: Date;
}

export interface ListOptions {
  /** Default 50, at most 1000. */
  readonly limit?: number;
  /** From a previous page's `nextCursor`. */
  readonly cursor?: string;
  /** Include `body` (default false). */
  readonly withBody?: boolean;
}

export interface ListPage {
  readonly events: StoredEvent[];
  /** null when there is no further page. Pages go newest first (createdAt desc, id desc). */
  readonly nextCursor: string | null;
}

export interface PruneOptions {
  /** Clear the body of finished (succeeded or dead) events received before this date. */
  readonly payloadsBefore?: Date;
  /** Delete whole dedupe records of finished events received before this date. Keep it far beyond Persona's ~51 h retry tail. */
  readonly recordsBefore?: Date;
}

export interface PruneResult {
  readonly payloadsCleared: number;
  readonly recordsDeleted: number;
}

export interface SetBodyOptions {
  /** Only replace a body that is still exactly this (null: only a cleared body). */
  readonly expected?: string | null;
}

/** A redacted or erased Persona object: events about it or linking to it are stored scrubbed from now on. */
export interface Tombstone {
  /** The Persona object id (`act_…`, `inq_…`, `ver_…`, …). */
  readonly objectId: string;
  /** The `*.redacted` event that caused it, or null for an erasure on request. */
  readonly eventId: string | null;
  /** Default: now. */
  readonly createdAt?: Date;
}

export interface StoreStats {
  readonly byStatus: Readonly<Record<EventStatus, number>>;
  readonly total: number;
  /** receivedAt of the oldest pending or retrying event, or null. */
  readonly oldestPendingReceivedAt: Date | null;
}

/**
 * Durable log of received events and their processing state.
 * Every method rejects with `StoreUnavailableError` when the database cannot be reached.
 */
export interface EventStore {
  /** Applies numbered migrations (idempotent, safe when several processes start at once). */
  migrate(): Promise<void>;
  /** Atomic insert keyed by id; resolves only once the insert is durable. A duplicate bumps `deliveries`. */
  insertIfAbsent(event: NewEvent): Promise<InsertResult>;
  /**
   * Leases due events to `owner`: pending or retrying with runAt <= now (a new event's runAt is its
   * receivedAt), or processing with an expired lease (those first, then by runAt, createdAt, id); the result
   * is sorted by createdAt.
   * Per-resource order: an event is not claimed while an older unfinished event (pending, processing or
   * retrying) with the same resourceId exists, so events about one object never run concurrently and run
   * in createdAt order. Increments `attempts`.
   */
  claim(options: ClaimOptions): Promise<StoredEvent[]>;
  /** Extends a lease still held by `owner`; false if it was lost. */
  extendLease(id: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Marks succeeded; false if `owner` no longer holds the lease (nothing changed). */
  complete(id: string, owner: string, options?: CompleteOptions): Promise<boolean>;
  /** Marks retrying (with runAt) or dead; false if `owner` no longer holds the lease. */
  fail(id: string, owner: string, options: FailOptions): Promise<boolean>;
  /** Gives a claimed event back untouched (graceful stop): pending, still due (runAt kept), attempts decremented. */
  release(id: string, owner: string): Promise<boolean>;
  get(id: string): Promise<StoredEvent | null>;
  list(filter?: ListFilter, options?: ListOptions): Promise<ListPage>;
  /** Replay: puts succeeded/dead events back to pending (attempt counts kept, completedHandlers cleared). Returns how many. */
  requeue(target: { id: string } | { filter: ListFilter }): Promise<number>;
  prune(options: PruneOptions): Promise<PruneResult>;
  stats(): Promise<StoreStats>;
  /**
   * Replaces the body (e.g. scrubbed on `*.redacted`); null clears it. With `expected`, only if the stored
   * body is still exactly that (compare-and-set: a re-encryption never undoes a concurrent scrub).
   * Returns whether a row changed.
   */
  setBody(id: string, body: string | null, options?: SetBodyOptions): Promise<boolean>;
  /** Records that these Persona objects were redacted or erased (idempotent per object id). */
  addTombstones(tombstones: readonly Tombstone[]): Promise<void>;
  /** Which of these object ids have a tombstone. */
  findTombstones(objectIds: readonly string[]): Promise<string[]>;
  /** Closes what the store opened itself (never the user's driver object). */
  close(): Promise<void>;
}
