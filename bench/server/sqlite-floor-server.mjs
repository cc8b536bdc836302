// Benchmark limit for a receiver on SQLite: the verify-only server plus the least a SQLite receiver that skips
// duplicates must do, with serve's durable settings. Each verified body is decoded, its event id taken (the
// first "id" of the envelope), and the pair handed to a thread that inserts into a table of two columns (id
// primary key, body; a duplicate is skipped): WAL, synchronous=FULL, temporary storage in memory. As in serve,
// what reaches the thread in one turn is committed in one transaction, and a third thread checkpoints. Requests
// are answered once their batch has committed. No status, no indexes, no counts, no envelope check, no
// redaction: not a usable receiver, SQLite's and the thread hand-off's share of the cost alone.
// File: BENCH_DIR/floor.db. Prints "PORT n".
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
// serve's own pieces (npm run build first): per-turn batching of messages, and its checkpoint thread.
import { batchPerTurn } from '../../packages/server/dist/service/turn-batch.js';

const CHECKPOINTER = new URL('../../packages/server/dist/service/sqlite-checkpoint.js', import.meta.url);

if (isMainThread) {
  const { ack, listenVerified } = await import('./plain.mjs');
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { file: join(process.env.BENCH_DIR ?? '.', 'floor.db') },
  });
  const answers = new Map(); // batch number → the responses waiting for it
  let sequence = 0;
  worker.on('message', (n) => {
    for (const res of answers.get(n)) ack(res);
    answers.delete(n);
  });
  // One message per event-loop turn: [id, body, id, body, …].
  const send = batchPerTurn((items) => {
    answers.set(
      ++sequence,
      items.map((item) => item.res),
    );
    worker.postMessage({ n: sequence, rows: items.flatMap((item) => [item.id, item.body]) });
  });
  const decoder = new TextDecoder();
  listenVerified(
    (bytes, res) => {
      const body = decoder.decode(bytes);
      send({ id: /"id"\s*:\s*"([^"]+)"/.exec(body)?.[1], body, res });
    },
    () => worker.terminate(),
  );
} else {
  const db = new Database(workerData.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('temp_store = MEMORY');
  db.pragma('wal_autocheckpoint = 16384'); // a backstop only, as in serve
  db.exec('CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL)');
  new Worker(CHECKPOINTER, { workerData: { file: workerData.file, intervalMs: 250 } }).unref();
  const insert = db.prepare('INSERT INTO events (id, body) VALUES (?, ?) ON CONFLICT (id) DO NOTHING');
  const commit = db.transaction((batches) => {
    for (const { rows } of batches) for (let i = 0; i < rows.length; i += 2) insert.run(rows[i], rows[i + 1]);
  });
  // The messages that arrive in one turn are committed together (one fsync), as serve's group commit does.
  const answer = batchPerTurn((batches) => {
    commit(batches);
    for (const { n } of batches) parentPort.postMessage(n);
  });
  parentPort.on('message', answer);
}
