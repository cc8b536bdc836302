// Benchmark limit for a durable receiver: the verify-only server plus the least that makes an acknowledgement
// durable. Each verified body is appended to one file, and the requests of a batch are answered after one
// fdatasync of it (group commit: while one batch syncs, the next gathers). No index, no duplicate check, nothing
// read back: not a usable receiver, the disk's share of the cost alone. File: BENCH_DIR/append.log. Prints "PORT n".
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { ack, listenVerified } from './plain.mjs';

const file = await open(join(process.env.BENCH_DIR ?? '.', 'append.log'), 'a');
let waiting = [];
let syncing = false;

async function commit() {
  syncing = true;
  while (waiting.length > 0) {
    const batch = waiting;
    waiting = [];
    await file.writev(batch.map((b) => b.body));
    await file.datasync();
    for (const b of batch) ack(b.res);
  }
  syncing = false;
}

listenVerified(
  (body, res) => {
    waiting.push({ body, res });
    if (!syncing) void commit();
  },
  () => file.close(),
);
