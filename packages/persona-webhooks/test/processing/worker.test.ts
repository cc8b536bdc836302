// The worker over the memory store: retries, backoff, dead letters, replay, order, concurrency, stop.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBackoff } from '../../src/processing/backoff.js';
import { createDispatcher, createHandlers } from '../../src/processing/handlers.js';
import { createWebhookReceiver } from '../../src/processing/receive.js';
import { createWorker, type WorkerEventInfo } from '../../src/processing/worker.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import type { EventStore } from '../../src/store/store.js';
import { createSignals, deferred, keepAlive } from '../helpers/signals.js';
import { type SampleOptions, SECRET, signedDelivery } from './fixtures/events.js';

async function deliver(store: EventStore, ...events: SampleOptions[]): Promise<void> {
  const receiver = createWebhookReceiver({ secret: SECRET, store });
  for (const e of events) assert.equal((await receiver.receive(await signedDelivery(e))).status, 200);
}

/** The store, with each claim's answer recorded in `claims` (ids per call, in call order). */
function recordingClaims(store: EventStore): { store: EventStore; claims: string[][] } {
  const claims: string[][] = [];
  const recording: EventStore = Object.create(store);
  recording.claim = async (options) => {
    const claimed = await store.claim(options);
    claims.push(claimed.map((e) => e.id));
    return claimed;
  };
  return { store: recording, claims };
}

describe('createBackoff', () => {
  it('grows by the factor from the base and stops at the maximum', () => {
    const delay = createBackoff({ baseMs: 1000, factor: 3, maxMs: 20_000, jitter: 0 });
    assert.deepEqual([1, 2, 3, 4, 5].map(delay), [1000, 3000, 9000, 20_000, 20_000]);
  });

  it('takes up to the jitter share off each delay', () => {
    const low = createBackoff({ baseMs: 1000, factor: 2, jitter: 0.5 }, () => 0.999_999);
    const high = createBackoff({ baseMs: 1000, factor: 2, jitter: 0.5 }, () => 0);
    assert.equal(high(2), 2000);
    assert.equal(low(2), 1000);
  });

  it('accepts a function schedule and treats a negative or NaN delay as none', () => {
    const delay = createBackoff((n) => (n === 1 ? 50 : Number.NaN));
    assert.equal(delay(1), 50);
    assert.equal(delay(2), 0);
  });

  it('rejects a jitter outside [0, 1] and a factor below 1', () => {
    assert.throws(() => createBackoff({ jitter: 2 }), { code: 'invalid_options' });
    assert.throws(() => createBackoff({ factor: 0.5 }), { code: 'invalid_options' });
  });
});

describe('createHandlers', () => {
  it('narrows the event type by name', async () => {
    const names: string[] = [];
    const d = createHandlers().on('inquiry.approved', (event) => {
      // Compile-time checks: the name and the payload's resource type follow the registered name.
      const name: 'inquiry.approved' = event.name;
      const type: 'inquiry' = event.payload.data.type;
      names.push(`${name}/${type}`);
    });
    assert.deepEqual(
      d.handlersFor('inquiry.approved').map((h) => h.eventName),
      ['inquiry.approved'],
    );
    assert.equal(names.length, 0);
  });

  it('sends events with unknown names to onAny', async () => {
    const seen: string[] = [];
    const d = createHandlers()
      .on('inquiry.approved', () => void seen.push('specific'))
      .onAny((e) => void seen.push(`any:${e.name}`));
    const store = createMemoryStore();
    await deliver(store, { id: 'evt_u', name: 'brand-new.thing-happened' });
    assert.equal(await createWorker({ store, handlers: d }).drain(), 1);
    assert.deepEqual(seen, ['any:brand-new.thing-happened']);
  });

  it('derives stable handler names and refuses two handlers with the same explicit name', () => {
    function notify() {}
    const d = createHandlers()
      .on('inquiry.approved', notify)
      .on('inquiry.approved', notify)
      .on('inquiry.approved', () => {})
      .onAny(() => {}, { name: 'audit' });
    assert.deepEqual(
      d.handlersFor('inquiry.approved').map((h) => h.name),
      ['inquiry.approved:notify', 'inquiry.approved:notify#2', 'inquiry.approved:anonymous', 'audit'],
    );
    assert.throws(() => d.onAny(() => {}, { name: 'audit' }), { code: 'invalid_options' });
    assert.throws(() => d.on('*', () => {}), { code: 'invalid_options' });
    assert.throws(() => d.on('inquiry.approved', 'nope' as never), { code: 'invalid_options' });
  });

  it('tells onError listeners about each failing handler and survives a failing listener', async () => {
    const errors: string[] = [];
    const d = createHandlers()
      .on(
        'inquiry.approved',
        () => {
          throw new Error('boom');
        },
        { name: 'a' },
      )
      .onError((_e, event, info) => void errors.push(`${event.id}/${info.handlerName}/${info.attempt}`))
      .onError(() => {
        throw new Error('listener broke');
      });
    const store = createMemoryStore();
    await deliver(store, { id: 'evt_err' });
    await createWorker({ store, handlers: d, backoff: () => 0 }).runOnce();
    assert.deepEqual(errors, ['evt_err/a/1']);
  });

  it('keeps createDispatcher as a deprecated alias of createHandlers', async () => {
    assert.equal(createDispatcher, createHandlers);
    const seen: string[] = [];
    const store = createMemoryStore();
    await deliver(store, { id: 'evt_alias' });
    assert.equal(
      await createWorker({ store, handlers: createDispatcher().onAny((e) => void seen.push(e.id)) }).drain(),
      1,
    );
    assert.deepEqual(seen, ['evt_alias']);
  });
});

