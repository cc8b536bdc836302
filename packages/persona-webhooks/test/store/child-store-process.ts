// A small program run as a separate OS process by the multi-process store tests
// (`node --import tsx child-store-process.ts`). It opens the store named by the environment, migrates,
// prints "ready", waits for "go" on stdin, then runs the requested job and prints one JSON line per result.
//
// STORE=sqlite FILE=… | STORE=postgres URL=… SCHEMA=… TABLE=…
// JOB=race   IDS=n COPIES=m  : m concurrent deliveries of each of n ids, prints {"inserted":[…ids]}
// JOB=stream COUNT=n         : inserts n events one after another, prints "acked <id>" after each resolves
// JOB=claim                  : claims (limit 5) and completes until nothing is left, prints {"claimed":[…ids]}
import { createInterface } from 'node:readline';
import { requiredEnv as env, openChildStore } from '../helpers/child-store.js';

const { store, close } = openChildStore({ poolSize: 10 });

const event = (id: string) => ({
  id,
  name: 'inquiry.completed',
  createdAt: new Date(1_700_000_000_000),
  resourceId: `inq_${id}`,
  body: JSON.stringify({ data: { id, pad: 'x'.repeat(2000) } }),
});

await store.migrate();
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line.trim() === 'go') break;
process.stdin.destroy();

if (env('JOB') === 'race') {
  const ids = Array.from({ length: Number(env('IDS')) }, (_, i) => `evt_race_${i}`);
  const copies = Number(env('COPIES'));
  const results = await Promise.all(
    ids.flatMap((id) => Array.from({ length: copies }, () => store.insertIfAbsent(event(id)).then((r) => ({ id, r })))),
  );
  process.stdout.write(`${JSON.stringify({ inserted: results.filter((x) => x.r.inserted).map((x) => x.id) })}\n`);
} else if (env('JOB') === 'claim') {
  const claimed: string[] = [];
  const owner = `worker-${process.pid}`;
  for (let empty = 0; empty < 3; ) {
    const batch = await store.claim({ owner, leaseMs: 60_000, limit: 5 });
    if (batch.length === 0) {
      empty += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    empty = 0;
    for (const e of batch) {
      claimed.push(e.id);
      // A little handler work, so that the two processes' claims interleave.
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (!(await store.complete(e.id, owner))) throw new Error(`lost the lease of ${e.id}`);
    }
  }
  process.stdout.write(`${JSON.stringify({ claimed })}\n`);
} else {
  for (let i = 0; ; i++) {
    if (i >= Number(env('COUNT'))) break;
    const id = `evt_stream_${i}`;
    await store.insertIfAbsent(event(id));
    process.stdout.write(`acked ${id}\n`);
  }
}
await close();
