// Input checks, cursors, page assembly and constants shared by the memory, SQLite and PostgreSQL stores, so
// that all three reject the same bad input with the same error and agree on every edge of the contract.
// Every check here throws; store methods are `async`, so a throw becomes the one way a store rejects bad input.
import { PersonaWebhookError } from '../errors.js';
import type {
  ActivityBucket,
  ActivityOptions,
  ClaimOptions,
  EventSource,
  EventStatus,
  ListFilter,
  ListOptions,
  ListPage,
  NewEvent,
  ReconcileRun,
  StoredEvent,
} from './store.js';

/** Statuses that still need work: they block newer events about the same resource. */
export const UNFINISHED_STATUSES: readonly EventStatus[] = ['pending', 'processing', 'retrying'];
/** Statuses a replay may put back to pending, and the only ones prune touches. */
export const FINISHED_STATUSES: readonly EventStatus[] = ['succeeded', 'dead'];

/** `UNFINISHED_STATUSES` as an SQL list, for `status IN …` (the same text in SQLite and PostgreSQL). */
export const UNFINISHED_SQL = `(${UNFINISHED_STATUSES.map((s) => `'${s}'`).join(', ')})`;
/** `FINISHED_STATUSES` as an SQL list. */
export const FINISHED_SQL = `(${FINISHED_STATUSES.map((s) => `'${s}'`).join(', ')})`;
/** Every column of the events table but `body` (lists read without payloads by default). */
export const COLUMNS_WITHOUT_BODY =
  'id, name, created_at, received_at, resource_id, status, attempts, finished_attempts, run_at, locked_by, ' +
  'locked_until, last_error, completed_handlers, deliveries, updated_at, source';

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 1000;
/** Longest `lastError` kept: it is a short description, never a stack or a payload. */
export const MAX_ERROR_LENGTH = 1000;

function invalid(message: string, status = 500): PersonaWebhookError {
  return new PersonaWebhookError('invalid_options', message, { status });
}

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/** Throws a clear error for an event the store cannot key or order. */
export function checkNewEvent(event: NewEvent): void {
  if (typeof event !== 'object' || event === null) throw invalid('insertIfAbsent: pass an event object');
  if (typeof event.id !== 'string' || event.id.length === 0) {
    throw invalid('insertIfAbsent: event.id must be a non-empty string (the Persona event id, evt_…)');
  }
  if (typeof event.name !== 'string' || event.name.length === 0) {
    throw invalid('insertIfAbsent: event.name must be a non-empty string');
  }
  if (!isValidDate(event.createdAt)) throw invalid('insertIfAbsent: event.createdAt must be a valid Date');
  if (event.receivedAt !== undefined && !isValidDate(event.receivedAt)) {
    throw invalid('insertIfAbsent: event.receivedAt must be a valid Date when given');
  }
  if (event.resourceId !== null && (typeof event.resourceId !== 'string' || event.resourceId.length === 0)) {
    throw invalid('insertIfAbsent: event.resourceId must be a non-empty string or null');
  }
  if (typeof event.body !== 'string') throw invalid('insertIfAbsent: event.body must be the raw body as a string');
  if (event.source !== undefined && event.source !== 'webhook' && event.source !== 'api') {
    throw invalid("insertIfAbsent: event.source must be 'webhook' or 'api' when given");
  }
  // PostgreSQL text cannot hold U+0000; refusing it in every store keeps the three stores in agreement.
  if (event.id.includes('\u0000') || event.name.includes('\u0000') || event.resourceId?.includes('\u0000')) {
    throw invalid('insertIfAbsent: event.id, name and resourceId cannot contain U+0000');
  }
}

/** Throws for a reconcile run record the store cannot keep. */
export function checkReconcileRun(run: ReconcileRun): void {
  if (typeof run !== 'object' || run === null) throw invalid('saveReconcileRun: pass a run object');
  if (typeof run.id !== 'string' || run.id.length === 0)
    throw invalid('saveReconcileRun: id must be a non-empty string');
  if (run.status !== 'running' && run.status !== 'succeeded' && run.status !== 'failed') {
    throw invalid("saveReconcileRun: status must be 'running', 'succeeded' or 'failed'");
  }
  for (const key of ['startedAt', 'windowFrom', 'updatedAt'] as const) {
    if (!isValidDate(run[key])) throw invalid(`saveReconcileRun: ${key} must be a valid Date`);
  }
  for (const key of ['seen', 'alreadyStored', 'inserted', 'failed'] as const) {
    if (!Number.isInteger(run[key]) || run[key] < 0) throw invalid(`saveReconcileRun: ${key} must be a count >= 0`);
  }
}

