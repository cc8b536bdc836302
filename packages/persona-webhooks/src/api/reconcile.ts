// reconcile: walk Persona's Events API newest first back to a watermark and store every event the store lacks,
// through the same insertIfAbsent a delivery uses, so the worker runs it as if it had been delivered.
import { PersonaApiError, PersonaWebhookError } from '../errors.js';
import { numberOption } from '../options.js';
import { scrubMessage } from '../processing/handlers.js';
import { randomId } from '../random-id.js';
import type { EventStore, NewEvent, ReconcileRun } from '../store/store.js';
import type { PersonaClient } from './client.js';
import { type ApiEvent, listEvents, MAX_PAGE_SIZE } from './events.js';

/** Persona retries a delivery for about 51 h; the default margin reaches back further than that. */
export const DEFAULT_RECONCILE_MARGIN_MS = 72 * 3600_000;
/** Persona keeps webhook events 30 days: a watermark older than that cannot find more. */
export const PERSONA_EVENT_RETENTION_MS = 30 * 24 * 3600_000;

/** Counts and position after each page, for a progress bar or a log line. */
export interface ReconcileProgress {
  readonly runId: string;
  readonly seen: number;
  readonly alreadyStored: number;
  readonly inserted: number;
  readonly failed: number;
  readonly pages: number;
  /** `created-at` of the oldest event looked at so far. */
  readonly reachedBack: Date | null;
  readonly windowFrom: Date;
  readonly windowTo: Date | null;
  /** Set when this run skipped over the part a failed run had already stored. */
  readonly resumedFrom: string | null;
}

/**
 * Options of {@link reconcile}.
 *
 * @example
 * ```ts
 * const options: ReconcileOptions = { client, store, since: new Date(Date.now() - 7 * 86_400_000) }
 * ```
 */
export interface ReconcileOptions {
  /** A client made with `createPersonaClient`; give it `rateLimitShare` (reconcile's CLI uses 0.5). */
  readonly client: PersonaClient;
  /** The store the receiver writes to (migrated). */
  readonly store: EventStore;
  /**
   * Walk back to events created at or after this. Default: the start of the last successful run minus `marginMs`.
   * Required when no run has succeeded yet.
   */
  readonly since?: Date;
  /** Used instead of `since` when no run has succeeded yet (what a scheduled reconcile starts from). */
  readonly defaultSince?: Date;
  /** Default {@link DEFAULT_RECONCILE_MARGIN_MS} (72 h, beyond Persona's 51 h retry tail). */
  readonly marginMs?: number;
  /** Only these event names (`filter[name]`). Default: all. */
  readonly names?: readonly string[];
  /** Count what is missing without inserting. The run is recorded, marked dry. */
  readonly dryRun?: boolean;
  /** Events per request, 1 to 100. Default 100. */
  readonly pageSize?: number;
  /** Who holds the lock and is named in the run record. Default `reconcile:<random>`. */
  readonly owner?: string;
  /** Lease of the lock on SQLite/memory, renewed after each page. Default 300,000 ms. */
  readonly lockTtlMs?: number;
  readonly signal?: AbortSignal;
  /** Called after each page. Its errors are ignored. */
  readonly onProgress?: (progress: ReconcileProgress) => void;
  /** Default `() => new Date()`. */
  readonly now?: () => Date;
}

/** What a finished run did. */
export interface ReconcileResult {
  readonly run: ReconcileRun;
  readonly pages: number;
  /** The id of the failed run this one resumed, or null. */
  readonly resumedFrom: string | null;
}

function invalid(message: string): PersonaWebhookError {
  return new PersonaWebhookError('invalid_options', `reconcile: ${message}`);
}

function sameNames(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
}

/**
 * What a failed run records (shown by the dashboard and `reconcile --history`): scrubbed like a handler's error,
 * then, for an API failure, the HTTP status and Persona's Request-Id, which the scrub takes out and Persona
 * support asks for.
 */
function oneLine(error: unknown): string {
  return `${scrubMessage(error instanceof Error ? error.message : String(error))}${apiFacts(error)}`;
}

/** ` [HTTP 429, Request-Id …]` for a PersonaApiError; empty otherwise. */
function apiFacts(error: unknown): string {
  if (!(error instanceof PersonaApiError)) return '';
  const { httpStatus, requestId } = error.details;
  const status = httpStatus === undefined ? '' : httpStatus === 0 ? 'no answer' : `HTTP ${httpStatus}`;
  const facts = [status, requestId === undefined ? '' : `Request-Id ${requestId}`].filter((f) => f !== '');
  return facts.length === 0 ? '' : ` [${facts.join(', ')}]`;
}

function toNewEvent(item: ApiEvent): NewEvent {
  const data = (item.event.payload as { data?: { id?: unknown } }).data;
  return {
    id: item.event.id,
    name: item.event.name,
    createdAt: item.event.createdAt,
    resourceId: typeof data?.id === 'string' && data.id !== '' ? data.id : null,
    body: item.body,
    source: 'api',
  };
}

