import type {
  ActivityBucket,
  ActivityOptions,
  ClaimOptions,
  CompleteOptions,
  EventSource,
  EventStatus,
  EventStore,
  FailOptions,
  InsertResult,
  ListFilter,
  ListOptions,
  ListPage,
  NewEvent,
  PruneOptions,
  PruneResult,
  ReconcileRun,
  ReleaseOptions,
  SetBodyOptions,
  StoredEvent,
  StoreStats,
  Tombstone,
} from '../store.js';
import {
  type ActivityRow,
  checkActivityOptions,
  checkClaimOptions,
  checkLeaseMs,
  checkListRequest,
  checkLockRequest,
  checkNewEvent,
  checkObjectIds,
  checkPruneOptions,
  checkReconcileRun,
  checkRequeueTarget,
  checkRetryAt,
  checkTombstones,
  emptyStatusCounts,
  FINISHED_STATUSES,
  mergeHandlers,
  type NormalizedFilter,
  normalizeFilter,
  reconcileRunsLimit,
  shortError,
  toActivityBuckets,
  toListPage,
  UNFINISHED_STATUSES,
} from '../store-common.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** The clock used when a call passes no `now`. Default: `() => new Date()`. */
  readonly clock?: () => Date;
}

interface Row {
  id: string;
  name: string;
  createdAt: number;
  receivedAt: number;
  resourceId: string | null;
  status: EventStatus;
  attempts: number;
  finishedAttempts: number;
  runAt: number;
  lockedBy: string | null;
  lockedUntil: number | null;
  lastError: string | null;
  completedHandlers: string[];
  deliveries: number;
  body: string | null;
  updatedAt: number;
  source: EventSource;
}

function toStored(row: Row, withBody: boolean): StoredEvent {
  return Object.freeze({
    id: row.id,
    name: row.name,
    createdAt: new Date(row.createdAt),
    receivedAt: new Date(row.receivedAt),
    resourceId: row.resourceId,
    status: row.status,
    attempts: row.attempts,
    finishedAttempts: row.finishedAttempts,
    runAt: new Date(row.runAt),
    lockedBy: row.lockedBy,
    lockedUntil: row.lockedUntil === null ? null : new Date(row.lockedUntil),
    lastError: row.lastError,
    completedHandlers: Object.freeze([...row.completedHandlers]),
    deliveries: row.deliveries,
    body: withBody ? row.body : null,
    updatedAt: new Date(row.updatedAt),
    source: row.source,
  });
}

