// Worker-thread entry that checkpoints the SQLite WAL beside the writer thread. Left to the writer (SQLite's
// wal_autocheckpoint), a checkpoint runs inside a commit every ~1000 pages — a few hundred 8 KB events — and
// the acknowledgements waiting on that commit wait for it too, fsync of the database file included. Here,
// on its own connection, a PASSIVE checkpoint copies what the writer committed without ever blocking it; the
// writer keeps a large autocheckpoint only as a backstop should this thread stop.
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new Database(file);
// Never wait long for a lock: the next tick tries again.
db.pragma('busy_timeout = 100');
setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy, or the file went away while shutting down: the next tick tries again.
  }
}, intervalMs);
