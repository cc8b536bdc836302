// Worker-thread entry that owns the SQLite database. better-sqlite3 is synchronous and, with
// synchronous=FULL, every commit waits for an fsync: run on the main thread, that wait stalls every HTTP
// request. Here it stalls only this thread; the main thread keeps reading and verifying deliveries, which
// also makes group commits larger (more events per fsync).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createSqliteStore, type SqliteStore } from 'persona-webhooks/sqlite';
import { unpackObjectIds } from './object-ids-message.js';
import { batchPerTurn } from './turn-batch.js';

/** @internal A call from the main thread. */
export interface StoreCall {
  readonly id: number;
  readonly method: keyof SqliteStore | 'ping';
  readonly args: readonly unknown[];
  /** insertUnlessTombstoned's object ids, packed (object-ids-message.ts); then `args` holds the event only. */
  readonly packedIds?: string;
}

/** @internal The answer to a call. */
export type StoreAnswer =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: { name: string; message: string; code?: string; status?: number };
    };

const { file } = workerData as { file: string };
const BACKSTOP_PAGES = 16_384;
const port = parentPort;
if (port === null) throw new Error('sqlite-thread.js must run in a worker thread');

let db: Database.Database;
let store: SqliteStore;
try {
  db = new Database(file);
  store = createSqliteStore({ database: db });
  // The checkpoint thread (sqlite-checkpoint.ts) copies the WAL into the database; a commit here runs one
  // only past 16,384 pages (64 MB of WAL), should that thread stop.
  if (file !== ':memory:') db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
} catch (error) {
  // The main thread turns this into its one-line start-up error.
  port.postMessage([{ id: 0, ok: false, error: describe(error) }] satisfies StoreAnswer[]);
  throw error;
}
port.postMessage([{ id: 0, ok: true, value: 'ready' }] satisfies StoreAnswer[]);

function describe(error: unknown): { name: string; message: string; code?: string; status?: number } {
  if (error instanceof Error) {
    const e = error as Error & { code?: unknown; status?: unknown };
    return {
      name: e.name,
      message: e.message,
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
      ...(typeof e.status === 'number' ? { status: e.status } : {}),
    };
  }
  return { name: 'Error', message: String(error) };
}

// Messages carry a list of calls each way: everything the main thread asked for in one turn, and every
// answer that settled in one turn here (the inserts of a group commit settle together).
const answer = batchPerTurn<StoreAnswer>((answers) => port.postMessage(answers));

function start(call: StoreCall): void {
  let pending: Promise<unknown>;
  try {
    if (call.method === 'ping') pending = Promise.resolve(db.prepare('select 1').get());
    else {
      const fn = store[call.method] as (...args: unknown[]) => Promise<unknown>;
      const args = call.packedIds === undefined ? call.args : [call.args[0], unpackObjectIds(call.packedIds)];
      pending = fn.apply(store, [...args]);
    }
  } catch (error) {
    pending = Promise.reject(error);
  }
  pending.then(
    (value) => {
      if (call.method === 'close') db.close();
      answer({ id: call.id, ok: true, value });
    },
    (error: unknown) => answer({ id: call.id, ok: false, error: describe(error) }),
  );
}

port.on('message', (calls: StoreCall[]) => {
  for (const call of calls) start(call);
});
