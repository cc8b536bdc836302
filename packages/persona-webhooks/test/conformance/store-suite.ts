// The one conformance suite every EventStore runs unchanged (memory, SQLite, PostgreSQL).
// Time is passed explicitly (`now`) wherever the contract allows it, so lease expiry and retry times are
// tested without sleeping; methods without `now` run on the real clock, which the tests stay clear of.
import * as assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { PersonaWebhookError } from '../../src/errors.js';
import type { EventStore, NewEvent, ReconcileRun, StoredEvent } from '../../src/store/store.js';

/** What a store factory returns: a migrated store and how to remove everything it made. */
export interface StoreUnderTest {
  readonly store: EventStore;
  readonly cleanup: () => Promise<void>;
}

const MINUTE = 60_000;

/** How a store under test differs from one loaded from this package's sources. */
export interface StoreSuiteOptions {
  /**
   * The PersonaWebhookError class its errors are made of, when the store loads the built package (serve's SQLite
   * thread) rather than these sources. Default: the class from src/errors.ts.
   */
  readonly errorClass?: abstract new (
    ...args: never[]
  ) => Error;
}

/**
 * Registers the EventStore conformance tests for one implementation.
 *
 * @example
 * ```ts
 * defineStoreSuite('memory', async () => ({ store: createMemoryStore(), cleanup: async () => {} }))
 * ```
 */
