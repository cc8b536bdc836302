// An EventStore whose SQLite database lives in a worker thread (see sqlite-thread.ts for why).
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import {
  type EventStore,
  type InsertResult,
  type NewEvent,
  PersonaWebhookError,
  type PersonaWebhookErrorCode,
  StoreUnavailableError,
} from 'persona-webhooks';
import { createSqliteStatusReader, type SqliteStatusReader } from 'persona-webhooks/sqlite';
import { packObjectIds } from './object-ids-message.js';
import type { StoreAnswer, StoreCall } from './sqlite-thread.js';
import { batchPerTurn } from './turn-batch.js';

/** A store proxy plus what the service needs around it. */
export interface ThreadedSqliteStore {
  readonly store: EventStore;
  ping(): Promise<void>;
  /**
   * What `store.insertIfAbsent(event)` would answer when `event` is already stored, counted as a delivery;
   * undefined otherwise (then insert it through the store, which answers a duplicate too). Up to 65,536 events
   * this process stored or found in the last 24 hours are answered from memory, with the status last seen here
   * (serve's receiver reads only `inserted`); others from a read on this thread. While reads rarely find a
   * duplicate, only one call in 64 reads; the others answer undefined at once. Synchronous. Serve calls it
   * before the protection layer: a duplicate stores nothing, so it needs no redaction scan and no encryption.
   */
  answerDuplicate(event: NewEvent): InsertResult | undefined;
  /** How many calls of `answerDuplicate` read the database, and how many of those found a duplicate. */
  duplicateReads(): { readonly reads: number; readonly found: number };
  /** Closes the store, the database and the thread. */
  close(): Promise<void>;
}

/**
 * How many stored events' ids the main thread remembers to answer their duplicates without a read (4.6 MB of
 * typed arrays; each for 24 hours at most): Persona redelivers an event it got no timely answer for within
 * minutes to hours, and redelivery storms after an outage repeat the same ids.
 */
const REMEMBERED_IDS = 65_536;

/** Longest a duplicate's delivery count waits here for another call to carry it to the thread. */
const COUNT_POST_MS = 50;

/** How often the checkpoint thread copies the WAL into the database file. */
const CHECKPOINT_INTERVAL_MS = 250;

const METHODS = [
  'migrate',
  'insertIfAbsent',
  'insertUnlessTombstoned',
  'claim',
  'extendLease',
  'complete',
  'fail',
  'release',
  'get',
  'list',
  'count',
  'activity',
  'requeue',
  'prune',
  'stats',
  'setBody',
  'saveReconcileRun',
  'listReconcileRuns',
  'acquireReconcileLock',
  'releaseReconcileLock',
  'addTombstones',
  'findTombstones',
] as const satisfies readonly (keyof EventStore)[];

/** better-sqlite3's Database class, loaded by the caller (it is an optional peer dependency). */
export type SqliteDriver = typeof Database;

function rebuild(error: { name: string; message: string; code?: string; status?: number }): Error {
  if (error.code === 'store_unavailable') return new StoreUnavailableError(error.message);
  if (error.name === 'PersonaWebhookError' && error.code !== undefined) {
    return new PersonaWebhookError(error.code as PersonaWebhookErrorCode, error.message, {
      ...(error.status === undefined ? {} : { status: error.status }),
    });
  }
  const e = new Error(error.message);
  e.name = error.name;
  return e;
}

/**
 * Opens a SQLite file in a worker thread and returns an EventStore that forwards every call to it, and
 * `answerDuplicate`, which answers the duplicate delivery of a stored event here, from memory or from a read on a
 * read-only connection of this thread, instead of sending it to the writer with its body. Rejects when the file
 * cannot be opened.
 *
 * @example
 * ```ts
 * const { store, close } = await createThreadedSqliteStore('/srv/data/events.db', Database)
 * await store.migrate()
 * ```
 */
