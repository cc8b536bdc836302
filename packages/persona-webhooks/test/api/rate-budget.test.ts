// The client's rate budget as the Persona simulator counts it (real HTTP, a time-scaled minute): a reconcile at
// half the limit never sends more than half the limit in any window, leaves the rest to other callers even when
// they spend it first, and honours 429s by waiting for the window to reset.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPersonaClient, reconcile } from 'persona-webhooks/api';
import { createMemoryStore } from 'persona-webhooks/memory';
import { createPersonaSimulator, type PersonaSimulator } from 'persona-webhooks/testing';

const SCALE = 0.05; // a 3 s window
const WINDOW_MS = 60_000 * SCALE;

describe('the rate budget, counted by the simulator', { timeout: 120_000 }, () => {
  let sim: PersonaSimulator;
  before(async () => {
    sim = await createPersonaSimulator({ timeScale: SCALE, seed: 'budget' });
    sim.addApiKey('persona_sandbox_app');
    sim.generateEvents(1500, { spanMs: 3600_000 });
  });
  after(() => sim.close());

  it('never exceeds half the limit in any window, honours 429s, and recovers everything', async () => {
    const client = createPersonaClient({
      apiKey: sim.apiKey,
      baseUrl: sim.apiUrl,
      timeScale: SCALE,
      rateLimitShare: 0.5,
    });
    const store = createMemoryStore();
    let limitedAt = -1;
    const times: { at: number; status: number }[] = [];
    const result = await reconcile({
      client: createPersonaClient({
        apiKey: sim.apiKey,
        baseUrl: sim.apiUrl,
        timeScale: SCALE,
        rateLimitShare: 0.5,
        onRequest: (info) => {
          times.push({ at: performance.now(), status: info.status });
          // Three forced 429s in the middle of the walk.
          if (times.length === 60) sim.setFaults({ rateLimited: 3 });
          if (info.status === 429 && limitedAt < 0) limitedAt = times.length;
        },
      }),
      store,
      since: new Date(Date.now() - 2 * 3600_000),
      pageSize: 10,
    });
    assert.equal(result.run.inserted, 1500);
    const stats = sim.stats();
    assert.equal(stats.rateLimited, 3);
    for (const w of stats.windows) assert.ok(w.requests <= 150, `window ${w.index} held ${w.requests} requests`);
    assert.ok(stats.windows.length >= 2, 'the walk spanned several windows');
    // After a 429 the next try waits at least the first backoff step (5 s scaled).
    const retry = times[limitedAt];
    const limited = times[limitedAt - 1];
    assert.ok(retry && limited && retry.at - limited.at >= 5000 * SCALE, 'retried before the backoff');
    assert.equal(client.rateLimit().budget, 150);
  });

  it('leaves the reserve to other callers who spent their part of the window first', async () => {
    await new Promise((r) => setTimeout(r, WINDOW_MS)); // a fresh window
    const before = sim.stats().rateLimited;
    // The application spends 140 requests at once with its own key (one limit per environment, all keys).
    await Promise.all(
      Array.from({ length: 140 }, () =>
        fetch(`${sim.apiUrl}/events?page[size]=1`, { headers: { authorization: 'Bearer persona_sandbox_app' } }).then(
          (r) => r.arrayBuffer(),
        ),
      ),
    );
    const client = createPersonaClient({
      apiKey: sim.apiKey,
      baseUrl: sim.apiUrl,
      timeScale: SCALE,
      rateLimitShare: 0.5,
    });
    const { run } = await reconcile({
      client,
      store: createMemoryStore(),
      since: new Date(Date.now() - 2 * 3600_000),
      pageSize: 50,
    });
    assert.equal(run.inserted, 1500);
    assert.equal(sim.stats().rateLimited, before, 'no 429: the client stopped at the reserve and waited for the reset');
    for (const w of sim.stats().windows) assert.ok(w.requests <= 300, `window ${w.index} held ${w.requests}`);
  });
});