export function defineStoreSuite(
  name: string,
  makeStore: () => Promise<StoreUnderTest>,
  options: StoreSuiteOptions = {},
): void {
  const errorClass = options.errorClass ?? PersonaWebhookError;
  describe(`EventStore conformance: ${name}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    // A base instant a little in the past, so that stores using the real clock for some columns agree.
    let t0: number;
    let seq = 0;

    const at = (offsetMs: number) => new Date(t0 + offsetMs);
    const event = (id: string, overrides: Partial<NewEvent> = {}): NewEvent => ({
      id,
      name: 'inquiry.completed',
      createdAt: at(seq++),
      resourceId: null,
      body: `{"data":{"id":"${id}"}}`,
      receivedAt: at(0),
      ...overrides,
    });
    const claimAt = (
      offsetMs: number,
      owner = 'w1',
      extra: { limit?: number; names?: string[]; maxAttempts?: number } = {},
    ) => store.claim({ owner, leaseMs: MINUTE, limit: extra.limit ?? 10, now: at(offsetMs), ...extra });
    const ids = (events: readonly StoredEvent[]) => events.map((e) => e.id);
    const mustGet = async (id: string): Promise<StoredEvent> => {
      const found = await store.get(id);
      assert.ok(found, `expected ${id} to be stored`);
      return found;
    };
    const isInvalidOptions = (status?: number) => (error: unknown) => {
      assert.ok(error instanceof errorClass, 'expected a PersonaWebhookError');
      const { code, status: actual } = error as PersonaWebhookError;
      assert.equal(code, 'invalid_options');
      if (status !== undefined) assert.equal(actual, status);
      return true;
    };

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
      t0 = Date.now() - 10 * MINUTE;
      seq = 0;
    });
    afterEach(async () => {
      await cleanup();
    });

    describe('migrate', () => {
      it('can run again on a migrated store without changing anything', async () => {
        await store.insertIfAbsent(event('evt_m'));
        await store.migrate();
        await store.migrate();
        assert.equal((await mustGet('evt_m')).status, 'pending');
      });
    });

    describe('event source', () => {
      it('marks delivered events webhook and recovered ones api, and does not count an API copy as a delivery', async () => {
        await store.insertIfAbsent(event('evt_hook'));
        assert.deepEqual(await store.insertIfAbsent(event('evt_api', { source: 'api' })), {
          inserted: true,
          status: 'pending',
        });
        assert.equal((await mustGet('evt_hook')).source, 'webhook');
        assert.equal((await mustGet('evt_api')).source, 'api');
        assert.deepEqual(await store.insertIfAbsent(event('evt_hook', { source: 'api' })), {
          inserted: false,
          status: 'pending',
        });
        assert.equal((await mustGet('evt_hook')).deliveries, 1);
        assert.equal((await mustGet('evt_hook')).source, 'webhook');
        // Persona's own delivery arriving after reconcile stored the event: a duplicate, counted.
        assert.equal((await store.insertIfAbsent(event('evt_api'))).inserted, false);
        assert.equal((await mustGet('evt_api')).deliveries, 2);
        assert.equal((await mustGet('evt_api')).source, 'api');
        const page = await store.list({});
        assert.deepEqual(page.events.map((e) => e.source).sort(), ['api', 'webhook']);
      });

      it('rejects an unknown source', async () => {
        await assert.rejects(store.insertIfAbsent(event('evt_bad', { source: 'email' as never })), isInvalidOptions());
      });

      it('lists and counts by source', async () => {
        await store.insertIfAbsent(event('evt_hook_1'));
        await store.insertIfAbsent(event('evt_api_1', { source: 'api' }));
        await store.insertIfAbsent(event('evt_api_2', { source: 'api' }));
        const api = await store.list({ source: 'api' });
        assert.deepEqual(api.events.map((e) => e.id).sort(), ['evt_api_1', 'evt_api_2']);
        assert.deepEqual(
          (await store.list({ source: 'webhook' })).events.map((e) => e.id),
          ['evt_hook_1'],
        );
        assert.equal(await store.count({ source: 'api' }), 2);
        await assert.rejects(store.list({ source: 'email' as never }), isInvalidOptions());
      });
    });

    describe('reconcile runs and lock', () => {
      const run = (id: string, startOffset: number, extra: Partial<ReconcileRun> = {}): ReconcileRun => ({
        id,
        status: 'running',
        owner: 'host:1',
        startedAt: at(startOffset),
        finishedAt: null,
        windowFrom: at(-3 * 24 * 60 * MINUTE),
        windowTo: null,
        topEventId: null,
        cursor: null,
        seen: 0,
        alreadyStored: 0,
        inserted: 0,
        failed: 0,
        names: null,
        dryRun: false,
        error: null,
        updatedAt: at(startOffset),
        ...extra,
      });

      it('saves, updates and lists runs newest first', async () => {
        await store.saveReconcileRun(run('rcn_1', 0));
        await store.saveReconcileRun(run('rcn_2', MINUTE, { names: ['inquiry.approved'], dryRun: true }));
        const done = run('rcn_1', 0, {
          status: 'failed',
          finishedAt: at(30_000),
          windowTo: at(-1000),
          topEventId: 'evt_top',
          cursor: 'evt_c',
          seen: 250,
          alreadyStored: 200,
          inserted: 49,
          failed: 1,
          error: 'GET /events failed',
          updatedAt: at(30_000),
        });
        await store.saveReconcileRun(done);
        const runs = await store.listReconcileRuns();
        assert.deepEqual(
          runs.map((r) => r.id),
          ['rcn_2', 'rcn_1'],
        );
        assert.deepEqual(runs[1], done);
        assert.deepEqual(runs[0]?.names, ['inquiry.approved']);
        assert.equal(runs[0]?.dryRun, true);
        assert.equal((await store.listReconcileRuns({ limit: 1 })).length, 1);
        await assert.rejects(store.listReconcileRuns({ limit: 0 }), isInvalidOptions(400));
        await assert.rejects(store.saveReconcileRun(run('rcn_bad', 0, { seen: -1 })), isInvalidOptions());
      });

      it('lets one owner hold the reconcile lock at a time, renew it and release it', async () => {
        assert.equal(await store.acquireReconcileLock('a', MINUTE), true);
        assert.equal(await store.acquireReconcileLock('a', MINUTE), true);
        assert.equal(await store.acquireReconcileLock('b', MINUTE), false);
        await store.releaseReconcileLock('b');
        assert.equal(await store.acquireReconcileLock('b', MINUTE), false);
        await store.releaseReconcileLock('a');
        assert.equal(await store.acquireReconcileLock('b', MINUTE), true);
        await store.releaseReconcileLock('b');
      });
    });

    describe('insertIfAbsent', () => {
      it('stores a new event as pending with one delivery and no attempts', async () => {
        const result = await store.insertIfAbsent(
          event('evt_1', { name: 'inquiry.approved', resourceId: 'inq_1', createdAt: at(-5), receivedAt: at(7) }),
        );
        assert.deepEqual(result, { inserted: true, status: 'pending' });
        const stored = await mustGet('evt_1');
        assert.equal(stored.name, 'inquiry.approved');
        assert.equal(stored.resourceId, 'inq_1');
        assert.equal(stored.createdAt.getTime(), at(-5).getTime());
        assert.equal(stored.receivedAt.getTime(), at(7).getTime());
        assert.equal(stored.status, 'pending');
        assert.equal(stored.attempts, 0);
        assert.equal(stored.finishedAttempts, 0);
        assert.equal(stored.deliveries, 1);
        assert.equal(stored.lockedBy, null);
        assert.equal(stored.lockedUntil, null);
        assert.equal(stored.lastError, null);
        assert.deepEqual(stored.completedHandlers, []);
        assert.equal(stored.body, '{"data":{"id":"evt_1"}}');
        assert.ok(stored.updatedAt instanceof Date);
      });

      it('defaults receivedAt to now when the caller gives none', async () => {
        const before = Date.now();
        const { receivedAt: _omit, ...withoutReceivedAt } = event('evt_now');
        await store.insertIfAbsent(withoutReceivedAt);
        const stored = await mustGet('evt_now');
        assert.ok(stored.receivedAt.getTime() >= before - 1000 && stored.receivedAt.getTime() <= Date.now() + 1000);
      });

      it('reports a duplicate, keeps the first copy and counts the delivery', async () => {
        await store.insertIfAbsent(event('evt_dup', { body: 'first' }));
        const again = await store.insertIfAbsent(event('evt_dup', { body: 'second', name: 'other.name' }));
        assert.deepEqual(again, { inserted: false, status: 'pending' });
        const stored = await mustGet('evt_dup');
        assert.equal(stored.deliveries, 2);
        assert.equal(stored.body, 'first');
        assert.equal(stored.name, 'inquiry.completed');
      });

      it('reports the status of the stored copy for a duplicate of a finished event', async () => {
        await store.insertIfAbsent(event('evt_done'));
        await claimAt(0);
        assert.equal(await store.complete('evt_done', 'w1', { now: at(1) }), true);
        assert.deepEqual(await store.insertIfAbsent(event('evt_done')), { inserted: false, status: 'succeeded' });
      });

      it('rejects an event without an id, name or valid createdAt with a clear error', async () => {
        await assert.rejects(store.insertIfAbsent(event('')), isInvalidOptions());
        await assert.rejects(store.insertIfAbsent(event('evt_x', { name: '' })), isInvalidOptions());
        await assert.rejects(store.insertIfAbsent(event('evt_x', { createdAt: new Date('nope') })), isInvalidOptions());
        assert.equal(await store.get('evt_x'), null);
      });

      it('inserts exactly one copy when many deliveries of one id arrive at once', async () => {
        const results = await Promise.all(
          Array.from({ length: 50 }, () => store.insertIfAbsent(event('evt_race', { createdAt: at(0) }))),
        );
        assert.equal(results.filter((r) => r.inserted).length, 1);
        assert.equal((await mustGet('evt_race')).deliveries, 50);
      });

      it('inserts each of many different events delivered at once', async () => {
        const results = await Promise.all(
          Array.from({ length: 40 }, (_, i) => store.insertIfAbsent(event(`evt_p${i}`))),
        );
        assert.ok(results.every((r) => r.inserted));
        assert.equal((await store.stats()).total, 40);
      });
    });

    describe('insertUnlessTombstoned (optional)', () => {
      // A store without the method is still a store: createProtectedStore then looks tombstones up itself.
      const unless = (e: NewEvent, objectIds: readonly string[]) => {
        const method = store.insertUnlessTombstoned;
        assert.ok(method !== undefined);
        return method.call(store, e, objectIds);
      };
      const skip = (t: { skip: (message: string) => void }) => {
        if (store.insertUnlessTombstoned !== undefined) return false;
        t.skip(`${name} has no insertUnlessTombstoned`);
        return true;
      };

      it('inserts when none of the ids is tombstoned, and stores nothing when one is', async (t) => {
        if (skip(t)) return;
        await store.addTombstones([{ objectId: 'inq_gone', eventId: null }]);
        assert.deepEqual(await unless(event('evt_live'), ['evt_live', 'inq_live']), {
          inserted: true,
          status: 'pending',
        });
        assert.equal(await unless(event('evt_about_gone'), ['evt_about_gone', 'inq_gone']), null);
        assert.equal(await store.get('evt_about_gone'), null);
        assert.deepEqual(await unless(event('evt_no_ids'), []), { inserted: true, status: 'pending' });
      });

      it('answers a duplicate with a tombstoned id as a counted duplicate, or null with nothing counted', async (t) => {
        if (skip(t)) return;
        await store.insertIfAbsent(event('evt_stored'));
        await store.addTombstones([{ objectId: 'inq_later', eventId: null }]);
        const result = await unless(event('evt_stored', { body: '{"changed":true}' }), ['inq_later']);
        const stored = await mustGet('evt_stored');
        if (result === null) assert.equal(stored.deliveries, 1, 'null: nothing counted');
        else {
          assert.deepEqual(result, { inserted: false, status: 'pending' });
          assert.equal(stored.deliveries, 2);
        }
        assert.equal(stored.body, '{"data":{"id":"evt_stored"}}', 'the first copy is kept');
        const again = await store.insertIfAbsent(event('evt_stored'));
        assert.deepEqual(again, { inserted: false, status: 'pending' });
      });

      it('decides each of many deliveries of one moment by its own ids', async (t) => {
        if (skip(t)) return;
        await store.addTombstones([{ objectId: 'inq_gone', eventId: null }]);
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) => unless(event(`evt_m${i}`), [i % 3 === 0 ? 'inq_gone' : `inq_${i}`])),
        );
        for (const [i, result] of results.entries()) {
          if (i % 3 === 0) assert.equal(result, null, `evt_m${i}`);
          else assert.deepEqual(result, { inserted: true, status: 'pending' }, `evt_m${i}`);
        }
        assert.equal((await store.stats()).total, 8);
      });

      it('rejects ids that are not an array of strings', async (t) => {
        if (skip(t)) return;
        await assert.rejects(unless(event('evt_bad'), 'inq_1' as unknown as string[]), isInvalidOptions());
        assert.equal(await store.get('evt_bad'), null);
      });
    });

    describe('claim', () => {
      it('leases due events to the owner until now + leaseMs and counts an attempt', async () => {
        await store.insertIfAbsent(event('evt_c'));
        const [claimed, ...rest] = await store.claim({ owner: 'worker-a', leaseMs: 30_000, limit: 5, now: at(100) });
        assert.equal(rest.length, 0);
        assert.ok(claimed);
        assert.equal(claimed.id, 'evt_c');
        assert.equal(claimed.status, 'processing');
        assert.equal(claimed.lockedBy, 'worker-a');
        assert.equal(claimed.lockedUntil?.getTime(), at(30_100).getTime());
        assert.equal(claimed.attempts, 1);
        assert.equal(claimed.finishedAttempts, 0);
        assert.equal(claimed.body, '{"data":{"id":"evt_c"}}');
        const stored = await mustGet('evt_c');
        assert.equal(stored.status, 'processing');
        assert.equal(stored.lockedBy, 'worker-a');
      });

      it('returns nothing when nothing is due', async () => {
        assert.deepEqual(await claimAt(0), []);
      });

      it('claims at most limit events, oldest createdAt first', async () => {
        await store.insertIfAbsent(event('evt_b', { createdAt: at(2) }));
        await store.insertIfAbsent(event('evt_a', { createdAt: at(1) }));
        await store.insertIfAbsent(event('evt_c', { createdAt: at(3) }));
        assert.deepEqual(ids(await claimAt(0, 'w1', { limit: 2 })), ['evt_a', 'evt_b']);
        assert.deepEqual(ids(await claimAt(0, 'w2', { limit: 2 })), ['evt_c']);
      });

      it('claims only the names asked for', async () => {
        await store.insertIfAbsent(event('evt_i', { name: 'inquiry.completed' }));
        await store.insertIfAbsent(event('evt_v', { name: 'verification.passed' }));
        assert.deepEqual(ids(await claimAt(0, 'w1', { names: ['verification.passed', 'case.created'] })), ['evt_v']);
        assert.equal((await mustGet('evt_i')).status, 'pending');
      });

      it('is not held by an older event of a name it does not claim, about the same object', async () => {
        // A worker with handlers for inquiry.approved only: inquiry.created, older, is never claimed by it.
        await store.insertIfAbsent(
          event('evt_created', { name: 'inquiry.created', resourceId: 'inq_h', createdAt: at(1) }),
        );
        await store.insertIfAbsent(
          event('evt_approved', { name: 'inquiry.approved', resourceId: 'inq_h', createdAt: at(2) }),
        );
        await store.insertIfAbsent(
          event('evt_approved2', { name: 'inquiry.approved', resourceId: 'inq_h', createdAt: at(3) }),
        );
        const names = ['inquiry.approved'];
        // Still in order among its own names: the older inquiry.approved first, the newer after it finished.
        assert.deepEqual(ids(await claimAt(0, 'w1', { names })), ['evt_approved']);
        assert.deepEqual(ids(await claimAt(0, 'w2', { names })), []);
        assert.equal(await store.complete('evt_approved', 'w1', { now: at(1) }), true);
        assert.deepEqual(ids(await claimAt(2, 'w2', { names })), ['evt_approved2']);
        assert.equal((await mustGet('evt_created')).status, 'pending');
        // While one runs under a live lease, no other event about the object starts, whatever its name.
        assert.deepEqual(ids(await claimAt(3, 'w3')), []);
        assert.equal(await store.complete('evt_approved2', 'w2', { now: at(4) }), true);
        assert.deepEqual(ids(await claimAt(5, 'w3')), ['evt_created']);
      });

      it('claims the oldest due events across several names, in due order, past many of other names', async () => {
        for (let i = 0; i < 30; i++) await store.insertIfAbsent(event(`evt_other${i}`, { createdAt: at(i) }));
        await store.insertIfAbsent(event('evt_acc2', { name: 'account.redacted', createdAt: at(50) }));
        await store.insertIfAbsent(event('evt_inq1', { name: 'inquiry.redacted', createdAt: at(40) }));
        await store.insertIfAbsent(event('evt_acc1', { name: 'account.redacted', createdAt: at(35) }));
        await store.insertIfAbsent(event('evt_inq2', { name: 'inquiry.redacted', createdAt: at(60) }));
        const names = ['inquiry.redacted', 'account.redacted', 'inquiry.redacted'];
        assert.deepEqual(ids(await claimAt(0, 'w1', { names, limit: 3 })), ['evt_acc1', 'evt_inq1', 'evt_acc2']);
        assert.deepEqual(ids(await claimAt(0, 'w2', { names, limit: 3 })), ['evt_inq2']);
        assert.deepEqual(ids(await claimAt(0, 'w3', { names: [], limit: 3 })), []);
      });

      it('claims only the ids asked for, still in per-resource order', async () => {
        await store.insertIfAbsent(event('evt_i1', { resourceId: 'inq_i', createdAt: at(1) }));
        await store.insertIfAbsent(event('evt_i2', { resourceId: 'inq_i', createdAt: at(2) }));
        await store.insertIfAbsent(event('evt_i3'));
        await store.insertIfAbsent(event('evt_i4'));
        assert.deepEqual(
          ids(await store.claim({ owner: 'w', leaseMs: MINUTE, limit: 5, ids: ['evt_i2', 'evt_i4'], now: at(0) })),
          ['evt_i4'],
        );
        assert.deepEqual(ids(await store.claim({ owner: 'w', leaseMs: MINUTE, limit: 5, ids: [], now: at(0) })), []);
        assert.deepEqual(
          ids(await store.claim({ owner: 'w', leaseMs: MINUTE, limit: 5, ids: ['evt_i1'], now: at(0) })),
          ['evt_i1'],
        );
      });

      it('does not claim a new event before its receivedAt', async () => {
        await store.insertIfAbsent(event('evt_later', { receivedAt: at(500) }));
        assert.deepEqual(await claimAt(499), []);
        assert.deepEqual(ids(await claimAt(500)), ['evt_later']);
      });

      it('takes abandoned leases before fresh events when the limit is short', async () => {
        await store.insertIfAbsent(event('evt_fresh_old', { createdAt: at(-100), receivedAt: at(2) }));
        await store.insertIfAbsent(event('evt_abandoned', { createdAt: at(0), receivedAt: at(0) }));
        await claimAt(0, 'w1', { limit: 1 });
        assert.equal((await mustGet('evt_abandoned')).status, 'processing');
        assert.deepEqual(ids(await claimAt(MINUTE, 'w2', { limit: 1 })), ['evt_abandoned']);
      });

      it('does not claim an event whose lease is still live', async () => {
        await store.insertIfAbsent(event('evt_l'));
        await claimAt(0, 'w1');
        assert.deepEqual(await claimAt(MINUTE - 1, 'w2'), []);
      });

      it('lets another worker reclaim an event whose lease expired, counting a second attempt', async () => {
        await store.insertIfAbsent(event('evt_e'));
        await claimAt(0, 'w1');
        const [again] = await claimAt(MINUTE, 'w2');
        assert.equal(again?.id, 'evt_e');
        assert.equal(again?.lockedBy, 'w2');
        assert.equal(again?.attempts, 2);
        assert.equal(again?.finishedAttempts, 0);
      });

      it('moves an abandoned event to dead once its started attempts reach maxAttempts', async () => {
        await store.insertIfAbsent(event('evt_poison'));
        assert.equal((await claimAt(0, 'w1', { maxAttempts: 2 })).length, 1);
        assert.equal((await claimAt(MINUTE, 'w2', { maxAttempts: 2 })).length, 1);
        assert.deepEqual(await claimAt(2 * MINUTE, 'w3', { maxAttempts: 2 }), []);
        const dead = await mustGet('evt_poison');
        assert.equal(dead.status, 'dead');
        assert.equal(dead.attempts, 2);
        assert.equal(dead.finishedAttempts, 0);
        assert.equal(dead.lockedBy, null);
        assert.match(dead.lastError ?? '', /lease/);
      });

      it('does not count against maxAttempts the attempts that finished with a retry', async () => {
        await store.insertIfAbsent(event('evt_r'));
        await claimAt(0, 'w1', { maxAttempts: 1 });
        await store.fail('evt_r', 'w1', { error: 'boom', retryAt: at(10), now: at(5) });
        const [again] = await claimAt(10, 'w1', { maxAttempts: 1 });
        assert.equal(again?.id, 'evt_r');
        assert.equal(again?.attempts, 2);
      });

      it('never hands one event to two concurrent claims', async () => {
        for (let i = 0; i < 20; i++) await store.insertIfAbsent(event(`evt_k${i}`));
        const batches = await Promise.all(Array.from({ length: 8 }, (_, i) => claimAt(0, `w${i}`, { limit: 3 })));
        const claimed = batches.flatMap(ids);
        assert.equal(new Set(claimed).size, claimed.length, 'an event was claimed twice');
        const rest = ids(await claimAt(0, 'w-last', { limit: 100 }));
        assert.equal(new Set([...claimed, ...rest]).size, 20);
        assert.equal(claimed.length + rest.length, 20);
      });

      it('rejects claim options that would lease nothing or forever', async () => {
        await assert.rejects(store.claim({ owner: '', leaseMs: 1000, limit: 1 }), isInvalidOptions());
        await assert.rejects(store.claim({ owner: 'w', leaseMs: 0, limit: 1 }), isInvalidOptions());
        await assert.rejects(store.claim({ owner: 'w', leaseMs: 1000, limit: 0 }), isInvalidOptions());
        await assert.rejects(store.claim({ owner: 'w', leaseMs: 1.5, limit: 1 }), isInvalidOptions());
      });
    });

    describe('complete, fail, release, extendLease', () => {
      it('marks a completed event succeeded, counts the finished attempt and drops the lease', async () => {
        await store.insertIfAbsent(event('evt_ok'));
        await claimAt(0);
        assert.equal(await store.complete('evt_ok', 'w1', { completedHandlers: ['h1'], now: at(1) }), true);
        const stored = await mustGet('evt_ok');
        assert.equal(stored.status, 'succeeded');
        assert.equal(stored.attempts, 1);
        assert.equal(stored.finishedAttempts, 1);
        assert.equal(stored.lockedBy, null);
        assert.equal(stored.lockedUntil, null);
        assert.deepEqual(stored.completedHandlers, ['h1']);
        assert.deepEqual(await claimAt(MINUTE * 5), []);
      });

      it('fails to a retry that is not claimed before its runAt and is claimed from then on', async () => {
        await store.insertIfAbsent(event('evt_retry'));
        await claimAt(0);
        assert.equal(
          await store.fail('evt_retry', 'w1', { error: 'HTTP 502 from CRM', retryAt: at(5000), now: at(1) }),
          true,
        );
        const stored = await mustGet('evt_retry');
        assert.equal(stored.status, 'retrying');
        assert.equal(stored.runAt.getTime(), at(5000).getTime());
        assert.equal(stored.lastError, 'HTTP 502 from CRM');
        assert.equal(stored.finishedAttempts, 1);
        assert.equal(stored.lockedBy, null);
        assert.deepEqual(await claimAt(4999), []);
        const [again] = await claimAt(5000);
        assert.equal(again?.id, 'evt_retry');
        assert.equal(again?.attempts, 2);
      });

      it('fails to dead when retryAt is null, and a dead event is not claimed', async () => {
        await store.insertIfAbsent(event('evt_dead'));
        await claimAt(0);
        assert.equal(await store.fail('evt_dead', 'w1', { error: 'invalid config', retryAt: null, now: at(1) }), true);
        const stored = await mustGet('evt_dead');
        assert.equal(stored.status, 'dead');
        assert.equal(stored.finishedAttempts, 1);
        assert.deepEqual(await claimAt(MINUTE * 60), []);
      });

      it('keeps only a short description of a very long error', async () => {
        await store.insertIfAbsent(event('evt_long'));
        await claimAt(0);
        await store.fail('evt_long', 'w1', { error: 'x'.repeat(10_000), retryAt: null, now: at(1) });
        assert.ok(((await mustGet('evt_long')).lastError ?? '').length <= 1000);
      });

      it('releases an event with the handlers that succeeded before the stop, merged with those recorded', async () => {
        await store.insertIfAbsent(event('evt_rel'));
        await claimAt(0);
        await store.fail('evt_rel', 'w1', {
          error: 'h2 failed',
          retryAt: at(10),
          completedHandlers: ['h1'],
          now: at(1),
        });
        await claimAt(10);
        assert.equal(await store.release('evt_rel', 'w1', { completedHandlers: ['h1', 'h2'] }), true);
        const released = await mustGet('evt_rel');
        assert.equal(released.status, 'pending');
        assert.deepEqual(released.completedHandlers, ['h1', 'h2']);
        // Without options, as before: given back with what was recorded.
        await claimAt(10, 'w2');
        assert.equal(await store.release('evt_rel', 'w2'), true);
        assert.deepEqual((await mustGet('evt_rel')).completedHandlers, ['h1', 'h2']);
        // Not the holder: nothing changes.
        assert.equal(await store.release('evt_rel', 'w3', { completedHandlers: ['h9'] }), false);
        assert.deepEqual((await mustGet('evt_rel')).completedHandlers, ['h1', 'h2']);
      });

      it('merges the handlers that succeeded across attempts, each once', async () => {
        await store.insertIfAbsent(event('evt_h'));
        await claimAt(0);
        await store.fail('evt_h', 'w1', {
          error: 'h2 failed',
          retryAt: at(10),
          completedHandlers: ['h1', 'h3'],
          now: at(1),
        });
        assert.deepEqual([...(await mustGet('evt_h')).completedHandlers].sort(), ['h1', 'h3']);
        await claimAt(10);
        await store.complete('evt_h', 'w1', { completedHandlers: ['h2', 'h1'], now: at(11) });
        assert.deepEqual([...(await mustGet('evt_h')).completedHandlers].sort(), ['h1', 'h2', 'h3']);
      });

      it('refuses complete and fail from a worker that lost its lease, changing nothing', async () => {
        await store.insertIfAbsent(event('evt_lost'));
        await claimAt(0, 'w1');
        await claimAt(MINUTE, 'w2');
        const before = await mustGet('evt_lost');
        assert.equal(await store.complete('evt_lost', 'w1', { completedHandlers: ['h'], now: at(MINUTE + 1) }), false);
        assert.equal(await store.fail('evt_lost', 'w1', { error: 'late', retryAt: null, now: at(MINUTE + 2) }), false);
        assert.equal(await store.release('evt_lost', 'w1'), false);
        assert.equal(await store.extendLease('evt_lost', 'w1', MINUTE), false);
        const after = await mustGet('evt_lost');
        assert.equal(after.status, 'processing');
        assert.equal(after.lockedBy, 'w2');
        assert.equal(after.attempts, before.attempts);
        assert.equal(after.finishedAttempts, 0);
        assert.deepEqual(after.completedHandlers, []);
        assert.equal(after.lastError, null);
      });

      it('refuses complete on an event that is not claimed at all', async () => {
        await store.insertIfAbsent(event('evt_free'));
        assert.equal(await store.complete('evt_free', 'w1'), false);
        assert.equal(await store.complete('evt_unknown', 'w1'), false);
        assert.equal((await mustGet('evt_free')).status, 'pending');
      });

      it('releases a claimed event back to pending with the attempt given back', async () => {
        await store.insertIfAbsent(event('evt_rel'));
        await claimAt(0, 'w1');
        assert.equal(await store.release('evt_rel', 'w1'), true);
        const stored = await mustGet('evt_rel');
        assert.equal(stored.status, 'pending');
        assert.equal(stored.attempts, 0);
        assert.equal(stored.lockedBy, null);
        assert.deepEqual(ids(await claimAt(1, 'w2')), ['evt_rel']);
      });

      it('extends a lease only for its owner', async () => {
        await store.insertIfAbsent(event('evt_ext'));
        await store.claim({ owner: 'w1', leaseMs: 1000, limit: 1, now: at(0) });
        assert.equal(await store.extendLease('evt_ext', 'w2', 10 * MINUTE), false);
        const before = Date.now();
        assert.equal(await store.extendLease('evt_ext', 'w1', 10 * MINUTE), true);
        const lockedUntil = (await mustGet('evt_ext')).lockedUntil?.getTime() ?? 0;
        assert.ok(lockedUntil >= before + 10 * MINUTE - 1000, 'the lease runs from the extension');
        assert.equal(await store.extendLease('evt_missing', 'w1', 1000), false);
      });
    });

    describe('per-resource order', () => {
      it('does not claim an event while an older unfinished event about the same resource exists', async () => {
        await store.insertIfAbsent(event('evt_old', { resourceId: 'inq_1', createdAt: at(1) }));
        await store.insertIfAbsent(event('evt_new', { resourceId: 'inq_1', createdAt: at(2) }));
        await store.insertIfAbsent(event('evt_other', { resourceId: 'inq_2', createdAt: at(3) }));
        assert.deepEqual(ids(await claimAt(0, 'w1')), ['evt_old', 'evt_other']);
        assert.deepEqual(await claimAt(0, 'w2'), [], 'the newer one waits while the older one is processing');
        await store.complete('evt_old', 'w1', { now: at(1) });
        assert.deepEqual(ids(await claimAt(2, 'w2')), ['evt_new']);
      });

      it('runs a newer event delivered first after the older one that arrives before the claim', async () => {
        await store.insertIfAbsent(event('evt_second', { resourceId: 'inq_9', createdAt: at(20) }));
        await store.insertIfAbsent(event('evt_first', { resourceId: 'inq_9', createdAt: at(10) }));
        assert.deepEqual(ids(await claimAt(0)), ['evt_first']);
      });

      it('does not start an older event that arrived while a newer one about the same resource runs', async () => {
        await store.insertIfAbsent(event('evt_newer', { resourceId: 'inq_late', createdAt: at(20) }));
        assert.deepEqual(ids(await claimAt(0, 'w1')), ['evt_newer']);
        await store.insertIfAbsent(event('evt_older', { resourceId: 'inq_late', createdAt: at(10) }));
        assert.deepEqual(await claimAt(1, 'w2'), [], 'the newer one still runs');
        await store.complete('evt_newer', 'w1', { now: at(2) });
        assert.deepEqual(ids(await claimAt(3, 'w2')), ['evt_older']);
      });

      it('keeps a newer event waiting behind an older one that is retrying later', async () => {
        await store.insertIfAbsent(event('evt_a1', { resourceId: 'inq_r', createdAt: at(1) }));
        await store.insertIfAbsent(event('evt_a2', { resourceId: 'inq_r', createdAt: at(2) }));
        await claimAt(0);
        await store.fail('evt_a1', 'w1', { error: 'down', retryAt: at(MINUTE), now: at(1) });
        assert.deepEqual(await claimAt(10), []);
        assert.deepEqual(ids(await claimAt(MINUTE)), ['evt_a1']);
      });

      it('lets newer events run once the older one is dead', async () => {
        await store.insertIfAbsent(event('evt_d1', { resourceId: 'inq_d', createdAt: at(1) }));
        await store.insertIfAbsent(event('evt_d2', { resourceId: 'inq_d', createdAt: at(2) }));
        await claimAt(0);
        await store.fail('evt_d1', 'w1', { error: 'bad', retryAt: null, now: at(1) });
        assert.deepEqual(ids(await claimAt(2)), ['evt_d2']);
      });

      it('orders events of one resource with the same createdAt by id', async () => {
        await store.insertIfAbsent(event('evt_z', { resourceId: 'inq_same', createdAt: at(5) }));
        await store.insertIfAbsent(event('evt_y', { resourceId: 'inq_same', createdAt: at(5) }));
        assert.deepEqual(ids(await claimAt(0)), ['evt_y']);
      });

      it('does not order events without a resource against each other', async () => {
        await store.insertIfAbsent(event('evt_n1', { resourceId: null }));
        await store.insertIfAbsent(event('evt_n2', { resourceId: null }));
        assert.deepEqual(ids(await claimAt(0)), ['evt_n1', 'evt_n2']);
      });
    });

    describe('requeue', () => {
      it('puts a succeeded event back to pending by id, keeping attempts and clearing completed handlers', async () => {
        await store.insertIfAbsent(event('evt_rq'));
        await claimAt(0);
        await store.complete('evt_rq', 'w1', { completedHandlers: ['h1'], now: at(1) });
        assert.equal(await store.requeue({ id: 'evt_rq' }), 1);
        const stored = await mustGet('evt_rq');
        assert.equal(stored.status, 'pending');
        assert.equal(stored.attempts, 1);
        assert.equal(stored.finishedAttempts, 1);
        assert.deepEqual(stored.completedHandlers, []);
        const [again] = await claimAt(MINUTE * 20);
        assert.equal(again?.id, 'evt_rq');
        assert.equal(again?.attempts, 2);
      });

      it('does not requeue an event that is still pending, processing or unknown', async () => {
        await store.insertIfAbsent(event('evt_p'));
        await store.insertIfAbsent(event('evt_q'));
        await claimAt(0, 'w1', { limit: 1 });
        assert.equal(await store.requeue({ id: 'evt_p' }), 0);
        assert.equal(await store.requeue({ id: 'evt_q' }), 0);
        assert.equal(await store.requeue({ id: 'evt_nope' }), 0);
        assert.equal((await mustGet('evt_p')).status, 'processing');
      });

      it('requeues by filter only the finished events that match', async () => {
        for (const id of ['evt_f1', 'evt_f2', 'evt_f3'])
          await store.insertIfAbsent(event(id, { name: 'case.created' }));
        await store.insertIfAbsent(event('evt_f4', { name: 'inquiry.failed' }));
        await store.insertIfAbsent(event('evt_f5', { name: 'case.created' }));
        await claimAt(0, 'w1', { limit: 4 });
        await store.fail('evt_f1', 'w1', { error: 'x', retryAt: null, now: at(1) });
        await store.fail('evt_f2', 'w1', { error: 'x', retryAt: null, now: at(1) });
        await store.complete('evt_f3', 'w1', { now: at(1) });
        await store.fail('evt_f4', 'w1', { error: 'x', retryAt: null, now: at(1) });
        assert.equal(await store.requeue({ filter: { status: 'dead', name: 'case.created' } }), 2);
        assert.equal((await mustGet('evt_f1')).status, 'pending');
        assert.equal((await mustGet('evt_f2')).status, 'pending');
        assert.equal((await mustGet('evt_f3')).status, 'succeeded');
        assert.equal((await mustGet('evt_f4')).status, 'dead');
        assert.equal(await store.requeue({ filter: {} }), 2, 'an empty filter requeues every finished event');
      });
    });

    describe('list', () => {
      it('pages newest first with no duplicates or gaps, also across equal createdAt values', async () => {
        const expected: string[] = [];
        for (let i = 0; i < 25; i++) {
          const id = `evt_${String(i).padStart(2, '0')}`;
          // Pairs share a createdAt so that the id tie-break is exercised at page boundaries.
          await store.insertIfAbsent(event(id, { createdAt: at(Math.floor(i / 2)) }));
          expected.push(id);
        }
        expected.reverse();
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.list({}, { limit: 7, ...(cursor === undefined ? {} : { cursor }) });
          seen.push(...ids(page.events));
          cursor = page.nextCursor ?? undefined;
          pages += 1;
        } while (cursor !== undefined && pages < 10);
        assert.equal(pages, 4);
        assert.deepEqual(seen, expected);
      });

      it('returns a null cursor when the page holds the last event', async () => {
        for (let i = 0; i < 3; i++) await store.insertIfAbsent(event(`evt_l${i}`));
        const page = await store.list(undefined, { limit: 3 });
        assert.equal(page.events.length, 3);
        assert.equal(page.nextCursor, null);
        assert.deepEqual(await store.list({ status: 'dead' }), { events: [], nextCursor: null });
      });

      it('filters by status, name, resource and createdAt range', async () => {
        await store.insertIfAbsent(
          event('evt_1', { name: 'inquiry.completed', resourceId: 'inq_a', createdAt: at(100) }),
        );
        await store.insertIfAbsent(event('evt_2', { name: 'inquiry.failed', resourceId: 'inq_b', createdAt: at(200) }));
        await store.insertIfAbsent(event('evt_3', { name: 'case.created', resourceId: 'inq_a', createdAt: at(300) }));
        await store.claim({ owner: 'w', leaseMs: MINUTE, limit: 1, now: at(0), names: ['inquiry.failed'] });
        const list = async (filter: Parameters<EventStore['list']>[0]) => ids((await store.list(filter)).events);
        assert.deepEqual(await list({ status: 'processing' }), ['evt_2']);
        assert.deepEqual(await list({ status: ['pending', 'processing'] }), ['evt_3', 'evt_2', 'evt_1']);
        assert.deepEqual(await list({ name: 'case.created' }), ['evt_3']);
        assert.deepEqual(await list({ name: ['case.created', 'inquiry.completed'] }), ['evt_3', 'evt_1']);
        assert.deepEqual(await list({ resourceId: 'inq_a' }), ['evt_3', 'evt_1']);
        assert.deepEqual(await list({ since: at(200) }), ['evt_3', 'evt_2']);
        assert.deepEqual(await list({ until: at(200) }), ['evt_1']);
        assert.deepEqual(await list({ since: at(100), until: at(300), resourceId: 'inq_a' }), ['evt_1']);
      });

      it('leaves the body out unless asked for it', async () => {
        await store.insertIfAbsent(event('evt_b'));
        assert.equal((await store.list()).events[0]?.body, null);
        assert.equal((await store.list({}, { withBody: true })).events[0]?.body, '{"data":{"id":"evt_b"}}');
      });

      it('rejects a foreign cursor and an out-of-range limit with a 400', async () => {
        await assert.rejects(store.list({}, { cursor: 'not-a-cursor' }), isInvalidOptions(400));
        await assert.rejects(store.list({}, { limit: 0 }), isInvalidOptions(400));
        await assert.rejects(store.list({}, { limit: 1001 }), isInvalidOptions(400));
      });
    });

    describe('count and activity', () => {
      it('counts the events a filter matches, as list would return them', async () => {
        await store.insertIfAbsent(
          event('evt_c1', { name: 'inquiry.failed', resourceId: 'inq_a', createdAt: at(100) }),
        );
        await store.insertIfAbsent(
          event('evt_c2', { name: 'inquiry.failed', resourceId: 'inq_b', createdAt: at(200) }),
        );
        await store.insertIfAbsent(event('evt_c3', { name: 'case.created', resourceId: 'inq_a', createdAt: at(300) }));
        await claimAt(0, 'w1', { limit: 1, names: ['inquiry.failed'] });
        await store.fail('evt_c1', 'w1', { error: 'x', retryAt: null, now: at(1) });
        assert.equal(await store.count(), 3);
        assert.equal(await store.count({}), 3);
        assert.equal(await store.count({ status: 'dead' }), 1);
        assert.equal(await store.count({ status: 'dead', name: 'case.created' }), 0);
        assert.equal(await store.count({ status: ['dead', 'pending'] }), 3);
        assert.equal(await store.count({ name: 'inquiry.failed' }), 2);
        assert.equal(await store.count({ resourceId: 'inq_a', since: at(200) }), 1);
        assert.equal(await store.count({ until: at(300) }), 2);
        await assert.rejects(store.count({ status: 'lost' as never }), isInvalidOptions(400));
      });

      it('counts received, succeeded and failed events per bucket, every bucket present', async () => {
        const since = new Date(Math.floor((Date.now() - 5 * MINUTE) / MINUTE) * MINUTE);
        const m = (minutes: number, ms = 0) => new Date(since.getTime() + minutes * MINUTE + ms);
        await store.insertIfAbsent(event('evt_a1', { receivedAt: m(0, 10) }));
        await store.insertIfAbsent(event('evt_a2', { receivedAt: m(0, 20) }));
        await store.insertIfAbsent(event('evt_a3', { receivedAt: m(1, 5) }));
        await store.insertIfAbsent(event('evt_a4', { receivedAt: m(-1) })); // before the range
        await store.claim({ owner: 'w1', leaseMs: MINUTE, limit: 10, now: m(1, 10) });
        await store.complete('evt_a1', 'w1', { now: m(1, 20) });
        await store.complete('evt_a4', 'w1', { now: m(2, 1) });
        await store.fail('evt_a2', 'w1', { error: 'x', retryAt: m(9), now: m(2, 2) });
        await store.fail('evt_a3', 'w1', { error: 'x', retryAt: null, now: m(2, 3) });
        const buckets = await store.activity({ since, until: m(4), bucketMs: MINUTE });
        assert.deepEqual(
          buckets.map((b) => [b.start.getTime() - since.getTime(), b.received, b.succeeded, b.failed]),
          [
            [0, 2, 0, 0],
            [MINUTE, 1, 1, 0],
            [2 * MINUTE, 0, 1, 2],
            [3 * MINUTE, 0, 0, 0],
          ],
        );
      });

      it('rejects an activity range of too many buckets, a zero bucket or an empty range with a 400', async () => {
        const since = new Date(Date.now() - 10 * MINUTE);
        await assert.rejects(store.activity({ since, bucketMs: 0 }), isInvalidOptions(400));
        await assert.rejects(store.activity({ since, bucketMs: 100 }), isInvalidOptions(400));
        await assert.rejects(store.activity({ since, until: since, bucketMs: 1000 }), isInvalidOptions(400));
        await assert.rejects(
          store.activity({ since: new Date(0), until: new Date(2000 * 1000), bucketMs: 1000 }),
          isInvalidOptions(400),
        );
      });
    });

    describe('prune', () => {
      async function finishedOldAndNew() {
        await store.insertIfAbsent(event('evt_old_done', { receivedAt: at(-10 * MINUTE) }));
        await store.insertIfAbsent(event('evt_old_dead', { receivedAt: at(-10 * MINUTE) }));
        await store.insertIfAbsent(event('evt_old_pending', { receivedAt: at(-10 * MINUTE) }));
        await store.insertIfAbsent(event('evt_new_done', { receivedAt: at(0) }));
        await claimAt(0, 'w1', { limit: 10 });
        await store.complete('evt_old_done', 'w1', { now: at(1) });
        await store.fail('evt_old_dead', 'w1', { error: 'x', retryAt: null, now: at(1) });
        await store.complete('evt_new_done', 'w1', { now: at(1) });
        await store.release('evt_old_pending', 'w1');
      }

      it('clears payloads of finished events received before the cutoff and keeps their records', async () => {
        await finishedOldAndNew();
        const result = await store.prune({ payloadsBefore: at(-MINUTE) });
        assert.deepEqual(result, { payloadsCleared: 2, recordsDeleted: 0 });
        assert.equal((await mustGet('evt_old_done')).body, null);
        assert.equal((await mustGet('evt_old_dead')).body, null);
        assert.notEqual((await mustGet('evt_old_pending')).body, null, 'unfinished events keep their payload');
        assert.notEqual((await mustGet('evt_new_done')).body, null);
        assert.deepEqual(await store.prune({ payloadsBefore: at(-MINUTE) }), { payloadsCleared: 0, recordsDeleted: 0 });
      });

      it('still treats a redelivery of a pruned event as a duplicate', async () => {
        await finishedOldAndNew();
        await store.prune({ payloadsBefore: at(MINUTE) });
        assert.deepEqual(await store.insertIfAbsent(event('evt_old_done')), { inserted: false, status: 'succeeded' });
        assert.deepEqual(ids(await claimAt(MINUTE * 30)), ['evt_old_pending'], 'the pruned event does not run again');
      });

      it('deletes only records of finished events received before the cutoff', async () => {
        await finishedOldAndNew();
        const result = await store.prune({ recordsBefore: at(-MINUTE), payloadsBefore: at(MINUTE) });
        assert.deepEqual(result, { recordsDeleted: 2, payloadsCleared: 1 });
        assert.equal(await store.get('evt_old_done'), null);
        assert.equal(await store.get('evt_old_dead'), null);
        assert.equal((await mustGet('evt_old_pending')).status, 'pending');
        assert.equal((await mustGet('evt_new_done')).body, null);
      });
    });

    describe('stats and setBody', () => {
      it('counts events by status and reports the oldest waiting one', async () => {
        await store.insertIfAbsent(event('evt_s1', { receivedAt: at(-300) }));
        await store.insertIfAbsent(event('evt_s2', { receivedAt: at(-200) }));
        await store.insertIfAbsent(event('evt_s3', { receivedAt: at(-100) }));
        await store.insertIfAbsent(event('evt_s4', { receivedAt: at(-50) }));
        await claimAt(0, 'w1', { limit: 2 });
        await store.fail('evt_s2', 'w1', { error: 'x', retryAt: at(MINUTE), now: at(1) });
        const stats = await store.stats();
        assert.deepEqual(stats.byStatus, { pending: 2, processing: 1, succeeded: 0, retrying: 1, dead: 0 });
        assert.equal(stats.total, 4);
        assert.equal(stats.oldestPendingReceivedAt?.getTime(), at(-200).getTime());
      });

      it('reports an empty store', async () => {
        const stats = await store.stats();
        assert.deepEqual(stats.byStatus, { pending: 0, processing: 0, succeeded: 0, retrying: 0, dead: 0 });
        assert.equal(stats.total, 0);
        assert.equal(stats.oldestPendingReceivedAt, null);
      });

      it('replaces or clears a body and reports an unknown id', async () => {
        await store.insertIfAbsent(event('evt_sb'));
        assert.equal(await store.setBody('evt_sb', '{"scrubbed":true}'), true);
        assert.equal((await mustGet('evt_sb')).body, '{"scrubbed":true}');
        assert.equal(await store.setBody('evt_sb', null), true);
        assert.equal((await mustGet('evt_sb')).body, null);
        assert.equal(await store.setBody('evt_none', 'x'), false);
      });

      it('returns null for an unknown id', async () => {
        assert.equal(await store.get('evt_unknown'), null);
      });

      it('replaces a body only while it is still the expected one (compare-and-set)', async () => {
        await store.insertIfAbsent(event('evt_cas'));
        const original = (await mustGet('evt_cas')).body;
        assert.equal(await store.setBody('evt_cas', 'v2', { expected: 'not the body' }), false);
        assert.equal(await store.setBody('evt_cas', 'v2', { expected: original }), true);
        assert.equal(await store.setBody('evt_cas', 'v3', { expected: original }), false);
        assert.equal(await store.setBody('evt_cas', null, { expected: 'v2' }), true);
        assert.equal(await store.setBody('evt_cas', 'v4', { expected: null }), true);
        assert.equal((await mustGet('evt_cas')).body, 'v4');
      });
    });

    describe('tombstones', () => {
      it('records redacted objects once and finds them among others', async () => {
        assert.deepEqual(await store.findTombstones(['act_1']), []);
        await store.addTombstones([
          { objectId: 'act_1', eventId: 'evt_r1' },
          { objectId: 'inq_1', eventId: null },
        ]);
        await store.addTombstones([{ objectId: 'act_1', eventId: 'evt_r2' }]);
        assert.deepEqual((await store.findTombstones(['inq_2', 'act_1', 'inq_1', 'act_1'])).sort(), ['act_1', 'inq_1']);
        assert.deepEqual(await store.findTombstones([]), []);
      });

      it('refuses a tombstone without an object id', async () => {
        await assert.rejects(store.addTombstones([{ objectId: '', eventId: null }]), { code: 'invalid_options' });
      });
    });
  });
}
