// "Database down": PostgreSQL unreachable → receive answers 503 and acknowledges nothing; once it is back,
// deliveries succeed and the worker resumes. The machine's PostgreSQL server is shared with other test
// runs, so it is not stopped: the pool talks to it through a small TCP proxy (node:net) that this test
// cuts (closing the listener and destroying every open connection) and restores on the same port.
import * as assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createHandlers } from '../../src/processing/handlers.js';
import { createWebhookReceiver } from '../../src/processing/receive.js';
import { createWorker } from '../../src/processing/worker.js';
import { createPostgresStore } from '../../src/store/postgres/index.js';
import { postgresForTests } from '../helpers/pg.js';
import { createSignals } from '../helpers/signals.js';
import { SECRET, signedDelivery } from './fixtures/events.js';

interface Proxy {
  readonly port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

async function createTcpProxy(targetHost: string, targetPort: number): Promise<Proxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = connect(targetPort, targetHost);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream);
        upstream.pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });
  const cut = async () => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return {
    get port() {
      return port;
    },
    cut,
    restore: listen,
    close: cut,
  };
}

const pg = postgresForTests('processing_db_down');

// The timeout only ends a run that would otherwise wait forever for an outcome that never comes.
describe('PostgreSQL unreachable', { skip: pg.skip, timeout: 60_000 }, () => {
  let proxy: Proxy;
  before(async () => {
    await pg.setUp();
    const target = new URL(pg.url);
    proxy = await createTcpProxy(target.hostname, Number(target.port || 5432));
  });
  after(async () => {
    await proxy?.close();
    await pg.tearDown();
  });

  it('answers 503 and stores nothing while the database is down, then receives and processes again once it is back', async (t) => {
    const viaProxy = new URL(pg.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const pool = pg.newPool({ connectionString: viaProxy.toString(), connectionTimeoutMillis: 2_000, max: 4 });
    const table = 'events_down';
    const store = createPostgresStore({ pool, schema: pg.schema, table });
    await store.migrate();
    const direct = createPostgresStore({ pool: pg.pool(), schema: pg.schema, table });

    // Waits on what the worker reports instead of polling for a while: onEvent comes once the outcome is
    // recorded in the store, onStoreError once a poll failed.
    const { changed, until } = createSignals();
    const handled: string[] = [];
    const recorded: string[] = [];
    let storeErrors = 0;
    const handlers = createHandlers().onAny((event) => void handled.push(event.id));
    const worker = createWorker({
      store,
      handlers,
      pollIntervalMs: 20,
      leaseMs: 5_000,
      onStoreError: () => {
        storeErrors++;
        changed();
      },
      onEvent: (info) => {
        if (info.status === 'succeeded') recorded.push(info.id);
        changed();
      },
    });
    const receiver = createWebhookReceiver({ secret: SECRET, store });
    worker.start();
    // On a timeout, stop polling too, so that the process can end.
    t.signal.addEventListener('abort', () => void worker.stop({ deadlineMs: 0 }), { once: true });
    try {
      assert.equal((await receiver.receive(await signedDelivery({ id: 'evt_before' }))).status, 200);
      // Cut only once the success is recorded: a handler that ran but whose outcome could not be written is
      // retried after its lease (at-least-once, docs/decisions/0004-processing.md), which is not this test's subject.
      await until(() => recorded.includes('evt_before'));
      assert.equal((await direct.get('evt_before'))?.status, 'succeeded', 'the worker recorded evt_before');

      await proxy.cut();
      const during = await signedDelivery({ id: 'evt_during' });
      const results = await Promise.all([receiver.receive(during), receiver.receive(during)]);
      for (const result of results) {
        assert.equal(result.status, 503);
        assert.equal(result.outcome, 'unavailable');
        assert.equal(result.code, 'store_unavailable');
      }
      assert.equal(await direct.get('evt_during'), null, 'nothing acknowledged, nothing stored');
      // The worker keeps polling through the outage and reports the failures.
      await until(() => storeErrors >= 2);

      await proxy.restore();
      const back = await receiver.receive(during);
      assert.equal(back.status, 200);
      assert.equal(back.outcome, 'accepted');
      await until(() => recorded.includes('evt_during'));
      assert.deepEqual(handled, ['evt_before', 'evt_during']);
      assert.equal(
        (await direct.get('evt_during'))?.status,
        'succeeded',
        'the worker records the outcome once the database is back',
      );
    } finally {
      await worker.stop({ deadlineMs: 2_000 });
    }
  });
});
