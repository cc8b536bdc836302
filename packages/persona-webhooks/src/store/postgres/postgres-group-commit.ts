// Group commit for PostgreSQL: the webhook inserts that arrive in the same event-loop turn go to the database
// as one many-row INSERT statement, so they share one round trip, one plan and one commit (one
// WAL flush) instead of one each. Every caller resolves only once that statement committed. The same statement
// skips the rows whose tombstone check (`insertUnlessTombstoned`) finds a tombstone.
import { StoreUnavailableError } from '../../errors.js';
import type { EventStatus, InsertResult, NewEvent } from '../store.js';

/** One webhook insert, with the times the store gave it when it was called. */
export interface PendingInsert {
  readonly event: NewEvent;
  readonly receivedAt: Date;
  readonly now: Date;
  /** Skip the insert (resolve null) when one of these object ids has a tombstone. */
  readonly unlessTombstoned?: readonly string[] | undefined;
}

/** How the batch reaches the database. */
export interface PostgresGroupCommitOptions {
  readonly maxBatchSize: number;
  /**
   * Runs the many-row insert of `rows` rows; params, 9 per row when `checked` (8 without the tombstone ids), as
   * `postgresStatements().insertMany` documents.
   */
  readonly insertMany: (rows: number, checked: boolean, params: unknown[]) => Promise<{ rows: unknown[] }>;
  /** Inserts one event alone (the single-row statement), errors already mapped. */
  readonly insertOne: (insert: PendingInsert) => Promise<InsertResult>;
  /** Maps a driver error to the error the caller sees. */
  readonly mapError: (error: unknown) => unknown;
}

interface Queued {
  readonly insert: PendingInsert;
  readonly resolve: (result: InsertResult | null) => void;
  readonly reject: (error: unknown) => void;
}

/** A queue of webhook inserts sent together at the end of the current event-loop turn. */
export interface PostgresGroupCommit {
  add(insert: PendingInsert): Promise<InsertResult | null>;
  /** Commits one insert now, alone (no group commit). */
  commitAlone(insert: PendingInsert): Promise<InsertResult | null>;
  /** Resolves once every batch sent so far has settled. */
  idle(): Promise<void>;
}

/**
 * Creates the queue. Deliveries of the same id within one batch are sent once, with their count as the
 * delivery count: one statement cannot insert and then update the same row. Ids go in sorted order, so two
 * batches in flight on two connections lock the rows they share in the same order and cannot deadlock.
 * When the database refuses the batch for one value, each event is retried alone, so only that one fails;
 * an outage fails the whole batch at once.
 *
 * @example
 * ```ts
 * const batch = createPostgresGroupCommit({ maxBatchSize: 512, insertMany, insertOne, mapError })
 * const result = await batch.add({ event, receivedAt: now, now })
 * ```
 */