/** The limit of `listReconcileRuns`. */
export function reconcileRunsLimit(options: { limit?: number } | undefined): number {
  const limit = options?.limit ?? 20;
  if (!Number.isInteger(limit) || limit <= 0 || limit > MAX_LIST_LIMIT) {
    throw invalid(`listReconcileRuns: limit must be an integer from 1 to ${MAX_LIST_LIMIT}`, 400);
  }
  return limit;
}

/** Throws for a lock owner or lease that is not usable. */
export function checkLockRequest(owner: string, ttlMs?: number): void {
  if (typeof owner !== 'string' || owner.length === 0)
    throw invalid('reconcile lock: owner must be a non-empty string');
  if (ttlMs !== undefined && (!Number.isInteger(ttlMs) || ttlMs <= 0)) {
    throw invalid('reconcile lock: ttlMs must be a positive integer number of milliseconds');
  }
}

/** Throws a clear error for claim options that would lease nothing or forever. */
export function checkClaimOptions(options: ClaimOptions): void {
  if (typeof options?.owner !== 'string' || options.owner.length === 0) {
    throw invalid('claim: owner must be a non-empty string (a worker id)');
  }
  if (!Number.isInteger(options.leaseMs) || options.leaseMs <= 0) {
    throw invalid('claim: leaseMs must be a positive integer number of milliseconds');
  }
  if (!Number.isInteger(options.limit) || options.limit <= 0) throw invalid('claim: limit must be a positive integer');
  if (options.maxAttempts !== undefined && (!Number.isInteger(options.maxAttempts) || options.maxAttempts <= 0)) {
    throw invalid('claim: maxAttempts must be a positive integer when given');
  }
  if (options.now !== undefined && !isValidDate(options.now)) throw invalid('claim: now must be a valid Date');
  if (options.ids !== undefined && (!Array.isArray(options.ids) || options.ids.some((id) => typeof id !== 'string'))) {
    throw invalid('claim: ids must be an array of event ids when given');
  }
  if (
    options.names !== undefined &&
    (!Array.isArray(options.names) || options.names.some((n) => typeof n !== 'string'))
  ) {
    throw invalid('claim: names must be an array of event names when given');
  }
}

/** Throws for a lease length that is not a positive integer. */
export function checkLeaseMs(leaseMs: number): void {
  if (!Number.isInteger(leaseMs) || leaseMs <= 0) {
    throw invalid('extendLease: leaseMs must be a positive integer number of milliseconds');
  }
}

/** Throws for a retry time that is not a Date or null. */
export function checkRetryAt(retryAt: Date | null): void {
  if (retryAt !== null && !isValidDate(retryAt)) {
    throw invalid('fail: retryAt must be a valid Date, or null to move the event to dead');
  }
}

/** Keeps `lastError` short: a description, never a dump. */
export function shortError(error: string): string {
  const text = typeof error === 'string' ? error : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

/** Stored handlers plus new ones, each once, in first-seen order. */
export function mergeHandlers(stored: readonly string[], added: readonly string[] | undefined): string[] {
  if (added === undefined || added.length === 0) return [...stored];
  const merged = [...stored];
  for (const name of added) if (!merged.includes(name)) merged.push(name);
  return merged;
}

/** Resolves the limit of a list page, rejecting nonsense with a 400 (it often comes from a query string). */
export function listLimit(options: ListOptions | undefined): number {
  const limit = options?.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit <= 0 || limit > MAX_LIST_LIMIT) {
    throw invalid(`list: limit must be an integer from 1 to ${MAX_LIST_LIMIT}`, 400);
  }
  return limit;
}

/** A position in the newest-first order: the last event of the previous page. */
export interface ListCursor {
  readonly createdAtMs: number;
  readonly id: string;
}

/** Opaque cursor text for the position after `event`. */
export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAtMs, cursor.id]), 'utf8').toString('base64url');
}