/**
 * The runs a new run builds on: the last successful one (its start is the default watermark) and a failed or
 * interrupted one after it to resume. Runs with other name filters, and dry runs, do not count.
 * @internal
 * @example
 * ```ts
 * const { lastSuccess, resumable } = planReconcile(await store.listReconcileRuns(), null)
 * ```
 */
export function planReconcile(
  runs: readonly ReconcileRun[],
  names: readonly string[] | null,
): { lastSuccess: ReconcileRun | null; resumable: ReconcileRun | null; earliestFailed: Date | null } {
  // A run over all names covers a run over some; not the other way round.
  const covers = (r: ReconcileRun) => !r.dryRun && (r.names === null || sameNames(r.names, names));
  const lastSuccess = runs.find((r) => r.status === 'succeeded' && covers(r)) ?? null;
  const resumable =
    runs.find(
      (r) =>
        r.status !== 'succeeded' &&
        !r.dryRun &&
        sameNames(r.names, names) &&
        r.cursor !== null &&
        r.windowTo !== null &&
        (lastSuccess === null || r.startedAt > lastSuccess.startedAt),
    ) ?? null;
  // Only runs are read back as far as the list goes: after more failed runs than that, the last success is out of
  // sight, but every failed run started from it (or from an older start), so the oldest of their windows still
  // covers what was missed since.
  let earliestFailed: Date | null = null;
  if (lastSuccess === null) {
    for (const r of runs) {
      if (r.status === 'succeeded' || !covers(r)) continue;
      if (earliestFailed === null || r.windowFrom < earliestFailed) earliestFailed = r.windowFrom;
    }
  }
  return { lastSuccess, resumable, earliestFailed };
}

