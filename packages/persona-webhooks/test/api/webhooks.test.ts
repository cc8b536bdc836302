// The Webhooks API client and the Persona-backed secret source, over real HTTP against the simulator (a fake
// Persona that says it is one), and a receiver whose secret is a provider.
import * as assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createWebhookReceiver } from 'persona-webhooks';
import {
  createPersonaClient,
  createWebhookSecretSource,
  disableWebhook,
  enableWebhook,
  iterateWebhooks,
  listWebhooks,
  PersonaApiError,
  type PersonaClient,
  retrieveWebhook,
  rotateWebhookSecret,
  type SecretSourceState,
} from 'persona-webhooks/api';
import { createMemoryStore } from 'persona-webhooks/memory';
import { createPersonaSimulator, createSignedDelivery, type PersonaSimulator } from 'persona-webhooks/testing';

const closers: (() => Promise<void>)[] = [];
after(() => Promise.all(closers.map((c) => c())));

async function simulator(): Promise<PersonaSimulator> {
  const sim = await createPersonaSimulator({ seed: 'webhooks-api' });
  closers.push(() => sim.close());
  return sim;
}

const clientFor = (sim: PersonaSimulator, extra: Partial<Parameters<typeof createPersonaClient>[0]> = {}) =>
  createPersonaClient({ apiKey: sim.apiKey, baseUrl: sim.apiUrl, timeScale: 0.001, ...extra });

