// Encryption at rest, the redaction cascade and erasure, over real stores: SQLite files (whose raw bytes,
// WAL included, are scanned for planted personal values) and PostgreSQL (whose rows are read back as text).
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createHandlers } from '../../src/processing/handlers.js';
import { createWebhookReceiver } from '../../src/processing/receive.js';
import { createWorker } from '../../src/processing/worker.js';
import { createKeyring, type Keyring } from '../../src/protection/keyring.js';
import {
  createProtectedStore,
  type ProtectedStore,
  REDACTION_EVENT_NAMES,
} from '../../src/protection/protected-store.js';
import { isScrubbed } from '../../src/protection/references.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { createPostgresStore } from '../../src/store/postgres/index.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import type { EventStore } from '../../src/store/store.js';
import { signPayload } from '../../src/webhook-signature.js';
import { postgresForTests } from '../helpers/pg.js';
import { accountHistory, BYSTANDER, bystanderEvent, lateInquiryEvent, PLANTED, redactedEvent } from './fixtures.js';

const SECRET = 'wbhsec_protection-tests';
const key = () => randomBytes(32).toString('base64');

async function deliver(store: EventStore, events: readonly { body: string }[]): Promise<void> {
  const receiver = createWebhookReceiver({ secret: SECRET, store });
  for (const e of events) {
    const header = await signPayload({ body: e.body, secret: SECRET });
    const result = await receiver.receive({ body: e.body, headers: { 'persona-signature': header } });
    assert.equal(result.status, 200, JSON.stringify(result.body));
  }
}

/** Runs the worker with serve's built-in redaction handler until nothing is due. */
async function process(store: ProtectedStore): Promise<void> {
  const registry = createHandlers()
    .on(
      REDACTION_EVENT_NAMES,
      async (event) => {
        const subject = (event.payload.data as { id?: string } | null)?.id;
        if (subject) await store.erase(subject, { eventId: event.id });
      },
      { name: 'redaction' },
    )
    .onAny(() => {}, { name: 'app' });
  await createWorker({ store, handlers: registry }).drain();
}

function sqliteFiles(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));
}

function plantedIn(bytes: Buffer | string): string[] {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('latin1');
  return Object.values(PLANTED).filter((v) => text.includes(v));
}

function openSqlite(dir: string): { database: Database.Database; store: EventStore } {
  const database = new Database(join(dir, 'events.db'));
  return { database, store: createSqliteStore({ database }) };
}

