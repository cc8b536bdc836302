// Benchmark limit for a receiver on SQLite: the verify-only server plus the least a SQLite receiver that skips
// duplicates must do, with serve's durable settings. Each verified body is decoded, its event id taken (the
// first "id" of the envelope), and the pair handed to a thread that inserts a batch into a table of two columns
// (id primary key, body; a duplicate is skipped) in one transaction: WAL, synchronous=FULL, temporary storage in
// memory. Requests are answered once their batch has committed. No status, no indexes, no counts, no envelope
// check, no redaction: not a usable receiver, SQLite's and the thread hand-off's share of the cost alone.
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
} else {
  const db = new Database(workerData.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('temp_store = MEMORY');
  db.exec('CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO events (id, body) VALUES (?, ?) ON CONFLICT (id) DO NOTHING');
  const commit = db.transaction((rows) => {
    for (let i = 0; i < rows.length; i += 2) insert.run(rows[i], rows[i + 1]);
  });
  parentPort.on('message', ({ n, rows }) => {
    commit(rows);
    parentPort.postMessage(n);
  });
}