describe('Webhooks API client', () => {
  it('lists webhooks without secrets and retrieves one with its secrets', async () => {
    const sim = await simulator();
    const a = sim.addWebhook({ url: 'http://127.0.0.1:9/a', secret: 'wbhsec_a', enabledEvents: ['inquiry.approved'] });
    sim.addWebhook({ url: 'http://127.0.0.1:9/b', secret: 'wbhsec_b', status: 'disabled' });
    const client = clientFor(sim);
    const page = await listWebhooks(client);
    assert.deepEqual(
      page.webhooks.map((w) => [w.id, w.status, w.secrets.length]),
      [
        [a.id, 'enabled', 0],
        [sim.webhooks()[1]?.id, 'disabled', 0],
      ],
    );
    const one = await retrieveWebhook(client, a.id);
    assert.deepEqual(one.secrets, [{ value: 'wbhsec_a', expiresAt: null }]);
    assert.deepEqual(one.enabledEvents, ['inquiry.approved']);
    assert.equal(one.apiVersion, '2025-12-08');
    assert.equal(one.apiKeyInflection, 'kebab');
  });

  it('pages through every webhook', async () => {
    const sim = await simulator();
    for (let i = 0; i < 5; i++) sim.addWebhook({ url: `http://127.0.0.1:9/${i}` });
    const client = clientFor(sim);
    const first = await listWebhooks(client, { size: 2 });
    assert.equal(first.webhooks.length, 2);
    assert.ok(first.nextCursor);
    const all = [];
    for await (const w of iterateWebhooks(client)) all.push(w.url);
    assert.equal(all.length, 5);
  });

  it('reads the answer whatever the key inflection', async () => {
    const sim = await simulator();
    const w = sim.addWebhook({ url: 'http://127.0.0.1:9/x', secret: 'wbhsec_x' });
    sim.rotateWebhookSecret(w.id, { expiresInSeconds: 600, secret: 'wbhsec_y' });
    for (const keyInflection of ['camel', 'snake'] as const) {
      const got = await retrieveWebhook(clientFor(sim, { keyInflection }), w.id);
      assert.equal(got.apiVersion, '2025-12-08');
      assert.equal(got.secrets.length, 2);
      assert.ok(got.secrets[1]?.expiresAt instanceof Date, `${keyInflection}: expires-at read`);
    }
  });

  it('rotates: a new secret, and the old one expiring after expires-in-seconds', async () => {
    const sim = await simulator();
    const w = sim.addWebhook({ url: 'http://127.0.0.1:9/r', secret: 'wbhsec_old' });
    // The simulator (same clock) rotates between these two readings, however long the request takes.
    const before = Date.now();
    const rotated = await rotateWebhookSecret(clientFor(sim), w.id, { expiresInSeconds: 7200 });
    const after = Date.now();
    const fresh = rotated.secrets.find((s) => s.expiresAt === null);
    const old = rotated.secrets.find((s) => s.value === 'wbhsec_old');
    assert.ok(fresh && fresh.value !== 'wbhsec_old' && fresh.value.startsWith('wbhsec_'));
    assert.ok(old?.expiresAt);
    const expiresAt = old.expiresAt.getTime();
    assert.ok(
      expiresAt >= before + 7_200_000 && expiresAt <= after + 7_200_000,
      `old secret expires ${expiresAt - before} ms after the call began, which took ${after - before} ms`,
    );
    assert.deepEqual(
      sim.webhook(w.id)?.secrets.map((s) => s.value),
      [fresh.value, 'wbhsec_old'],
    );
  });

  it('refuses a bad expiry or id before calling Persona', async () => {
    const sim = await simulator();
    const client = clientFor(sim);
    await assert.rejects(() => rotateWebhookSecret(client, 'wbh_x', { expiresInSeconds: -1 }), /expiresInSeconds/);
    await assert.rejects(() => retrieveWebhook(client, 'inq_123'), /wbh_ABC123/);
    assert.equal(sim.stats().requests, 0);
  });

  it('disables and enables; a disabled webhook receives nothing', async () => {
    const sim = await simulator();
    const w = sim.addWebhook({ url: 'http://127.0.0.1:9/d' });
    const client = clientFor(sim);
    assert.equal((await disableWebhook(client, w.id)).status, 'disabled');
    sim.emit('inquiry.approved');
    await sim.deliveriesSettled();
    assert.equal(sim.deliveries().length, 0);
    assert.equal((await enableWebhook(client, w.id)).status, 'enabled');
  });

  it('says which permission is missing, and that an id is unknown', async () => {
    const sim = await simulator();
    sim.addApiKey('persona_sandbox_events_only', { permissions: ['event.read'] });
    const w = sim.addWebhook({ url: 'http://127.0.0.1:9/p' });
    const limited = createPersonaClient({ apiKey: 'persona_sandbox_events_only', baseUrl: sim.apiUrl });
    await assert.rejects(
      () => retrieveWebhook(limited, w.id),
      (e: unknown) => e instanceof PersonaApiError && e.code === 'api_forbidden' && /webhook\.read/.test(e.message),
    );
    await assert.rejects(
      () => retrieveWebhook(clientFor(sim), 'wbh_nothere'),
      (e: unknown) => e instanceof PersonaApiError && e.code === 'api_not_found',
    );
  });
});