export async function createThreadedSqliteStore(file: string, driver: SqliteDriver): Promise<ThreadedSqliteStore> {
  const worker = new Worker(new URL('./sqlite-thread.js', import.meta.url), { workerData: { file } });
  // WAL checkpoints run beside the writer, not inside its commits (see sqlite-checkpoint.ts).
  const checkpointer =
    file === ':memory:'
      ? null
      : new Worker(new URL('./sqlite-checkpoint.js', import.meta.url), {
          workerData: { file, intervalMs: CHECKPOINT_INTERVAL_MS },
        });
  // A checkpointer that fails only leaves the writer's backstop checkpoints; it must not crash the service.
  checkpointer?.on('error', () => undefined);
  checkpointer?.unref();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let dead: Error | null = null;

  const ready = new Promise<void>((resolve, reject) => {
    pending.set(0, { resolve: () => resolve(), reject });
  });
  worker.on('message', (answers: StoreAnswer[]) => {
    for (const answer of answers) {
      const entry = pending.get(answer.id);
      if (entry === undefined) continue;
      pending.delete(answer.id);
      if (answer.ok) entry.resolve(answer.value);
      else entry.reject(rebuild(answer.error));
    }
  });
  const failAll = (error: Error) => {
    dead = new StoreUnavailableError(`the SQLite thread stopped: ${error.message}`, { cause: error });
    for (const entry of pending.values()) entry.reject(dead);
    pending.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`exit code ${code}`)));

  try {
    await ready;
  } catch (error) {
    await worker.terminate();
    await checkpointer?.terminate();
    throw error;
  }

  // The calls of one moment (one turn of the event loop: the inserts and tombstone lookups of every delivery
  // read meanwhile) travel in one message, and the thread answers what settled together in one message: a
  // message per call costs more than the insert it carries. The thread commits those inserts together.
  const post = batchPerTurn<StoreCall>((calls) => worker.postMessage(calls));
  const send = (method: StoreCall['method'], args: readonly unknown[]): Promise<unknown> => {
    if (dead !== null) return Promise.reject(dead);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      const packedIds = method === 'insertUnlessTombstoned' ? packObjectIds(args[1]) : undefined;
      post(packedIds === undefined ? { id, method, args } : { id, method, args: [args[0]], packedIds });
    });
  };
  // Ids of duplicates answered here (see answerHere) whose count is not posted yet. They go to the thread in
  // one countDeliveries call just before the next call of any other kind, so a get or a close that follows a
  // duplicate sees its count, or COUNT_POST_MS after the first of them when no call comes: posted every turn,
  // the counts cost a message each way per duplicate or two (server-notes.md, stop 13).
  let countedIds: string[] | null = null;
  let countTimer: ReturnType<typeof setTimeout> | undefined;
  const postCounts = () => {
    if (countTimer !== undefined) clearTimeout(countTimer);
    countTimer = undefined;
    if (countedIds === null) return;
    const ids = countedIds;
    countedIds = null;
    send('countDeliveries', [ids]).catch(() => undefined); // a count, not an event: lost with the thread
  };
  const call = (method: StoreCall['method'], args: readonly unknown[]): Promise<unknown> => {
    if (countedIds !== null) postCounts();
    return send(method, args);
  };

  const store = {} as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of METHODS) store[method] = (...args: unknown[]) => call(method, args);

  // A duplicate of a stored event is answered here, from memory or a read: crossing to the writer would cost a
  // copy of its body each way and a wait behind the writer's commits (bench/results/server-notes.md). Its
  // delivery is counted in the thread, many ids in one call. ':memory:' cannot be shared: no reader.
  let reader: { db: Database.Database; statuses: SqliteStatusReader } | null = null;
  if (file !== ':memory:') {
    try {
      const db = new driver(file, { readonly: true, fileMustExist: true });
      reader = {
        db,
        statuses: createSqliteStatusReader({ database: db, sampleReads: true, rememberIds: REMEMBERED_IDS }),
      };
    } catch {
      // The writer opened the file; should a second connection fail, every call goes to the thread.
    }
  }
  const countHere = (id: string) => {
    if (countedIds !== null) {
      countedIds.push(id);
      return;
    }
    countedIds = [id];
    countTimer = setTimeout(postCounts, COUNT_POST_MS);
    countTimer.unref?.();
  };
  // Most deliveries are new, and for them the read finds nothing, at a cost far above a lookup's while the
  // thread writes (each commit empties the reader's page cache; bench/results/server-notes.md). So while reads
  // rarely find a duplicate, the reader reads only one delivery in 64 (sampleReads); the others go to the
  // writer, which answers a duplicate correctly too, only dearer.
  // Once reads find duplicates (a redelivery storm after an outage), every delivery is read again.
  const answerHere = (event: NewEvent): InsertResult | undefined => {
    if (reader === null || dead !== null) return undefined;
    let answer: InsertResult | undefined;
    try {
      answer = reader.statuses.duplicateOf(event);
    } catch {
      return undefined; // invalid input, no table yet, a busy file: the thread answers, with its own errors
    }
    if (answer !== undefined && event.source !== 'api') countHere(event.id);
    return answer;
  };
  // An event this thread saw committed (its insert answered, or a read found it) is remembered, so that its
  // duplicates need no read at all: a read transaction costs several system calls (server-notes.md, stop 13).
  const remembered = (id: string) => (value: unknown) => {
    const result = value as InsertResult | null;
    if (result !== null && typeof result === 'object') reader?.statuses.remember(id, result.status);
    return value;
  };
  for (const method of ['insertIfAbsent', 'insertUnlessTombstoned'] as const) {
    store[method] = (...args: unknown[]) => {
      // Read before the call: a missing event must reach the thread, which refuses it with its own error.
      const id = (args[0] as { id?: unknown } | null | undefined)?.id;
      const answered = call(method, args);
      return typeof id === 'string' ? answered.then(remembered(id)) : answered;
    };
  }
  // A prune that deleted records may have deleted remembered events: their next delivery is new again. A prune by
  // another process is not seen here, but a retention prune keeps records 3 days at least, and an id is
  // answered from memory for 24 hours after it was remembered (createSqliteStatusReader).
  store.prune = (...args: unknown[]) =>
    call('prune', args).then((value) => {
      if ((value as { recordsDeleted?: number } | null)?.recordsDeleted !== 0) reader?.statuses.forget();
      return value;
    });
  let closed: Promise<void> | null = null;
  store.close = () => {
    closed ??= (async () => {
      reader?.db.close();
      reader = null;
      // The close call carries the counts still here; with the thread dead they are lost with it (a count, not an
      // event), and the timer must not fire after close.
      if (dead === null) await call('close', []).catch(() => undefined);
      if (countTimer !== undefined) clearTimeout(countTimer);
      countTimer = undefined;
      countedIds = null;
      worker.removeAllListeners('exit');
      await worker.terminate();
      await checkpointer?.terminate();
    })();
    return closed;
  };
  return {
    store: store as unknown as EventStore,
    ping: async () => {
      await call('ping', []);
    },
    answerDuplicate: answerHere,
    duplicateReads: () => reader?.statuses.duplicateReads() ?? { reads: 0, found: 0 },
    close: () => (store.close as () => Promise<void>)(),
  };
}