/** Ascending (createdAt, id): the order events about one resource must run in. */
function compareAge(a: Row, b: Row): number {
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function matches(row: Row, filter: NormalizedFilter): boolean {
  if (filter.statuses !== undefined && !filter.statuses.includes(row.status)) return false;
  if (filter.names !== undefined && !filter.names.includes(row.name)) return false;
  if (filter.resourceId !== undefined && row.resourceId !== filter.resourceId) return false;
  if (filter.source !== undefined && row.source !== filter.source) return false;
  if (filter.sinceMs !== undefined && row.createdAt < filter.sinceMs) return false;
  if (filter.untilMs !== undefined && row.createdAt >= filter.untilMs) return false;
  return true;
}

/**
 * An EventStore held in this process's memory: for tests, examples and development. Nothing survives a
 * restart and nothing is shared between processes; use the SQLite or PostgreSQL store in production.
 * It follows the same contract as the durable stores (the conformance suite runs against all three).
 *
 * @example
 * ```ts
 * import { createMemoryStore } from 'persona-webhooks/memory'
 *
 * const store = createMemoryStore()
 * await store.migrate()
 * const { inserted } = await store.insertIfAbsent({
 *   id: 'evt_1', name: 'inquiry.completed', createdAt: new Date(), resourceId: 'inq_1', body: '{}',
 * })
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): EventStore {
  const clock = options.clock ?? (() => new Date());
  const rows = new Map<string, Row>();
  const tombstones = new Map<string, string | null>();
  const nowMs = (now: Date | undefined): number => (now ?? clock()).getTime();

  const heldBy = (id: string, owner: string): Row | undefined => {
    const row = rows.get(id);
    return row !== undefined && row.status === 'processing' && row.lockedBy === owner ? row : undefined;
  };

  const runs = new Map<string, ReconcileRun>();
  let lock: { owner: string; expiresAt: number } | null = null;

  const store: EventStore = {
    async migrate(): Promise<void> {},

    async saveReconcileRun(run: ReconcileRun): Promise<void> {
      checkReconcileRun(run);
      runs.set(run.id, Object.freeze({ ...run, names: run.names === null ? null : [...run.names] }));
    },

    async listReconcileRuns(listOptions?: { limit?: number }): Promise<ReconcileRun[]> {
      const limit = reconcileRunsLimit(listOptions);
      return [...runs.values()]
        .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.id < b.id ? 1 : -1))
        .slice(0, limit);
    },

    async acquireReconcileLock(owner: string, ttlMs: number): Promise<boolean> {
      checkLockRequest(owner, ttlMs);
      const now = clock().getTime();
      if (lock !== null && lock.owner !== owner && lock.expiresAt > now) return false;
      lock = { owner, expiresAt: now + ttlMs };
      return true;
    },

    async releaseReconcileLock(owner: string): Promise<void> {
      checkLockRequest(owner);
      if (lock?.owner === owner) lock = null;
    },

    async insertUnlessTombstoned(event: NewEvent, objectIds: readonly string[]): Promise<InsertResult | null> {
      checkNewEvent(event);
      checkObjectIds(objectIds);
      if (!rows.has(event.id) && objectIds.some((id) => tombstones.has(id))) return null;
      return store.insertIfAbsent(event);
    },

    async insertIfAbsent(event: NewEvent): Promise<InsertResult> {
      checkNewEvent(event);
      const now = clock().getTime();
      const existing = rows.get(event.id);
      if (existing !== undefined) {
        // A copy fetched from the Events API is not a delivery.
        if (event.source !== 'api') existing.deliveries += 1;
        existing.updatedAt = now;
        return { inserted: false, status: existing.status };
      }
      const receivedAt = event.receivedAt?.getTime() ?? now;
      rows.set(event.id, {
        id: event.id,
        name: event.name,
        createdAt: event.createdAt.getTime(),
        receivedAt,
        resourceId: event.resourceId,
        status: 'pending',
        attempts: 0,
        finishedAttempts: 0,
        runAt: receivedAt,
        lockedBy: null,
        lockedUntil: null,
        lastError: null,
        completedHandlers: [],
        deliveries: 1,
        body: event.body,
        updatedAt: now,
        source: event.source ?? 'webhook',
      });
      return { inserted: true, status: 'pending' };
    },

    async claim(claimOptions: ClaimOptions): Promise<StoredEvent[]> {
      checkClaimOptions(claimOptions);
      const now = nowMs(claimOptions.now);
      const names = claimOptions.names;
      const expired = (row: Row) => row.status === 'processing' && (row.lockedUntil ?? 0) <= now;
      const ids = claimOptions.ids;
      const wanted = (row: Row) =>
        (names === undefined || names.includes(row.name)) && (ids === undefined || ids.includes(row.id));

      // Abandoned events that used up their attempts go dead first, so they stop blocking their resource.
      if (claimOptions.maxAttempts !== undefined) {
        for (const row of rows.values()) {
          if (expired(row) && wanted(row) && row.attempts >= claimOptions.maxAttempts) {
            row.status = 'dead';
            row.lockedBy = null;
            row.lockedUntil = null;
            row.lastError = `lease expired after ${row.attempts} started attempts (worker crashed or stalled)`;
            row.updatedAt = now;
          }
        }
      }

      // The oldest unfinished event of each resource is the only one of that resource that may run; with `names`,
      // the oldest of those names (an event of a name nobody handles stays pending, and must not hold the rest).
      const oldestByResource = new Map<string, Row>();
      for (const row of rows.values()) {
        if (row.resourceId === null || !UNFINISHED_STATUSES.includes(row.status)) continue;
        if (names !== undefined && !names.includes(row.name)) continue;
        const current = oldestByResource.get(row.resourceId);
        if (current === undefined || compareAge(row, current) < 0) oldestByResource.set(row.resourceId, row);
      }

      // …and none may start while another event about the same resource runs under a live lease (an older
      // event can arrive after a newer one was claimed).
      const running = new Set<string>();
      for (const row of rows.values()) {
        if (row.resourceId !== null && row.status === 'processing' && (row.lockedUntil ?? 0) > now) {
          running.add(row.resourceId);
        }
      }
      const claimable = (row: Row) =>
        wanted(row) &&
        (row.resourceId === null || (oldestByResource.get(row.resourceId) === row && !running.has(row.resourceId)));
      // Same order as the SQL stores: abandoned leases first, then due events by (runAt, createdAt, id).
      const abandoned = [...rows.values()]
        .filter((row) => expired(row) && claimable(row))
        .sort((a, b) => (a.lockedUntil ?? 0) - (b.lockedUntil ?? 0));
      const ready = [...rows.values()]
        .filter((row) => (row.status === 'pending' || row.status === 'retrying') && row.runAt <= now && claimable(row))
        .sort((a, b) => a.runAt - b.runAt || compareAge(a, b));
      const due = [...abandoned, ...ready].slice(0, claimOptions.limit);
      due.sort(compareAge);

      return due.map((row) => {
        row.status = 'processing';
        row.attempts += 1;
        row.lockedBy = claimOptions.owner;
        row.lockedUntil = now + claimOptions.leaseMs;
        row.updatedAt = now;
        return toStored(row, true);
      });
    },

    async extendLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
      checkLeaseMs(leaseMs);
      const row = heldBy(id, owner);
      if (row === undefined) return false;
      const now = clock().getTime();
      row.lockedUntil = now + leaseMs;
      row.updatedAt = now;
      return true;
    },

    async complete(id: string, owner: string, completeOptions: CompleteOptions = {}): Promise<boolean> {
      const row = heldBy(id, owner);
      if (row === undefined) return false;
      row.status = 'succeeded';
      row.finishedAttempts += 1;
      row.lockedBy = null;
      row.lockedUntil = null;
      row.completedHandlers = mergeHandlers(row.completedHandlers, completeOptions.completedHandlers);
      row.updatedAt = nowMs(completeOptions.now);
      return true;
    },

    async fail(id: string, owner: string, failOptions: FailOptions): Promise<boolean> {
      checkRetryAt(failOptions.retryAt);
      const row = heldBy(id, owner);
      if (row === undefined) return false;
      const now = nowMs(failOptions.now);
      row.status = failOptions.retryAt === null ? 'dead' : 'retrying';
      if (failOptions.retryAt !== null) row.runAt = failOptions.retryAt.getTime();
      row.finishedAttempts += 1;
      row.lockedBy = null;
      row.lockedUntil = null;
      row.lastError = shortError(failOptions.error);
      row.completedHandlers = mergeHandlers(row.completedHandlers, failOptions.completedHandlers);
      row.updatedAt = now;
      return true;
    },

    async release(id: string, owner: string, releaseOptions: ReleaseOptions = {}): Promise<boolean> {
      const row = heldBy(id, owner);
      if (row === undefined) return false;
      const now = clock().getTime();
      row.completedHandlers = mergeHandlers(row.completedHandlers, releaseOptions.completedHandlers);
      row.status = 'pending';
      row.attempts = Math.max(0, row.attempts - 1);
      row.lockedBy = null;
      row.lockedUntil = null;
      row.updatedAt = now;
      return true;
    },

    async get(id: string): Promise<StoredEvent | null> {
      const row = rows.get(id);
      return row === undefined ? null : toStored(row, true);
    },

    async list(filter?: ListFilter, listOptions?: ListOptions): Promise<ListPage> {
      const { limit, filter: normalized, cursor, withBody } = checkListRequest(filter, listOptions);
      const page = [...rows.values()]
        .filter((row) => matches(row, normalized))
        .filter(
          (row) =>
            cursor === null ||
            row.createdAt < cursor.createdAtMs ||
            (row.createdAt === cursor.createdAtMs && row.id < cursor.id),
        )
        .sort((a, b) => compareAge(b, a))
        .slice(0, limit + 1);
      return toListPage(
        page.map((row) => toStored(row, withBody)),
        limit,
      );
    },

    async count(filter?: ListFilter): Promise<number> {
      const normalized = normalizeFilter(filter);
      let n = 0;
      for (const row of rows.values()) if (matches(row, normalized)) n++;
      return n;
    },

    async activity(options: ActivityOptions): Promise<ActivityBucket[]> {
      const request = checkActivityOptions(options, clock());
      const counted: ActivityRow[] = [];
      const bucketOf = (ms: number) =>
        ms >= request.sinceMs && ms < request.untilMs ? Math.floor((ms - request.sinceMs) / request.bucketMs) : -1;
      for (const row of rows.values()) {
        const received = bucketOf(row.receivedAt);
        if (received !== -1) counted.push({ bucket: received, kind: 'received', n: 1 });
        const outcome =
          row.status === 'succeeded'
            ? 'succeeded'
            : row.status === 'retrying' || row.status === 'dead'
              ? 'failed'
              : null;
        const updated = bucketOf(row.updatedAt);
        if (outcome !== null && updated !== -1) counted.push({ bucket: updated, kind: outcome, n: 1 });
      }
      return toActivityBuckets(request, counted);
    },

    async requeue(target: { id: string } | { filter: ListFilter }): Promise<number> {
      checkRequeueTarget(target);
      const now = clock().getTime();
      const selected =
        'id' in target
          ? [rows.get(target.id)].filter((row): row is Row => row !== undefined)
          : [...rows.values()].filter((row) => matches(row, normalizeFilter(target.filter)));
      let count = 0;
      for (const row of selected) {
        if (!FINISHED_STATUSES.includes(row.status)) continue;
        row.status = 'pending';
        row.runAt = now;
        row.completedHandlers = [];
        row.updatedAt = now;
        count += 1;
      }
      return count;
    },

    async prune(pruneOptions: PruneOptions): Promise<PruneResult> {
      checkPruneOptions(pruneOptions);
      let recordsDeleted = 0;
      let payloadsCleared = 0;
      const recordsBefore = pruneOptions.recordsBefore?.getTime();
      const payloadsBefore = pruneOptions.payloadsBefore?.getTime();
      for (const row of [...rows.values()]) {
        if (!FINISHED_STATUSES.includes(row.status)) continue;
        if (recordsBefore !== undefined && row.receivedAt < recordsBefore) {
          rows.delete(row.id);
          recordsDeleted += 1;
        } else if (payloadsBefore !== undefined && row.receivedAt < payloadsBefore && row.body !== null) {
          row.body = null;
          payloadsCleared += 1;
        }
      }
      return { payloadsCleared, recordsDeleted };
    },

    async stats(): Promise<StoreStats> {
      const byStatus = emptyStatusCounts();
      let oldest: number | null = null;
      for (const row of rows.values()) {
        byStatus[row.status] += 1;
        if ((row.status === 'pending' || row.status === 'retrying') && (oldest === null || row.receivedAt < oldest)) {
          oldest = row.receivedAt;
        }
      }
      return { byStatus, total: rows.size, oldestPendingReceivedAt: oldest === null ? null : new Date(oldest) };
    },

    async setBody(id: string, body: string | null, options?: SetBodyOptions): Promise<boolean> {
      const row = rows.get(id);
      if (row === undefined) return false;
      if (options?.expected !== undefined && row.body !== options.expected) return false;
      row.body = body;
      row.updatedAt = clock().getTime();
      return true;
    },

    async addTombstones(list: readonly Tombstone[]): Promise<void> {
      checkTombstones(list);
      for (const t of list) {
        if (!tombstones.has(t.objectId)) tombstones.set(t.objectId, t.eventId);
      }
    },

    async findTombstones(objectIds: readonly string[]): Promise<string[]> {
      return [...new Set(objectIds)].filter((id) => tombstones.has(id));
    },

    async close(): Promise<void> {},
  };
  return store;
}
