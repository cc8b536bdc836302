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

/** Where a stored event came from: a webhook delivery, or Persona's Events API (reconcile). */
export type EventSource = 'webhook' | 'api';

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
  /**
   * Default `webhook`. `api`: recovered from the Events API by reconcile; a duplicate from the API is not
   * counted as a delivery (`deliveries` is not bumped).
   */
  readonly source?: EventSource;
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
  /**
   * How many times Persona (or anyone) delivered it: 1 + duplicates seen. The SQLite store answers a duplicate
   * from a read and writes its count within a second: until then only the process that took it counts it.
   */
  readonly deliveries: number;
  /** The raw body, or null once the payload was pruned or scrubbed. */
  readonly body: string | null;
  readonly updatedAt: Date;
  /** How the first copy arrived: `webhook`, or `api` (recovered by reconcile: its payload has no `included`). */
  readonly source: EventSource;
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
  /**
   * Only these names (e.g. the names a worker has handlers for). Default: all. Per-resource order then waits only
   * for older events of these names (an event of a name nobody claims would otherwise hold its object forever),
   * and, whatever their names, for events about the object running under a live lease.
   */
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

/** Options of `release`: the handlers that succeeded in the attempt given back (merged with those recorded). */
export interface ReleaseOptions {
  readonly completedHandlers?: readonly string[];
}

export interface ListFilter {
  readonly status?: EventStatus | readonly EventStatus[];
  readonly name?: string | readonly string[];
  readonly resourceId?: string;
  /** Only events delivered as webhooks, or only those recovered from the Events API by reconcile. */
  readonly source?: EventSource;
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

export interface ActivityOptions {
  /** Start of the first bucket (inclusive). */
  readonly since: Date;
  /** End of the last bucket (exclusive). Default: now. */
  readonly until?: Date;
  /** Width of a bucket in ms, at least 1000; at most 1440 buckets in all. */
  readonly bucketMs: number;
}

/** What happened in one time bucket (see `EventStore.activity`). */
export interface ActivityBucket {
  readonly start: Date;
  /** Events first received in the bucket. */
  readonly received: number;
  /** Events whose current state, recorded in the bucket, is `succeeded`. */
  readonly succeeded: number;
  /** Events whose current state, recorded in the bucket, is `retrying` or `dead`. */
  readonly failed: number;
}

/** How a reconcile run ended (`running`: in progress, or its process died; the next run resumes from it). */
export type ReconcileRunStatus = 'running' | 'succeeded' | 'failed';

/** One reconcile run, as recorded in the store (migration 3). */
export interface ReconcileRun {
  readonly id: string;
  readonly status: ReconcileRunStatus;
  /** Who ran it (`host:pid`). */
  readonly owner: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  /** The oldest `created-at` the run walks back to (the watermark). */
  readonly windowFrom: Date;
  /** The `created-at` of the newest event when the run began; null until the first page. */
  readonly windowTo: Date | null;
  /** Its event id: a later run that resumes this one skips from here to `cursor`. */
  readonly topEventId: string | null;
  /** `page[after]` to continue from: the last event of the last page fully stored. */
  readonly cursor: string | null;
  /** API events looked at. */
  readonly seen: number;
  readonly alreadyStored: number;
  readonly inserted: number;
  /** Events that could not be stored (an envelope the store refused). */
  readonly failed: number;
  /** Only these event names (`filter[name]`), or null for all. */
  readonly names: readonly string[] | null;
  /** Counted what is missing without inserting. */
  readonly dryRun: boolean;
  /** One line: why it failed. */
  readonly error: string | null;
  readonly updatedAt: Date;
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
   * Optional: `insertIfAbsent`, unless one of `objectIds` has a tombstone — then nothing is stored or counted and
   * the result is null. A store may answer a duplicate of an event already stored as `insertIfAbsent` does
   * (counted) whatever the tombstones, since nothing of it is stored; the SQLite and memory stores do, the
   * PostgreSQL store answers null and leaves the count to the caller's `insertIfAbsent`. Where the store can,
   * the tombstone check and the insert are one transaction (SQLite) or one statement (PostgreSQL).
   * `createProtectedStore` uses it when the store has it: one call instead of a `findTombstones` and then an
   * `insertIfAbsent`.
   */
  insertUnlessTombstoned?(event: NewEvent, objectIds: readonly string[]): Promise<InsertResult | null>;
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
  /**
   * Gives a claimed event back (graceful stop): pending, still due (runAt kept), attempts decremented. The
   * handlers that succeeded before the stop (`completedHandlers`) are recorded, so that they do not run again.
   */
  release(id: string, owner: string, options?: ReleaseOptions): Promise<boolean>;
  get(id: string): Promise<StoredEvent | null>;
  list(filter?: ListFilter, options?: ListOptions): Promise<ListPage>;
  /** How many events match (the dashboard's bulk replay names the number before it acts). */
  count(filter?: ListFilter): Promise<number>;
  /**
   * Events per time bucket, oldest bucket first, every bucket present (zeros included): received by
   * `receivedAt`; succeeded and failed by the time their current state was recorded (`updatedAt`), so an
   * event that failed and then succeeded counts once, as succeeded.
   */
  activity(options: ActivityOptions): Promise<ActivityBucket[]>;
  /** Replay: puts succeeded/dead events back to pending (attempt counts kept, completedHandlers cleared). Returns how many. */
  requeue(target: { id: string } | { filter: ListFilter }): Promise<number>;
  prune(options: PruneOptions): Promise<PruneResult>;
  stats(): Promise<StoreStats>;
  /** Inserts or replaces a reconcile run record (by id). */
  saveReconcileRun(run: ReconcileRun): Promise<void>;
  /** Reconcile runs, newest first (by startedAt). Default limit 20, at most 1000. */
  listReconcileRuns(options?: { limit?: number }): Promise<ReconcileRun[]>;
  /**
   * Takes (or renews) the lock that lets one process reconcile at a time: true if `owner` holds it now. On
   * PostgreSQL a session advisory lock (released if the process dies); on SQLite and memory a lease of `ttlMs`.
   */
  acquireReconcileLock(owner: string, ttlMs: number): Promise<boolean>;
  /** Releases the lock if `owner` holds it. */
  releaseReconcileLock(owner: string): Promise<void>;
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