/**
 * Recovers events Persona could not deliver: walks `GET /events` newest first back to the watermark and inserts
 * every event the store lacks with `source: 'api'`; the worker then runs it like a delivered one. Each run is
 * recorded (window, cursor, counts); a run that fails is resumed by the next one. One process at a time: the
 * store's reconcile lock (an advisory lock on PostgreSQL).
 *
 * API events carry `payload.data` but no `payload.included`: handlers that need related objects fetch them.
 *
 * @throws PersonaWebhookError `reconcile_locked` when another process is reconciling; `invalid_options` when a
 *   first run has no `since`; PersonaApiError when the API fails for good; StoreUnavailableError when the store
 *   does. The run is recorded as failed with its cursor either way.
 * @example
 * ```ts
 * import { createPersonaClient, reconcile } from 'persona-webhooks/api'
 * const client = createPersonaClient({ apiKey: process.env.PERSONA_API_KEY!, rateLimitShare: 0.5 })
 * const { run } = await reconcile({ client, store, since: new Date(Date.now() - 7 * 86_400_000) })
 * console.log(`${run.inserted} recovered of ${run.seen} events`)
 * ```
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileResult> {
  const { client, store } = options;
  if (client === undefined || typeof client.request !== 'function')
    throw invalid('pass { client } from createPersonaClient');
  if (store === undefined || typeof store.insertIfAbsent !== 'function') throw invalid('pass { store }');
  const now = options.now ?? (() => new Date());
  const pageSize = numberOption('reconcile', 'pageSize', options.pageSize, MAX_PAGE_SIZE, {
    integer: true,
    min: 1,
    max: MAX_PAGE_SIZE,
  });
  const marginMs = numberOption('reconcile', 'marginMs', options.marginMs, DEFAULT_RECONCILE_MARGIN_MS, {
    min: 0,
    unit: 'ms',
  });
  if (options.since !== undefined && !(options.since instanceof Date && !Number.isNaN(options.since.getTime())))
    throw invalid('since must be a valid Date');
  const names = options.names === undefined || options.names.length === 0 ? null : [...options.names];
  const dryRun = options.dryRun === true;
  const owner = options.owner ?? randomId('reconcile:');
  const lockTtlMs = options.lockTtlMs ?? 300_000;

  if (!(await store.acquireReconcileLock(owner, lockTtlMs))) {
    throw new PersonaWebhookError(
      'reconcile_locked',
      'another process is reconciling this store (the reconcile lock is held); this run did nothing — try again later',
      { status: 409 },
    );
  }
  let lockRenewedAt = performance.now();
  try {
    const runs = await store.listReconcileRuns({ limit: 50 });
    // Holding the lock, any run still marked running belongs to a process that died: it ended, unfinished.
    for (const r of runs.filter((x) => x.status === 'running')) {
      await store.saveReconcileRun({
        ...r,
        status: 'failed',
        error: r.error ?? 'interrupted: its process ended before the run finished',
        finishedAt: r.updatedAt,
      });
    }
    const { lastSuccess, resumable, earliestFailed } = planReconcile(
      runs.map((r) => (r.status === 'running' ? { ...r, status: 'failed' as const } : r)),
      names,
    );
    let windowFrom: Date;
    if (options.since !== undefined) windowFrom = options.since;
    else if (lastSuccess !== null) windowFrom = new Date(lastSuccess.startedAt.getTime() - marginMs);
    // With no success in sight, the oldest failed window (every resumable one is among them, never older).
    else if (earliestFailed !== null) windowFrom = earliestFailed;
    else if (resumable !== null) windowFrom = resumable.windowFrom;
    else if (options.defaultSince !== undefined) windowFrom = options.defaultSince;
    else
      throw invalid(
        'no earlier successful run to start from: give a first run `since` (e.g. 7 days; Persona keeps events 30 days)',
      );
    if (resumable !== null && resumable.windowFrom < windowFrom) windowFrom = resumable.windowFrom;

    const startedAt = now();
    let run: ReconcileRun = {
      id: randomId('rcn_'),
      status: 'running',
      owner,
      startedAt,
      finishedAt: null,
      windowFrom,
      windowTo: null,
      topEventId: null,
      cursor: null,
      seen: 0,
      alreadyStored: 0,
      inserted: 0,
      failed: 0,
      names,
      dryRun,
      error: null,
      updatedAt: startedAt,
    };
    await store.saveReconcileRun(run);
    let pages = 0;
    let reachedBack: Date | null = null;
    let jumpedTo: string | null = null;
    const progress = () => {
      try {
        options.onProgress?.({
          runId: run.id,
          seen: run.seen,
          alreadyStored: run.alreadyStored,
          inserted: run.inserted,
          failed: run.failed,
          pages,
          reachedBack,
          windowFrom: run.windowFrom,
          windowTo: run.windowTo,
          resumedFrom: jumpedTo === null ? null : (resumable?.id ?? null),
        });
      } catch {
        // A progress display must not stop a recovery.
      }
    };

    try {
      let after: string | undefined;
      for (;;) {
        const page = await listEvents(client, {
          size: pageSize,
          ...(after === undefined ? {} : { after }),
          ...(names === null ? {} : { names }),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        pages++;
        const first = page.events[0];
        if (run.windowTo === null) {
          run = { ...run, windowTo: first?.event.createdAt ?? startedAt, topEventId: first?.event.id ?? null };
        }
        const inWindow = page.events.filter((e) => e.event.createdAt >= windowFrom);
        const reachedWatermark = inWindow.length < page.events.length;
        let alreadyStored = 0;
        let inserted = 0;
        let failed = 0;
        await Promise.all(
          inWindow.map(async (item) => {
            try {
              if (dryRun) {
                if ((await store.get(item.event.id)) === null) inserted++;
                else alreadyStored++;
                return;
              }
              const result = await store.insertIfAbsent(toNewEvent(item));
              if (result.inserted) inserted++;
              else alreadyStored++;
            } catch (error) {
              // An envelope the store refuses is counted and skipped; a store that is down stops the run.
              if (error instanceof PersonaWebhookError && error.code === 'invalid_options') failed++;
              else throw error;
            }
          }),
        );
        const last = inWindow.at(-1);
        if (last !== undefined) reachedBack = last.event.createdAt;
        run = {
          ...run,
          seen: run.seen + inWindow.length,
          alreadyStored: run.alreadyStored + alreadyStored,
          inserted: run.inserted + inserted,
          failed: run.failed + failed,
          cursor: last?.event.id ?? run.cursor,
          updatedAt: now(),
        };
        await store.saveReconcileRun(run);
        progress();
        if (reachedWatermark || page.nextCursor === null || page.events.length === 0) break;
        // Renew the lease when a third of it has passed (a write per page would cost an fsync per page on SQLite).
        if (performance.now() - lockRenewedAt > lockTtlMs / 3) {
          if (!(await store.acquireReconcileLock(owner, lockTtlMs))) {
            throw new PersonaWebhookError('reconcile_locked', 'lost the reconcile lock mid-run (its lease expired)', {
              status: 409,
            });
          }
          lockRenewedAt = performance.now();
        }
        after = page.nextCursor;
        // Reached what the failed run had already stored from its top down to its cursor: skip to its cursor.
        if (
          jumpedTo === null &&
          resumable?.cursor &&
          resumable.windowTo !== null &&
          last !== undefined &&
          last.event.createdAt <= resumable.windowTo
        ) {
          jumpedTo = resumable.cursor;
          after = resumable.cursor;
        }
      }
    } catch (error) {
      const failedRun: ReconcileRun = {
        ...run,
        status: 'failed',
        error: oneLine(error),
        finishedAt: now(),
        updatedAt: now(),
      };
      await store.saveReconcileRun(failedRun).catch(() => undefined);
      throw error;
    }
    run = { ...run, status: 'succeeded', finishedAt: now(), updatedAt: now() };
    await store.saveReconcileRun(run);
    return { run, pages, resumedFrom: jumpedTo === null ? null : (resumable?.id ?? null) };
  } finally {
    await store.releaseReconcileLock(owner).catch(() => undefined);
  }
}
