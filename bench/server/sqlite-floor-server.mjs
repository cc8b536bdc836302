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

if (isMainThread) {
  const { ack, listenVerified } = await import('./plain.mjs');
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { file: join(process.env.BENCH_DIR ?? '.', 'floor.db') },
  });
  const answers = new Map(); // batch number → the responses waiting for it
  let batch = [];
  let responses = [];
  let sequence = 0;
  worker.on('message', (n) => {
    for (const res of answers.get(n)) ack(res);
    answers.delete(n);
  });
  const send = () => {
    answers.set(++sequence, responses);
    worker.postMessage({ n: sequence, rows: batch });
    batch = [];
    responses = [];
  };
  const decoder = new TextDecoder();
  listenVerified(
    (bytes, res) => {
      const body = decoder.decode(bytes);
      const id = /"id"\s*:\s*"([^"]+)"/.exec(body)?.[1];
      if (batch.length === 0) setImmediate(send); // one message per event-loop turn
      batch.push(id, body);
      responses.push(res);
    },
    () => worker.terminate(),
  );
} else if (workerData.checkpointEveryMs !== undefined) {
  // As serve does: PASSIVE checkpoints from a connection of their own, never inside the writer's commits.
  const db = new Database(workerData.file);
  db.pragma('busy_timeout = 100');
  setInterval(() => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy: the next tick tries again.
    }
  }, workerData.checkpointEveryMs);
} else {
  const db = new Database(workerData.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('temp_store = MEMORY');
  db.pragma('wal_autocheckpoint = 16384'); // a backstop only, as in serve
  db.exec('CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL)');
  new Worker(new URL(import.meta.url), { workerData: { file: workerData.file, checkpointEveryMs: 250 } }).unref();
  const insert = db.prepare('INSERT INTO events (id, body) VALUES (?, ?) ON CONFLICT (id) DO NOTHING');
  const commit = db.transaction((batches) => {
    for (const { rows } of batches) for (let i = 0; i < rows.length; i += 2) insert.run(rows[i], rows[i + 1]);
  });
  // The messages that arrive in one turn are committed together (one fsync), as serve's group commit does.
  let batches = [];
  parentPort.on('message', (batch) => {
    if (batches.length === 0)
      setImmediate(() => {
        const done = batches;
        batches = [];
        commit(done);
        for (const { n } of done) parentPort.postMessage(n);
      });
    batches.push(batch);
  });
}