describe('encryption at rest', () => {
  it('leaves no planted personal value in clear in the SQLite file or its WAL, yet reads every payload back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-enc-'));
    const { database, store: sqlite } = openSqlite(dir);
    const store = createProtectedStore(sqlite, { keyring: createKeyring([{ id: 'k1', key: key() }]) });
    await store.migrate();
    await deliver(store, [...accountHistory(), bystanderEvent()]);
    await process(store);
    // Read back in clear through the store; the dedupe record stays readable without the key.
    const approved = await store.get('evt_inq_1_approved');
    assert.equal(approved?.status, 'succeeded');
    assert.match(approved?.body ?? '', new RegExp(PLANTED.idNumber));
    const raw = database.prepare('SELECT id, name, status, resource_id, body FROM persona_webhook_events').all() as {
      id: string;
      name: string;
      status: string;
      resource_id: string | null;
      body: string;
    }[];
    assert.equal(raw.length, 6);
    assert.ok(raw.every((r) => r.body.startsWith('pwenc1.k1.')));
    assert.ok(raw.some((r) => r.resource_id === 'inq_1' && r.name === 'inquiry.approved' && r.status === 'succeeded'));
    // The WAL is scanned before the checkpoint that closing the database runs.
    assert.deepEqual(plantedIn(sqliteFiles(dir)), [], 'planted values found in the database files');
    database.close();
    assert.deepEqual(plantedIn(sqliteFiles(dir)), []);
  });

  it('(control) finds the planted values in the same files when encryption is off, so the scan can fail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-enc-off-'));
    const { database, store: sqlite } = openSqlite(dir);
    const store = createProtectedStore(sqlite);
    await store.migrate();
    await deliver(store, accountHistory());
    assert.deepEqual(plantedIn(sqliteFiles(dir)).sort(), Object.values(PLANTED).sort());
    database.close();
  });

  it('binds a ciphertext to its event: moved to another row, it does not decrypt', async () => {
    const keyring = createKeyring([{ id: 'k1', key: key() }]);
    const memory = createMemoryStore();
    const store = createProtectedStore(memory, { keyring });
    await deliver(store, [...accountHistory()]);
    const stolen = (await memory.get('evt_inq_1_approved'))?.body ?? '';
    await memory.setBody('evt_act_1_created', stolen);
    await assert.rejects(store.get('evt_act_1_created'), /does not decrypt/);
  });

  it('claims around a payload no key opens: that event fails alone, with the reason, and the rest of its batch runs', async () => {
    const keyring = createKeyring([{ id: 'k1', key: key() }]);
    const memory = createMemoryStore();
    const store = createProtectedStore(memory, { keyring });
    await deliver(store, [...accountHistory()]);
    const all = (await memory.list({}, { limit: 100 })).events.map((e) => e.id);
    // One row sealed under another event's id (as a retired or wrong key would leave it): it cannot be opened.
    const stolen = (await memory.get('evt_inq_1_approved'))?.body ?? '';
    await memory.setBody('evt_act_1_created', stolen);
    const claimed = await store.claim({ owner: 'w', leaseMs: 60_000, limit: 100, maxAttempts: 3 });
    const ids = claimed.map((e) => e.id);
    assert.ok(!ids.includes('evt_act_1_created'));
    assert.ok(ids.length > 0, 'the readable events of the batch are handed out');
    for (const e of claimed) assert.ok(e.body?.startsWith('{'), 'handed out decrypted');
    const failed = await memory.get('evt_act_1_created');
    assert.equal(failed?.status, 'retrying', 'tried again later (the key may be added back), not dead at once');
    assert.match(failed?.lastError ?? '', /payload not readable: .*does not decrypt/);
    assert.ok(all.length >= ids.length + 1);
    // On its last attempt it goes dead, with the reason, rather than coming back.
    const last = await store.claim({
      owner: 'w2',
      leaseMs: 60_000,
      limit: 100,
      maxAttempts: 2,
      now: new Date(Date.now() + 3_600_000),
    });
    assert.ok(!last.some((e) => e.id === 'evt_act_1_created'));
    assert.equal((await memory.get('evt_act_1_created'))?.status, 'dead');
  });

  it('rotates keys: new writes use the newest key, old rows are re-encrypted, and a crash resumes', async () => {
    const k1 = { id: 'k1', key: key() };
    const k2 = { id: 'k2', key: key() };
    const dir = mkdtempSync(join(tmpdir(), 'pw-rotate-'));
    const { database, store: sqlite } = openSqlite(dir);
    await createProtectedStore(sqlite, { keyring: createKeyring([k1]) }).migrate();
    await deliver(createProtectedStore(sqlite, { keyring: createKeyring([k1]) }), accountHistory());
    const keyring: Keyring = createKeyring([k1, k2]);
    // A rotation that dies after two rows (a crash: the process is gone, the rows written so far stay).
    let writes = 0;
    const crashing: EventStore = {
      ...sqlite,
      setBody: async (...args) => {
        if (++writes > 2) throw new Error('killed');
        return sqlite.setBody(...args);
      },
    };
    await assert.rejects(createProtectedStore(crashing, { keyring }).rotateKeys(), /killed/);
    const store = createProtectedStore(sqlite, { keyring });
    const resumed = await store.rotateKeys();
    assert.equal(resumed.examined, 5);
    assert.equal(resumed.reencrypted, 3, 'only what the crashed run had not done');
    const bodies = (database.prepare('SELECT body FROM persona_webhook_events').all() as { body: string }[]).map(
      (r) => r.body,
    );
    assert.ok(bodies.every((b) => b.startsWith('pwenc1.k2.')));
    await deliver(store, [bystanderEvent()]);
    assert.match((await sqlite.get('evt_inq_b_created'))?.body ?? '', /^pwenc1\.k2\./);
    assert.match((await store.get('evt_inq_1_approved'))?.body ?? '', new RegExp(PLANTED.nameFirst));
    // k1 can now be retired: nothing needs it.
    assert.match(
      (await createProtectedStore(sqlite, { keyring: createKeyring([k2]) }).get('evt_inq_1_approved'))?.body ?? '',
      /Zyxw/,
    );
    database.close();
  });
});

