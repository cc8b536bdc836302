// The pacer on a virtual clock: its spacing and its reserve rule are checked exactly, with no real time, so a
// loaded machine cannot make these tests pass or fail. (client.test.ts checks, over real HTTP, that the client
// wires the pacer in; rate-budget.test.ts counts windows at the Persona simulator.)
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPacer } from '../../src/api/rate-limit.js';

/** A clock that only moves when someone sleeps on it. */
function virtualClock() {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    advance(ms: number) {
      now += ms;
    },
  };
}

function headers(values: Record<string, string>) {
  return { get: (name: string) => values[name] ?? null };
}

describe('the rate-limit pacer (virtual clock)', () => {
  it('never lets more than its budget into any window-long span, whatever the phase', async () => {
    const clock = virtualClock();
    const pacer = createPacer({ share: 0.5, timeScale: 0.005, now: clock.now, sleep: clock.sleep });
    const windowMs = 60_000 * 0.005; // 300
    const sent: number[] = [];
    await pacer.acquire();
    sent.push(clock.now());
    pacer.observe(
      headers({ 'ratelimit-limit': '20', 'ratelimit-remaining': '19', 'ratelimit-reset': '60' }),
      clock.now(),
    );
    assert.equal(pacer.state().budget, 10);
    for (let i = 0; i < 40; i++) {
      clock.advance(i % 3); // callers arrive at uneven moments
      await pacer.acquire();
      sent.push(clock.now());
      pacer.observe(
        headers({ 'ratelimit-limit': '20', 'ratelimit-remaining': '19', 'ratelimit-reset': '60' }),
        clock.now(),
      );
    }
    for (let i = 0; i + 10 < sent.length; i++) {
      const span = (sent[i + 10] ?? 0) - (sent[i] ?? 0);
      assert.ok(span >= windowMs, `11 requests within ${span} ms (from request ${i})`);
    }
    // Evenly spaced: one slot of window / budget between neighbours, no bursts.
    for (let i = 1; i < sent.length; i++) assert.ok((sent[i] ?? 0) - (sent[i - 1] ?? 0) >= windowMs / 10);
  });

  it('serialises concurrent callers so that two cannot take the same slot', async () => {
    const clock = virtualClock();
    const pacer = createPacer({ share: 1, timeScale: 0.001, now: clock.now, sleep: clock.sleep });
    pacer.observe(headers({ 'ratelimit-limit': '6' }), 0); // 60 ms window, 6 per window → 10 ms apart
    const sent: number[] = [];
    await Promise.all(Array.from({ length: 5 }, () => pacer.acquire().then(() => sent.push(clock.now()))));
    assert.deepEqual(sent, [0, 10, 20, 30, 40]);
  });

  it('waits for the reset once the rest of the allowance is the reserve left to other callers', async () => {
    const clock = virtualClock();
    const pacer = createPacer({ share: 0.5, timeScale: 1, now: clock.now, sleep: clock.sleep });
    // Limit 300, budget 150, reserve 150: the environment has 150 left and resets in 20 s.
    pacer.observe(headers({ 'ratelimit-limit': '300', 'ratelimit-remaining': '150', 'ratelimit-reset': '20' }), 0);
    await pacer.acquire();
    assert.equal(clock.now(), 20_000, 'held until the window reset');
    assert.equal(pacer.msUntilReset(clock.now()), 0);
  });

  it('ignores rate-limit headers that are not numbers', async () => {
    const clock = virtualClock();
    const pacer = createPacer({ share: 0.5, timeScale: 1, now: clock.now, sleep: clock.sleep });
    pacer.observe(headers({ 'ratelimit-limit': 'lots', 'ratelimit-remaining': '-1', 'ratelimit-reset': 'soon' }), 0);
    assert.deepEqual(pacer.state(), { limit: 300, remaining: null, resetAt: null, budget: 150 });
  });
});