export function createPostgresGroupCommit(options: PostgresGroupCommitOptions): PostgresGroupCommit {
  let queue: Queued[] = [];
  let scheduled = false;
  const inFlight = new Set<Promise<void>>();

  async function eachAlone(batch: readonly Queued[]): Promise<void> {
    // In order, so that a second delivery of an id in the batch sees the first one stored. Once the database
    // is found unavailable, the rest fail with that at once instead of each waiting for its own timeout.
    let unavailable: StoreUnavailableError | undefined;
    for (const entry of batch) {
      if (unavailable !== undefined) {
        entry.reject(unavailable);
        continue;
      }
      try {
        if (entry.insert.unlessTombstoned === undefined) entry.resolve(await options.insertOne(entry.insert));
        else {
          const outcome = new Promise<InsertResult | null>((resolve, reject) =>
            many([{ insert: entry.insert, resolve, reject }], true),
          );
          entry.resolve(await outcome);
        }
      } catch (error) {
        if (error instanceof StoreUnavailableError) unavailable = error;
        entry.reject(error);
      }
    }
  }

  /** The many-row statement over `batch`; `alone`: one entry, already a retry (no further fallback). */
  async function many(batch: readonly Queued[], alone: boolean): Promise<void> {
    const byId = new Map<string, Queued[]>();
    for (const entry of batch) {
      const same = byId.get(entry.insert.event.id);
      if (same === undefined) byId.set(entry.insert.event.id, [entry]);
      else same.push(entry);
    }
    // Deliveries of one id that disagree on the tombstone check (a rare mix of both methods) go one by one.
    const mixed: Queued[] = [];
    for (const [id, entries] of byId) {
      const checked = entries.filter((entry) => entry.insert.unlessTombstoned !== undefined).length;
      if (checked > 0 && checked < entries.length) {
        mixed.push(...entries);
        byId.delete(id);
      }
    }
    const ids = [...byId.keys()].sort();
    const checked = [...byId.values()].some((entries) => (entries[0] as Queued).insert.unlessTombstoned !== undefined);
    const params: unknown[] = [];
    for (const id of ids) {
      const entries = byId.get(id) as Queued[];
      const { event, receivedAt, now } = (entries[0] as Queued).insert;
      const unless = entries.some((entry) => entry.insert.unlessTombstoned !== undefined)
        ? [...new Set(entries.flatMap((entry) => entry.insert.unlessTombstoned ?? []))]
        : null;
      params.push(id, event.name, event.createdAt, receivedAt, event.resourceId, event.body, now, entries.length);
      if (checked) params.push(unless);
    }
    let rows: { id: string; status: EventStatus; deliveries: number }[] = [];
    try {
      if (ids.length > 0) rows = (await options.insertMany(ids.length, checked, params)).rows as typeof rows;
    } catch (error) {
      const mapped = options.mapError(error);
      if (mapped instanceof StoreUnavailableError || alone) {
        for (const entry of batch) entry.reject(mapped);
        return;
      }
      return eachAlone(batch);
    }
    const byRow = new Map(rows.map((row) => [row.id, row]));
    for (const [id, entries] of byId) {
      const row = byRow.get(id);
      if (row === undefined) {
        // No row: the tombstone check skipped it. A row without a check is always inserted or updated.
        const skippable = (entries[0] as Queued).insert.unlessTombstoned !== undefined;
        for (const entry of entries) {
          if (skippable) entry.resolve(null);
          else entry.reject(new Error(`PostgreSQL store: no row returned for ${id}`));
        }
        continue;
      }
      // A fresh row holds exactly this batch's deliveries; a stored one had at least one before.
      const fresh = row.deliveries === entries.length;
      for (const [i, entry] of entries.entries()) entry.resolve({ inserted: fresh && i === 0, status: row.status });
    }
    if (mixed.length > 0) await eachAlone(mixed);
  }

  async function commit(batch: readonly Queued[]): Promise<void> {
    if (batch.length === 1) return eachAlone(batch);
    return many(batch, false);
  }

  /** Keeps `work` for `idle()`; should it ever throw, every entry of its batch still settles (a no-op for those that did). */
  const track = (batch: readonly Queued[], work: Promise<void>) => {
    const done: Promise<void> = work
      .catch((error: unknown) => {
        for (const entry of batch) entry.reject(error);
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };

  const flush = () => {
    scheduled = false;
    while (queue.length > 0) {
      const batch = queue.slice(0, options.maxBatchSize);
      queue = queue.slice(options.maxBatchSize);
      track(batch, commit(batch));
    }
  };

  return {
    add(insert: PendingInsert): Promise<InsertResult | null> {
      return new Promise<InsertResult | null>((resolve, reject) => {
        queue.push({ insert, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    commitAlone(insert: PendingInsert): Promise<InsertResult | null> {
      return new Promise<InsertResult | null>((resolve, reject) => {
        const entry = { insert, resolve, reject };
        track([entry], eachAlone([entry]));
      });
    },
    async idle(): Promise<void> {
      if (queue.length > 0) flush();
      await Promise.allSettled([...inFlight]);
    },
  };
}