for (const [label, makeStore] of [
  ['memory', async () => createMemoryStore()],
  [
    'SQLite',
    async () => {
      const s = openSqlite(mkdtempSync(join(tmpdir(), 'pw-redact-'))).store;
      await s.migrate();
      return s;
    },
  ],
] as const) {
  describe(`the redaction cascade (${label}, encrypted)`, () => {
    async function protectedStore(): Promise<ProtectedStore> {
      return createProtectedStore(await makeStore(), { keyring: createKeyring([{ id: 'k1', key: key() }]) });
    }

    async function bodyOf(store: EventStore, id: string): Promise<string> {
      return (await store.get(id))?.body ?? '';
    }

    it('scrubs every stored event about an account and the inquiries, verifications, reports and documents linked to it', async () => {
      const store = await protectedStore();
      const history = accountHistory();
      await deliver(store, [...history, bystanderEvent()]);
      await process(store);
      await deliver(store, [redactedEvent('account', 'act_1')]);
      await process(store);
      for (const e of history) {
        const body = await bodyOf(store, e.id);
        assert.ok(isScrubbed(body), `${e.id} not scrubbed`);
        assert.deepEqual(plantedIn(body), [], `${e.id} still holds personal data`);
        // The dedupe record and the envelope's facts survive.
        const stored = await store.get(e.id);
        assert.equal(stored?.name, e.name);
        assert.equal(stored?.status, 'succeeded');
      }
      assert.match(
        await bodyOf(store, 'evt_inq_b_created'),
        new RegExp(BYSTANDER.nameFirst),
        'a bystander is untouched',
      );
      assert.deepEqual(
        (
          await store.findTombstones(['act_1', 'inq_1', 'ver_of_inq_1', 'doc_of_inq_1', 'rep_of_inq_1', 'inq_b'])
        ).sort(),
        ['act_1', 'doc_of_inq_1', 'inq_1', 'rep_of_inq_1', 'ver_of_inq_1'],
      );
    });

    it('scrubs an older event about the object that arrives after its redaction (late retry or reconcile)', async () => {
      const store = await protectedStore();
      await deliver(store, [redactedEvent('inquiry', 'inq_9', 3600)]);
      await process(store);
      const late = lateInquiryEvent('inq_9', 'inquiry.approved', 60);
      await deliver(store, [late]);
      assert.ok(isScrubbed(await bodyOf(store, late.id)));
      // Reconcile inserts straight into the store, not through the receiver: the same rule applies.
      const reconciled = lateInquiryEvent('inq_9', 'inquiry.completed', 30);
      await store.insertIfAbsent({
        id: reconciled.id,
        name: reconciled.name,
        createdAt: new Date(Date.parse('2026-11-01T10:00:30.000Z')),
        resourceId: 'inq_9',
        body: reconciled.body,
      });
      const body = await bodyOf(store, reconciled.id);
      assert.ok(isScrubbed(body));
      assert.deepEqual(plantedIn(body), []);
      // A scrubbed event still parses and runs: its handlers see the ids, not the data.
      await process(store);
      assert.equal((await store.get(reconciled.id))?.status, 'succeeded');
    });

    it('never brings the data back on replay', async () => {
      const store = await protectedStore();
      await deliver(store, accountHistory('act_r', 'inq_r'));
      await process(store);
      await deliver(store, [redactedEvent('inquiry', 'inq_r')]);
      await process(store);
      assert.equal(await store.requeue({ id: 'evt_inq_r_approved' }), 1);
      await process(store);
      assert.ok(isScrubbed(await bodyOf(store, 'evt_inq_r_approved')));
      // A duplicate delivery of the original does not replace the scrubbed payload either.
      await deliver(
        store,
        accountHistory('act_r', 'inq_r').filter((e) => e.id === 'evt_inq_r_approved'),
      );
      assert.ok(isScrubbed(await bodyOf(store, 'evt_inq_r_approved')));
    });

    it('erases by hand, with a dry run that lists what it would touch and changes nothing', async () => {
      const store = await protectedStore();
      await deliver(store, [...accountHistory('act_e', 'inq_e'), bystanderEvent()]);
      const dry = await store.erase('act_e', { dryRun: true });
      assert.equal(dry.dryRun, true);
      assert.deepEqual(
        dry.events.map((e) => e.id).sort(),
        accountHistory('act_e', 'inq_e')
          .map((e) => e.id)
          .sort(),
      );
      assert.ok(dry.objectIds.includes('ver_of_inq_e'));
      assert.deepEqual(await store.findTombstones(dry.objectIds), []);
      assert.match(await bodyOf(store, 'evt_inq_e_approved'), new RegExp(PLANTED.idNumber));
      const done = await store.erase('act_e');
      assert.deepEqual(done.events, dry.events);
      for (const e of done.events) assert.ok(isScrubbed(await bodyOf(store, e.id)));
      assert.match(await bodyOf(store, 'evt_inq_b_created'), new RegExp(BYSTANDER.nameFirst));
    });
  });
}

const pg = postgresForTests('protection');

describe('encryption and redaction on PostgreSQL', { skip: pg.skip }, () => {
  before(() => pg.setUp());
  after(() => pg.tearDown());
  it('stores no planted value in clear in any column, and scrubs on redaction', async () => {
    const inner = createPostgresStore({ pool: pg.pool(), schema: pg.schema });
    const store = createProtectedStore(inner, { keyring: createKeyring([{ id: 'k1', key: key() }]) });
    await store.migrate();
    await deliver(store, accountHistory('act_pg', 'inq_pg'));
    await process(store);
    const rows = await pg.pool().query(`SELECT t::text AS row FROM "${pg.schema}".persona_webhook_events t`);
    assert.equal(rows.rows.length, 5);
    assert.deepEqual(plantedIn(rows.rows.map((r: { row: string }) => r.row).join('\n')), []);
    assert.match((await store.get('evt_inq_pg_approved'))?.body ?? '', new RegExp(PLANTED.documentUrl.slice(8, 30)));
    await deliver(store, [redactedEvent('account', 'act_pg')]);
    await process(store);
    assert.ok(isScrubbed((await store.get('evt_inq_pg_approved'))?.body ?? ''));
  });
});