describe('createWorker', () => {
  it('runs a stored event once and marks it succeeded', async () => {
    const store = createMemoryStore();
    await deliver(store, { id: 'evt_w1' });
    const seen: string[] = [];
    const worker = createWorker({
      store,
      handlers: createHandlers().on('inquiry.approved', (e) => void seen.push(e.id)),
    });
    assert.equal(await worker.drain(), 1);
    assert.deepEqual(seen, ['evt_w1']);
    const stored = await store.get('evt_w1');
    assert.equal(stored?.status, 'succeeded');
    assert.equal(stored?.attempts, 1);
    assert.equal(stored?.finishedAttempts, 1);
  });

  it('schedules a retry after the backoff delay with a short payload-free error', async () => {
    const store = createMemoryStore();
    await deliver(store, { id: 'evt_w2' });
    const handlers = createHandlers().on(
      'inquiry.approved',
      () => {
        throw new TypeError('cannot read id');
      },
      { name: 'sync' },
    );
    // The retry time is taken between these two readings of the clock, however slow the machine is.
    const before = Date.now();
    await createWorker({ store, handlers, backoff: { baseMs: 60_000, jitter: 0 } }).runOnce();
    const after = Date.now();
    const stored = await store.get('evt_w2');
    assert.equal(stored?.status, 'retrying');
    assert.equal(stored?.lastError, 'sync: TypeError: cannot read id');
    const runAt = stored?.runAt.getTime() ?? 0;
    assert.ok(
      runAt >= before + 60_000 && runAt <= after + 60_000,
      `runAt ${runAt - before} ms after the run began, which took ${after - before} ms`,
    );
  });

  it('moves an event to dead after the last attempt, and replay after a fix makes it succeed', async () => {
    const store = createMemoryStore();
    await deliver(store, { id: 'evt_poison' });
    let fixed = false;
    let calls = 0;
    const handlers = createHandlers().on('inquiry.approved', () => {
      calls++;
      if (!fixed) throw new Error('bug');
    });
    const worker = createWorker({ store, handlers, maxAttempts: 3, backoff: () => 0 });
    await worker.drain();
    assert.equal(calls, 3);
    let stored = await store.get('evt_poison');
    assert.equal(stored?.status, 'dead');
    assert.equal(stored?.attempts, 3);
    fixed = true;
    assert.equal(await store.requeue({ filter: { status: 'dead', name: 'inquiry.approved' } }), 1);
    await worker.drain();
    stored = await store.get('evt_poison');
    assert.equal(stored?.status, 'succeeded');
    assert.equal(calls, 4);
    assert.equal(await store.requeue({ id: 'evt_poison' }), 1);
    assert.equal((await store.get('evt_poison'))?.status, 'pending');
  });

  it('re-runs only the handlers that failed', async () => {
    const store = createMemoryStore();
    await deliver(store, { id: 'evt_partial' });
    const calls = { a: 0, b: 0 };
    let bBroken = true;
    const handlers = createHandlers()
      .on('inquiry.approved', () => void calls.a++, { name: 'a' })
      .on(
        'inquiry.approved',
        () => {
          calls.b++;
          if (bBroken) throw new Error('b down');
        },
        { name: 'b' },
      );
    const worker = createWorker({ store, handlers, backoff: () => 0 });
    await worker.runOnce();
    bBroken = false;
    await worker.runOnce();
    assert.deepEqual(calls, { a: 1, b: 2 });
    const stored = await store.get('evt_partial');
    assert.equal(stored?.status, 'succeeded');
    assert.deepEqual([...(stored?.completedHandlers ?? [])].sort(), ['a', 'b']);
  });

  it('runs events about one inquiry oldest first even when delivered newest first', async () => {
    const store = createMemoryStore();
    await deliver(
      store,
      { id: 'evt_new', name: 'inquiry.approved', resourceId: 'inq_o', createdAt: '2026-11-26T10:00:02.000Z' },
      { id: 'evt_old', name: 'inquiry.completed', resourceId: 'inq_o', createdAt: '2026-11-26T10:00:01.000Z' },
    );
    const order: string[] = [];
    const recorded = recordingClaims(store);
    const worker = createWorker({
      store: recorded.store,
      concurrency: 4,
      handlers: createHandlers().onAny(async (e) => {
        order.push(`start:${e.id}`);
        await Promise.resolve();
        order.push(`end:${e.id}`);
      }),
    });
    await worker.drain();
    // Four free slots, yet the newer event is not handed out while the older one is unfinished.
    assert.deepEqual(recorded.claims, [['evt_old'], ['evt_new'], []]);
    assert.deepEqual(order, ['start:evt_old', 'end:evt_old', 'start:evt_new', 'end:evt_new']);
  });

  it('never runs more handlers at once than its concurrency', async () => {
    const store = createMemoryStore();
    await deliver(store, ...Array.from({ length: 12 }, (_, i) => ({ id: `evt_c${i}`, resourceId: `inq_c${i}` })));
    const { changed, until } = createSignals();
    let now = 0;
    let peak = 0;
    // Each handler holds its slot until the test opens its gate, one at a time, so every start the worker
    // makes while slots are full would show in `peak`.
    const gates: Array<() => void> = [];
    const handlers = createHandlers().onAny(async () => {
      now++;
      peak = Math.max(peak, now);
      await new Promise<void>((resolve) => {
        gates.push(resolve);
        changed();
      });
      now--;
    });
    const done: WorkerEventInfo[] = [];
    const onEvent = (i: WorkerEventInfo) => {
      done.push(i);
      changed();
    };
    const worker = createWorker({ store, handlers, concurrency: 3, pollIntervalMs: 5, onEvent });
    worker.start();
    while (done.length < 12) {
      const finished = done.length;
      await until(() => gates.length >= Math.min(3, 12 - finished));
      gates.shift()?.();
      await until(() => done.length > finished);
    }
    await worker.stop();
    assert.equal(peak, 3);
    assert.ok(done.every((d) => d.status === 'succeeded'));
  });

  it('keeps the lease of a long handler alive with heartbeats so no other worker takes it', async () => {
    // Lease times come from the store's clock, and only the heartbeats move it (40 ms each, within the 60 ms
    // lease): a heartbeat timer that fires late on a busy machine cannot let the lease run out in between.
    let now = Date.now();
    const store = createMemoryStore({ clock: () => new Date(now) });
    await deliver(store, { id: 'evt_long' });
    const { changed, until } = createSignals();
    let runs = 0;
    const finish = deferred();
    const slow = createHandlers().onAny(async () => {
      runs++;
      changed();
      await finish.promise;
    });
    let renewals = 0;
    const counted: EventStore = Object.create(store);
    counted.extendLease = async (...args) => {
      now += 40;
      const kept = await store.extendLease(...args);
      renewals++;
      changed();
      return kept;
    };
    const a = createWorker({ store: counted, handlers: slow, leaseMs: 60, owner: 'a' });
    // b's handler returns at once, so that b taking the event fails the test instead of holding it up.
    const quick = createHandlers().onAny(() => void runs++);
    const b = createWorker({ store, handlers: quick, leaseMs: 60, owner: 'b' });
    const first = a.runOnce();
    await until(() => runs === 1);
    // Five renewals span 200 ms of store time, well over the 60 ms lease; after each one the event is still not
    // b's to take. Were a renewal not to extend the lease, b would take the event at the second one (80 ms in,
    // past the end of the first lease).
    const letGo = keepAlive();
    try {
      for (let i = 1; i <= 5; i++) {
        await until(() => renewals >= i);
        assert.equal(await b.runOnce(), 0);
      }
    } finally {
      // Also on a failed assertion, so that the process is not kept waiting.
      letGo();
      finish.resolve();
    }
    await first;
    assert.equal(runs, 1);
    assert.equal((await store.get('evt_long'))?.status, 'succeeded');
  });

  it('aborts the handlers and records nothing when the lease is lost', async () => {
    const store = createMemoryStore();
    await deliver(store, { id: 'evt_lost' });
    let aborted = false;
    const started = deferred();
    const handlers = createHandlers().onAny(async (_e, { signal }) => {
      started.resolve();
      // The timeout only keeps the test's event loop alive (heartbeat timers are unref'd); the abort wins.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 5_000);
        }),
      ]);
      clearTimeout(timer);
      aborted = signal.aborted;
    });
    const infos: WorkerEventInfo[] = [];
    const worker = createWorker({ store, handlers, leaseMs: 60, owner: 'a', onEvent: (i) => infos.push(i) });
    const run = worker.runOnce();
    await started.promise;
    // Someone else took the event away (an operator, or an expiry after a long pause).
    assert.equal(await store.release('evt_lost', 'a'), true);
    await run;
    assert.equal(aborted, true);
    assert.deepEqual(
      infos.map((i) => i.status),
      ['lost'],
    );
    assert.equal((await store.get('evt_lost'))?.status, 'pending');
  });

  it('stops gracefully: in-flight work finishes within the deadline, the rest is aborted and released', async () => {
    const store = createMemoryStore();
    await deliver(store, { id: 'evt_quick', resourceId: 'inq_q' }, { id: 'evt_stuck', resourceId: 'inq_s' });
    const { changed, until } = createSignals();
    let aborted = false;
    let started = 0;
    const quick = deferred();
    const handlers = createHandlers().onAny(async (e, { signal }) => {
      started++;
      changed();
      if (e.id === 'evt_quick') return quick.promise;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      aborted = true;
      throw new Error('aborted');
    });
    const infos: WorkerEventInfo[] = [];
    const onEvent = (i: WorkerEventInfo) => {
      infos.push(i);
      changed();
    };
    const worker = createWorker({ store, handlers, pollIntervalMs: 5, onEvent });
    worker.start();
    await until(() => started === 2);
    const stopping = worker.stop({ deadlineMs: 500 });
    // evt_quick is still running when the stop begins, and ends within the deadline.
    quick.resolve();
    await stopping;
    assert.equal(worker.running, false);
    assert.equal(aborted, true);
    assert.equal((await store.get('evt_quick'))?.status, 'succeeded');
    const stuck = await store.get('evt_stuck');
    assert.equal(stuck?.status, 'pending');
    assert.equal(stuck?.lockedBy, null);
    await until(() => infos.some((i) => i.id === 'evt_stuck'));
    assert.ok(infos.some((i) => i.id === 'evt_stuck' && i.status === 'released'));
  });

  it('a graceful stop keeps what succeeded: the next worker runs only the handlers that did not, and no more start after the stop', async () => {
    const store = createMemoryStore();
    await deliver(store, { id: 'evt_two', resourceId: 'inq_two' });
    const { changed, until } = createSignals();
    const runs: string[] = [];
    let stopNow = false;
    const handlers = createHandlers()
      .onAny(
        async () => {
          runs.push('crm');
        },
        { name: 'crm' },
      )
      .onAny(
        async (_e, { signal }) => {
          runs.push('forward');
          changed();
          if (!stopNow) return;
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
          throw new Error('aborted');
        },
        { name: 'forward' },
      )
      .onAny(
        async () => {
          runs.push('audit');
        },
        { name: 'audit' },
      );
    stopNow = true;
    const first = createWorker({ store, handlers, pollIntervalMs: 5 });
    first.start();
    await until(() => runs.includes('forward'));
    await first.stop({ deadlineMs: 50 });
    // crm succeeded before the stop; forward was aborted; audit was not started once the stop began.
    assert.deepEqual(runs, ['crm', 'forward']);
    const released = await store.get('evt_two');
    assert.equal(released?.status, 'pending');
    assert.deepEqual(released?.completedHandlers, ['crm']);
    stopNow = false;
    const infos: WorkerEventInfo[] = [];
    const onEvent = (i: WorkerEventInfo) => {
      infos.push(i);
      changed();
    };
    const second = createWorker({ store, handlers, pollIntervalMs: 5, onEvent });
    second.start();
    await until(() => infos.some((i) => i.id === 'evt_two' && i.status === 'succeeded'));
    await second.stop();
    assert.deepEqual(runs, ['crm', 'forward', 'forward', 'audit'], 'crm ran once');
  });

  it('never releases an event whose handler ignores its abort signal while that handler still runs', async () => {
    const store = createMemoryStore();
    await deliver(store, { id: 'evt_stubborn', resourceId: 'inq_st' });
    const started = deferred();
    const finish = deferred();
    const registry = createHandlers().onAny(async () => {
      started.resolve();
      // Ignores `signal`: returns (failing) only when the test says so.
      await finish.promise;
      throw new Error('gave up late');
    });
    const infos: WorkerEventInfo[] = [];
    const finished = deferred();
    const worker = createWorker({
      store,
      handlers: registry,
      pollIntervalMs: 5,
      owner: 'w1',
      onEvent: (i) => {
        infos.push(i);
        finished.resolve();
      },
    });
    worker.start();
    await started.promise;
    const result = await worker.stop({ deadlineMs: 100 });
    assert.deepEqual(result.stillRunning, ['evt_stubborn']);
    const during = await store.get('evt_stubborn');
    assert.equal(during?.status, 'processing', 'still leased: no other worker may take it');
    assert.equal(during?.lockedBy, 'w1');
    assert.deepEqual(await store.claim({ owner: 'w2', leaseMs: 60_000, limit: 10 }), []);
    finish.resolve();
    await finished.promise;
    assert.equal(infos[0]?.status, 'released');
    const after = await store.get('evt_stubborn');
    assert.equal(after?.status, 'pending', 'released once its handler returned');
    assert.equal(after?.attempts, 0);
  });

  it('keeps no personal data a handler put in its error message in lastError', async () => {
    const store = createMemoryStore();
    await deliver(store, { id: 'evt_leaky' });
    const leak = () => {
      throw new Error(
        'cannot create user "Jane Doe" <jane.doe@example.com>, born 1987-03-14, id X9Q7 42 at https://x.test/doc?token=abc',
      );
    };
    await createWorker({ store, handlers: createHandlers().onAny(leak, { name: 'crm' }) }).runOnce();
    const lastError = (await store.get('evt_leaky'))?.lastError ?? '';
    assert.match(lastError, /^crm: Error: cannot create user/);
    assert.doesNotMatch(lastError, /Jane|jane\.doe|1987|token=abc/);
    // An application decides exactly, with describeError.
    await deliver(store, { id: 'evt_custom', resourceId: 'inq_c' });
    const registry = createHandlers({ describeError: (error) => `${(error as Error).name} (details withheld)` });
    await createWorker({ store, handlers: registry.onAny(leak, { name: 'crm' }) }).runOnce();
    assert.equal((await store.get('evt_custom'))?.lastError, 'crm: Error (details withheld)');
  });

  it('marks an event whose stored body cannot be parsed as dead at once', async () => {
    const store = createMemoryStore();
    await store.insertIfAbsent({
      id: 'evt_garbled',
      name: 'inquiry.approved',
      createdAt: new Date(),
      resourceId: null,
      body: '{"not":"an event"}',
    });
    await createWorker({ store, handlers: createHandlers().onAny(() => {}) }).drain();
    const stored = await store.get('evt_garbled');
    assert.equal(stored?.status, 'dead');
    assert.match(stored?.lastError ?? '', /^invalid_event/);
  });

  it('leaves events no handler wants for a worker that has one', async () => {
    const store = createMemoryStore();
    await deliver(store, { id: 'evt_other', name: 'case.created' });
    const worker = createWorker({ store, handlers: createHandlers().on('inquiry.approved', () => {}) });
    assert.equal(await worker.drain(), 0);
    assert.equal((await store.get('evt_other'))?.status, 'pending');
  });

  it('rejects bad options with invalid_options', () => {
    const store = createMemoryStore();
    const handlers = createHandlers();
    assert.throws(() => createWorker({ store, handlers, concurrency: 0 }), { code: 'invalid_options' });
    assert.throws(() => createWorker({ store, handlers, maxAttempts: 1.5 }), { code: 'invalid_options' });
    assert.throws(() => createWorker({ store } as never), { code: 'invalid_options' });
  });
});
