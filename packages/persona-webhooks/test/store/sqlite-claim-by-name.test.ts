// A worker that wants only some event names claims through the name index (SQLite migration 6): the plan reads
// each wanted name's range, never the waiting events of the names it does not want.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { sqliteStatements } from '../../src/store/sqlite/sqlite-sql.js';

describe('sqlite claim by name', () => {
  it('reads each wanted name through the name index, and claims past events nobody claims', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'persona-claim-name-'));
    const database = new Database(join(dir, 'events.db'));
    try {
      const store = createSqliteStore({ database });
      await store.migrate();
      const base = { createdAt: new Date('2026-11-01T00:00:00Z'), resourceId: null, body: '{}' };
      await Promise.all(
        Array.from({ length: 2000 }, (_, i) =>
          store.insertIfAbsent({ ...base, id: `evt_o${i}`, name: 'inquiry.completed' }),
        ),
      );
      await store.insertIfAbsent({ ...base, id: 'evt_red', name: 'inquiry.redacted' });
      const claimed = await store.claim({ owner: 'w', leaseMs: 60_000, limit: 10, names: ['inquiry.redacted'] });
      assert.deepEqual(
        claimed.map((e) => e.id),
        ['evt_red'],
      );

      const text = sqliteStatements('persona_webhook_events').claimDueByName(2);
      const plan = (
        database
          .prepare(`EXPLAIN QUERY PLAN ${text}`)
          .all({ now: Date.now(), names: '["a","b"]', limit: 10, n0: 'a', n1: 'b' }) as {
          detail: string;
        }[]
      ).map((row) => row.detail);
      const reads = plan.filter((d) => /^(SCAN|SEARCH) e\b/.test(d));
      assert.equal(reads.length, 2, plan.join('\n'));
      for (const read of reads) assert.match(read, /^SEARCH e USING INDEX persona_webhook_events_due_name \(name=\?/);
      await store.close();
    } finally {
      database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