/** Reads a cursor made by `encodeCursor`; a tampered or foreign cursor is a 400. */
export function decodeCursor(text: string | undefined): ListCursor | null {
  if (text === undefined) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isInteger(value[0]) &&
      typeof value[1] === 'string' &&
      value[1].length > 0
    ) {
      return { createdAtMs: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw invalid('list: cursor is not one this store produced; pass nextCursor from the previous page', 400);
}

function asArray<T>(value: T | readonly T[] | undefined): readonly T[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

/** A list filter with every field as a list or undefined, checked once for all stores. */
export interface NormalizedFilter {
  readonly statuses: readonly EventStatus[] | undefined;
  readonly names: readonly string[] | undefined;
  readonly resourceId: string | undefined;
  readonly source: EventSource | undefined;
  readonly sinceMs: number | undefined;
  readonly untilMs: number | undefined;
}

const KNOWN_STATUSES = new Set<string>(['pending', 'processing', 'succeeded', 'retrying', 'dead']);

/**
 * The condition for a checked list of statuses, with the statuses as SQL literals (shared by both SQL stores).
 *
 * @example
 * ```ts
 * statusCondition(['dead']) // "status = 'dead'"
 * ```
 */
export function statusCondition(statuses: readonly string[]): string {
  if (statuses.length === 0) return '1 = 0';
  if (statuses.length === 1) return `status = '${statuses[0]}'`;
  return `status IN (${statuses.map((s) => `'${s}'`).join(', ')})`;
}

/** Checks and normalizes a list filter. */
export function normalizeFilter(filter: ListFilter | undefined): NormalizedFilter {
  const statuses = asArray(filter?.status);
  for (const status of statuses ?? []) {
    if (!KNOWN_STATUSES.has(status)) throw invalid(`list: unknown status "${String(status)}"`, 400);
  }
  const names = asArray(filter?.name);
  if (filter?.source !== undefined && filter.source !== 'webhook' && filter.source !== 'api') {
    throw invalid("list: source must be 'webhook' or 'api'", 400);
  }
  if (filter?.since !== undefined && !isValidDate(filter.since)) throw invalid('list: since must be a valid Date', 400);
  if (filter?.until !== undefined && !isValidDate(filter.until)) throw invalid('list: until must be a valid Date', 400);
  return {
    statuses,
    names,
    resourceId: filter?.resourceId,
    source: filter?.source,
    sinceMs: filter?.since?.getTime(),
    untilMs: filter?.until?.getTime(),
  };
}

/** A list request, checked: what every store needs to run it. */
export interface ListRequest {
  readonly limit: number;
  readonly filter: NormalizedFilter;
  readonly cursor: ListCursor | null;
  readonly withBody: boolean;
}

/** Checks a `list()` call's arguments once for all stores (bad input is a 400: it often comes from a query). */
export function checkListRequest(filter: ListFilter | undefined, options: ListOptions | undefined): ListRequest {
  return {
    limit: listLimit(options),
    filter: normalizeFilter(filter),
    cursor: decodeCursor(options?.cursor),
    withBody: options?.withBody === true,
  };
}

/**
 * Turns up to `limit + 1` events, newest first, into a page: the extra event only tells that a next page
 * exists, and the cursor points after the last event shown.
 */
export function toListPage(events: readonly StoredEvent[], limit: number): ListPage {
  const shown = events.slice(0, limit);
  const last = shown.at(-1);
  return {
    events: shown,
    nextCursor:
      events.length > limit && last !== undefined
        ? encodeCursor({ createdAtMs: last.createdAt.getTime(), id: last.id })
        : null,
  };
}

/** Oldest first by createdAt, then id: the order claims are returned in. */
export function compareByAge(a: StoredEvent, b: StoredEvent): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Throws for a requeue target that is neither `{ id }` nor `{ filter }`. */
export function checkRequeueTarget(target: { id: string } | { filter: ListFilter }): void {
  if (typeof target !== 'object' || target === null) throw invalid('requeue: pass { id } or { filter }');
  if ('id' in target) {
    if (typeof target.id !== 'string' || target.id.length === 0)
      throw invalid('requeue: id must be a non-empty string');
  } else if (!('filter' in target) || typeof target.filter !== 'object' || target.filter === null) {
    throw invalid('requeue: pass { id } or { filter }');
  }
}

/** Throws for prune dates that are not Dates. */
export function checkPruneOptions(options: { payloadsBefore?: Date; recordsBefore?: Date }): void {
  if (options.payloadsBefore !== undefined && !isValidDate(options.payloadsBefore)) {
    throw invalid('prune: payloadsBefore must be a valid Date');
  }
  if (options.recordsBefore !== undefined && !isValidDate(options.recordsBefore)) {
    throw invalid('prune: recordsBefore must be a valid Date');
  }
}

/** A list of zero counts, one per status. */
export function emptyStatusCounts(): Record<EventStatus, number> {
  return { pending: 0, processing: 0, succeeded: 0, retrying: 0, dead: 0 };
}

/** Most buckets one `activity` call returns. */
export const MAX_ACTIVITY_BUCKETS = 1440;

/** A checked activity request in integer milliseconds. */
export interface ActivityRequest {
  readonly sinceMs: number;
  readonly untilMs: number;
  readonly bucketMs: number;
  readonly buckets: number;
}

/**
 * Checks an activity request (a 400 for nonsense: it often comes from a query string).
 *
 * @example
 * ```ts
 * checkActivityOptions({ since: new Date(Date.now() - 3600_000), bucketMs: 60_000 }, new Date()).buckets // 60
 * ```
 */
export function checkActivityOptions(options: ActivityOptions, now: Date): ActivityRequest {
  if (typeof options !== 'object' || options === null) throw invalid('activity: pass { since, bucketMs }', 400);
  if (!isValidDate(options.since)) throw invalid('activity: since must be a valid Date', 400);
  if (options.until !== undefined && !isValidDate(options.until))
    throw invalid('activity: until must be a valid Date', 400);
  if (!Number.isInteger(options.bucketMs) || options.bucketMs < 1000) {
    throw invalid('activity: bucketMs must be a whole number of milliseconds, at least 1000', 400);
  }
  const sinceMs = options.since.getTime();
  const untilMs = (options.until ?? now).getTime();
  if (untilMs <= sinceMs) throw invalid('activity: until must be after since', 400);
  const buckets = Math.ceil((untilMs - sinceMs) / options.bucketMs);
  if (buckets > MAX_ACTIVITY_BUCKETS) {
    throw invalid(`activity: at most ${MAX_ACTIVITY_BUCKETS} buckets; widen bucketMs or shorten the range`, 400);
  }
  return { sinceMs, untilMs, bucketMs: options.bucketMs, buckets };
}

/** One counted row of an activity query: bucket index, which series, how many. */
export interface ActivityRow {
  readonly bucket: number;
  readonly kind: 'received' | 'succeeded' | 'failed';
  readonly n: number;
}

/**
 * Every bucket of the request, zeros included, with the counted rows added in.
 *
 * @example
 * ```ts
 * toActivityBuckets(request, [{ bucket: 0, kind: 'received', n: 3 }])[0]?.received // 3
 * ```
 */
export function toActivityBuckets(request: ActivityRequest, rows: readonly ActivityRow[]): ActivityBucket[] {
  const buckets = Array.from({ length: request.buckets }, (_, i) => ({
    start: new Date(request.sinceMs + i * request.bucketMs),
    received: 0,
    succeeded: 0,
    failed: 0,
  }));
  for (const row of rows) {
    const bucket = buckets[row.bucket];
    if (bucket !== undefined) bucket[row.kind] += Number(row.n);
  }
  return buckets;
}

/** Throws for tombstones without an object id. */
export function checkTombstones(list: readonly { objectId: string; eventId: string | null; createdAt?: Date }[]): void {
  if (!Array.isArray(list)) throw invalid('addTombstones: pass an array of { objectId, eventId }');
  for (const t of list) {
    if (typeof t?.objectId !== 'string' || t.objectId.length === 0 || t.objectId.includes('\u0000')) {
      throw invalid('addTombstones: objectId must be a non-empty string');
    }
    if (t.eventId !== null && typeof t.eventId !== 'string')
      throw invalid('addTombstones: eventId must be a string or null');
    if (t.createdAt !== undefined && !isValidDate(t.createdAt))
      throw invalid('addTombstones: createdAt must be a valid Date');
  }
}

/** Throws unless `objectIds` is an array of strings (the ids `insertUnlessTombstoned` checks). */
export function checkObjectIds(objectIds: readonly string[]): void {
  if (!Array.isArray(objectIds) || objectIds.some((id) => typeof id !== 'string')) {
    throw invalid('insertUnlessTombstoned: objectIds must be an array of strings');
  }
}
