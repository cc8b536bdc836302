// A dashboard over a real SQLite file, seeded with realistic sample events that a real worker processed
// (some handlers fail, so there are dead letters), served on a real loopback port. Shared by the browser
// tests and the screenshot script.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createHandlers, createWorker, type EventStore, parseEvent } from 'persona-webhooks';
import { createSqliteStore } from 'persona-webhooks/sqlite';
import { createSampleEvent } from 'persona-webhooks/testing';
import {
  createDashboard,
  type DashboardAuditEntry,
  type FetchServer,
  serveFetchHandler,
} from '../../src/dashboard/index.js';

export const FIXTURE_TOKEN = 'pwd_fixture_token_0123456789abcdef';

/** Names seeded, in order; the ones in FAILING_NAMES fail their handler and go dead. */
const SEEDED_NAMES = [
  'inquiry.created',
  'inquiry.started',
  'inquiry.completed',
  'inquiry.approved',
  'verification.passed',
  'report/watchlist.matched',
  'inquiry.failed',
  'case.created',
  'account.created',
  'inquiry.marked-for-review',
  'transaction.created',
  'document.submitted',
] as const;

export interface DashboardFixture {
  readonly origin: string;
  readonly store: EventStore;
  readonly audit: DashboardAuditEntry[];
  /** Event names whose handler throws; clear it to let a replay succeed. */
  readonly failing: Set<string>;
  /** Resolves once no event is pending, processing or due (bounded by `timeoutMs`). */
  settled(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startDashboardFixture(
  options: { actions?: boolean; copies?: number; failing?: readonly string[] } = {},
): Promise<DashboardFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'persona-dashboard-'));
  const db = new Database(join(dir, 'events.db'));
  const store = createSqliteStore({ database: db });
  await store.migrate();
  const failing = new Set<string>(options.failing ?? ['inquiry.failed', 'report/watchlist.matched']);
  const copies = options.copies ?? 3;
  const now = Date.now();
  let seq = 0;
  for (let copy = 0; copy < copies; copy++) {
    for (const name of SEEDED_NAMES) {
      const body = JSON.stringify(createSampleEvent(name, { seed: `${copy}` }));
      const event = parseEvent(body);
      const resource = event.payload.data as { id?: unknown } | null;
      const facts = {
        id: event.id,
        name: event.name,
        resourceId: typeof resource?.id === 'string' ? resource.id : null,
      };
      // Spread over the last hour so that the chart and the time filter have something to show.
      const receivedAt = new Date(now - (SEEDED_NAMES.length * copies - seq) * 90_000);
      seq++;
      await store.insertIfAbsent({ ...facts, createdAt: receivedAt, body, receivedAt });
    }
  }
  const registry = createHandlers().onAny(
    (event) => {
      if (failing.has(event.name)) throw new Error(`CRM rejected ${event.name}: 503 Service Unavailable`);
    },
    { name: 'crm-sync' },
  );
  registry.onAny(() => undefined, { name: 'audit-log' });
  const worker = createWorker({ store, handlers: registry, maxAttempts: 1, pollIntervalMs: 50, concurrency: 4 });
  worker.start();
  const audit: DashboardAuditEntry[] = [];
  const handler = createDashboard({
    store,
    auth: { token: FIXTURE_TOKEN },
    actions: options.actions ?? true,
    secret: 'wbhsec_fixture_secret',
    onAudit: (entry) => audit.push(entry),
  });
  const served: FetchServer = await serveFetchHandler(handler, { host: '127.0.0.1', port: 0 });
  const settled = async (timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { byStatus } = await store.stats();
      if (byStatus.pending + byStatus.processing === 0) return;
      if (Date.now() > deadline) throw new Error(`events still in flight: ${JSON.stringify(byStatus)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await settled();
  return {
    origin: served.origin,
    store,
    audit,
    failing,
    settled,
    async close() {
      await served.close();
      await worker.stop({ deadlineMs: 2000 });
      await store.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
