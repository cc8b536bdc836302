// Duplicates answered from a connection that does not write: where a SQLite store's writes run elsewhere (serve
// runs the store in a worker thread), a duplicate delivery is answered from this read without waiting for the
// writer, and its delivery is counted through the store's countDeliveries.
import { PersonaWebhookError } from '../../errors.js';
import { numberOption } from '../../options.js';
import { checkIdentifier, DEFAULT_TABLE } from '../identifiers.js';
import { createReadSampler } from '../read-sampler.js';
import { createRecentIds } from '../recent-ids.js';
import type { EventStatus, InsertResult, NewEvent } from '../store.js';
import { checkNewEvent } from '../store-common.js';
import { sqliteStatements } from './sqlite-sql.js';
import { type SqliteDatabaseLike, type SqliteStatementLike, sqliteDatabaseOption } from './sqlite-store.js';

/** Options of {@link createSqliteStatusReader}. */
export interface SqliteStatusReaderOptions {
  /** A better-sqlite3 `Database` on the store's file (it may be opened `readonly`). The reader never closes it. */
  readonly database: SqliteDatabaseLike;
  /** The store's events table. Default `persona_webhook_events`. */
  readonly table?: string;
  /**
   * For a caller whose deliveries are mostly new: while `duplicateOf`'s reads rarely find the event (under 5%),
   * only one call in 64 reads, and the others answer undefined at once (insert those through the store, which
   * answers a duplicate too, only dearer); every call reads again once reads find duplicates. Default false:
   * every call reads.
   */
  readonly sampleReads?: boolean;
  /**
   * How many stored events' ids `duplicateOf` keeps in memory (those it was told of with `remember`, or found by a
   * read; the first kept leaves first), so that their duplicates need no read: a read transaction costs several
   * system calls (locks on the WAL index), a memory lookup none. An id is answered from memory for 24 hours after it
   * was last remembered, well within the shortest record retention `pruneByRetention` allows (3 days), so a
   * retention prune by any process never deletes an event that is still answered from memory; after a prune with a
   * later cutoff, call `forget()`. The status answered from memory is the one last seen: use it in a queue-mode
   * receiver, which reads only `inserted`, not in an inline one. Whole number, 0 to 1,000,000; about 70 bytes each,
   * outside the JavaScript heap. Ids longer than 48 characters or with characters beyond ASCII are not kept
   * (Persona's are `evt_` and 24 characters). Default 0: every answer comes from a read.
   */
  readonly rememberIds?: number;
}

/** Reads stored events' statuses; synchronous, like better-sqlite3. Every method throws the driver's error. */
export interface SqliteStatusReader {
  /** The status of the stored event `id`, or undefined when it is not stored (or not yet committed). */
  statusOf(id: string): EventStatus | undefined;
  /**
   * What the store's `insertIfAbsent(event)` answers when `event` is already stored (`{ inserted: false,
   * status }`; with `rememberIds`, the status last seen when the answer comes from memory), or undefined when it
   * is not, or, with `sampleReads`, when this call did not read: then insert it through the store. Checks `event`
   * as the store does.
   * The store counts a duplicate as a delivery, and this read cannot: pass its id to the store's
   * `countDeliveries`, unless `event.source` is `'api'` (a copy recovered by reconcile is not a delivery).
   */
  duplicateOf(event: NewEvent): InsertResult | undefined;
  /** How many calls of `duplicateOf` read the database, and how many of those found the event. */
  duplicateReads(): { readonly reads: number; readonly found: number };
  /**
   * Tells the reader (with `rememberIds`) that `id` is stored, with the status the store just answered: call it
   * once the store's insert of it resolved (committed). Its duplicates are then answered from memory, with the
   * status last seen here (which may have moved on since: use `statusOf` for the current one).
   */
  remember(id: string, status: EventStatus): void;
  /** Drops every remembered id: call it after events were deleted (a prune that deleted records). */
  forget(): void;
}

/**
 * A reader of stored events' statuses on its own connection. In WAL mode (the store's) a read never waits for
 * the writer and sees every committed insert; an event it finds is durable.
 * @example
 * ```ts
 * const reader = createSqliteStatusReader({ database: new Database('webhooks.db', { readonly: true }) })
 * const duplicate = reader.duplicateOf(event)
 * if (duplicate !== undefined) await store.countDeliveries([event.id])
 * ```
 */
export function createSqliteStatusReader(options: SqliteStatusReaderOptions): SqliteStatusReader {
  const db = sqliteDatabaseOption('createSqliteStatusReader', options);
  const text = sqliteStatements(checkIdentifier('table', options.table ?? DEFAULT_TABLE)).selectStatus;
  let statement: SqliteStatementLike | undefined;
  const statusOf = (id: string): EventStatus | undefined => {
    // Prepared at first use: the table exists only once the store's migrations ran.
    statement ??= db.prepare(text);
    return (statement.get(id) as { status: EventStatus } | undefined)?.status;
  };
  const sampled = options.sampleReads ?? false;
  if (typeof sampled !== 'boolean') {
    throw new PersonaWebhookError(
      'invalid_options',
      `createSqliteStatusReader: sampleReads must be true or false, got ${typeof sampled}.`,
    );
  }
  const capacity = numberOption('createSqliteStatusReader', 'rememberIds', options.rememberIds, 0, {
    integer: true,
    min: 0,
    max: MAX_REMEMBERED,
  });
  const sampler = createReadSampler({ sample: sampled });
  const remembered = createRecentIds(capacity, { maxAgeMs: REMEMBER_FOR_MS });
  return {
    statusOf,
    duplicateOf(event: NewEvent): InsertResult | undefined {
      checkNewEvent(event);
      const known = remembered.get(event.id);
      if (known !== undefined) return { inserted: false, status: known };
      const status = sampler.read(() => statusOf(event.id));
      if (status === undefined) return undefined;
      remembered.set(event.id, status);
      return { inserted: false, status };
    },
    duplicateReads: () => sampler.counts(),
    remember(id, status) {
      remembered.set(id, status);
    },
    forget: () => remembered.clear(),
  };
}

/** Upper bound of `rememberIds` (~70 MB). */
const MAX_REMEMBERED = 1_000_000;

/** How long a remembered id is answered from memory: well within the shortest record retention (3 days). */
const REMEMBER_FOR_MS = 24 * 60 * 60 * 1000;