describe('createWebhookSecretSource', () => {
  it('accepts configured and fetched secrets, and follows a rotation on the next read', async () => {
    const sim = await simulator();
    const w = sim.addWebhook({ url: 'http://127.0.0.1:9/s', secret: 'wbhsec_first' });
    const changes: SecretSourceState[] = [];
    const source = createWebhookSecretSource({
      client: clientFor(sim),
      webhookId: w.id,
      secret: 'wbhsec_configured',
      onChange: (s) => changes.push(s),
    });
    await source.start();
    closers.push(async () => source.stop());
    assert.deepEqual(source.secrets(), ['wbhsec_configured', 'wbhsec_first']);
    sim.rotateWebhookSecret(w.id, { expiresInSeconds: 3600, secret: 'wbhsec_second' });
    assert.equal(await source.refresh(), true);
    assert.deepEqual(source.secrets(), ['wbhsec_configured', 'wbhsec_second', 'wbhsec_first']);
    assert.equal(await source.refresh(), true);
    assert.deepEqual(
      changes.map((c) => c.change),
      ['loaded', 'changed'],
      'an unchanged read logs nothing',
    );
    assert.ok(changes[1]?.nextExpiry instanceof Date);
  });

  it('stops accepting a secret at its expiry, even with the API down', async () => {
    const sim = await simulator();
    const w = sim.addWebhook({ url: 'http://127.0.0.1:9/e', secret: 'wbhsec_old' });
    sim.rotateWebhookSecret(w.id, { expiresInSeconds: 60, secret: 'wbhsec_new' });
    let now = new Date();
    const source = createWebhookSecretSource({ client: clientFor(sim), webhookId: w.id, now: () => now });
    await source.start();
    source.stop();
    assert.deepEqual(source.secrets(), ['wbhsec_new', 'wbhsec_old']);
    sim.setFaults({ serverErrors: Number.POSITIVE_INFINITY });
    now = new Date(now.getTime() + 61_000);
    assert.deepEqual(source.secrets(), ['wbhsec_new']);
  });

  it('keeps the known secrets when reads fail, with one change per new failure and one on recovery', async () => {
    const sim = await simulator();
    const w = sim.addWebhook({ url: 'http://127.0.0.1:9/f', secret: 'wbhsec_known' });
    const changes: string[] = [];
    const source = createWebhookSecretSource({
      client: clientFor(sim, { maxRetries: 0 }),
      webhookId: w.id,
      onChange: (s) => changes.push(`${s.change}${s.error ? `:${s.error.code}` : ''}`),
    });
    await source.start();
    source.stop();
    sim.setFaults({ serverErrors: Number.POSITIVE_INFINITY });
    for (let i = 0; i < 3; i++) assert.equal(await source.refresh(), false);
    assert.deepEqual(source.secrets(), ['wbhsec_known']);
    sim.setFaults({ serverErrors: 0 });
    sim.revokeApiKey(sim.apiKey);
    assert.equal(await source.refresh(), false);
    sim.addApiKey(sim.apiKey);
    assert.equal(await source.refresh(), true);
    assert.deepEqual(changes, [
      'loaded',
      'failing:api_server_error',
      'failing-differently:api_unauthorized',
      'recovered',
    ]);
  });

  it('reads at once after a mismatch, at most once per mismatch interval', async () => {
    const sim = await simulator();
    const w = sim.addWebhook({ url: 'http://127.0.0.1:9/m', secret: 'wbhsec_one' });
    // Every read the source sends, as it is sent (a mismatch starts its read before receive() answers).
    const client = clientFor(sim);
    const reads: Promise<unknown>[] = [];
    const counting: PersonaClient = Object.create(client);
    counting.request = <T>(request: Parameters<PersonaClient['request']>[0]) => {
      const answer = client.request<T>(request);
      reads.push(answer);
      return answer;
    };
    const source = createWebhookSecretSource({
      client: counting,
      webhookId: w.id,
      refreshIntervalMs: 3_600_000,
      mismatchRefreshMs: 3_600_000,
    });
    await source.start();
    reads.length = 0;
    closers.push(async () => source.stop());
    const store = createMemoryStore();
    const receiver = createWebhookReceiver({ secret: source, store });
    sim.rotateWebhookSecret(w.id, { expiresInSeconds: 0, secret: 'wbhsec_two' });
    const requestsBefore = sim.stats().requests;
    const signed = (secret: string) => createSignedDelivery({ event: 'inquiry.approved', secret });
    const first = await receiver.receive(await signed('wbhsec_two'));
    assert.equal(first.status, 401, 'not known yet: refused, Persona retries');
    for (let i = 0; i < 20; i++) await receiver.receive(await signed('wbhsec_two'));
    assert.equal(reads.length, 1, '21 mismatches, one read started');
    // Wait for that read rather than for a while, then one turn for the source to take its answer in.
    await Promise.allSettled(reads);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(source.secrets(), ['wbhsec_two']);
    assert.equal(sim.stats().requests - requestsBefore, 1, '21 mismatches, one read');
    const retried = await receiver.receive(await signed('wbhsec_two'));
    assert.equal(retried.status, 200);
  });
});
