// Forwarding with real processes: serve re-signs each event for an internal URL; a down target gets retries,
// then dead letters, and `events replay --dead` recovers them once it is up.
import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from './helpers/cli.js';
import { type ServeProcess, startServe, succeededRecords, waitFor } from './helpers/serve.js';
import { type ForwardTarget, freePort, startTarget } from './helpers/target.js';

const SECRET = 'wbhsec_forward-e2e';
const FORWARD_SECRET = 'fwdsec_internal-app';

interface TriggerJson {
  responses: { eventId: string; status: number }[];
}

async function send(serve: ServeProcess, args: string[]): Promise<string[]> {
  const r = await runCli(['trigger', ...args, '--url', serve.url, '--secret', SECRET, '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return [...new Set((JSON.parse(r.stdout) as TriggerJson).responses.map((x) => x.eventId))];
}

describe('serve --forward-to', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'pw-forward-'));
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('posts each event once, re-signed with the forwarding secret so verifyWebhook accepts it', async () => {
    const target = await startTarget(FORWARD_SECRET);
    cleanups.push(() => target.close());
    const env = { DATABASE_URL: `sqlite:${join(dir, 'up.db')}`, PERSONA_WEBHOOK_SECRET: SECRET };
    const serve = await startServe(
      ['--forward-to', target.url, '--forward-secret', FORWARD_SECRET, '--poll-interval', '50ms'],
      { env, cwd: dir },
    );
    cleanups.push(() => serve.stop());
    const ids = [
      ...(await send(serve, ['inquiry.approved', '--count', '3', '--duplicates', '3'])),
      ...(await send(serve, ['report/watchlist.matched', '--inflection', 'snake'])),
    ];
    // Exactly once, read from the store's attempt records: one claim and one finished attempt per event, so no
    // second forward can follow (it would need a second claim).
    const records = await succeededRecords(env, ids, 15_000);
    for (const id of ids) {
      const record = records.get(id);
      assert.deepEqual([record?.attempts, record?.finishedAttempts], [1, 1], `${id} forwarded in one attempt`);
    }
    assert.deepEqual([...target.received].sort(), [...ids].sort(), 'each event forwarded exactly once');
    assert.deepEqual(target.rejected, [], 'every forwarded request verified');
  });

  it('retries a down target, then dead-letters, and replays the dead events once it is up', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/persona`;
    const env = { DATABASE_URL: `sqlite:${join(dir, 'down.db')}`, PERSONA_WEBHOOK_SECRET: SECRET };
    const serve = await startServe(
      [
        '--forward-to',
        url,
        '--forward-secret',
        FORWARD_SECRET,
        '--max-attempts',
        '3',
        '--retry-base',
        '50ms',
        '--poll-interval',
        '50ms',
      ],
      { env, cwd: dir },
    );
    cleanups.push(() => serve.stop());
    const ids = await send(serve, ['inquiry.approved', '--count', '2']);

    const dead = async () => {
      const r = await runCli(['events', 'list', '--status', 'dead', '--json'], { env });
      return (JSON.parse(r.stdout) as { events: { id: string; attempts: number; lastError: string }[] }).events;
    };
    await waitFor(async () => (await dead()).length === 2, 20_000, 'dead letters');
    for (const e of await dead()) {
      assert.equal(e.attempts, 3, 'tried max-attempts times');
      // lastError keeps the cause; the URL is scrubbed like any URL in a handler's message (they carry tokens).
      assert.match(e.lastError, /forward to … failed: ECONNREFUSED/);
      assert.ok(!e.lastError.includes(FORWARD_SECRET));
    }
    const metrics = await (await fetch(`${serve.origin}/metrics`)).text();
    assert.match(metrics, /persona_webhooks_failed_total\{event="inquiry\.approved"\} 4/);
    assert.match(metrics, /persona_webhooks_dead_total\{event="inquiry\.approved"\} 2/);

    let target: ForwardTarget | undefined;
    target = await startTarget(FORWARD_SECRET, port);
    cleanups.push(() => (target as ForwardTarget).close());
    const replay = await runCli(['events', 'replay', '--dead', '--json'], { env });
    assert.equal(replay.code, 0, replay.stderr);
    assert.equal((JSON.parse(replay.stdout) as { requeued: number }).requeued, 2);
    await waitFor(() => (target as ForwardTarget).received.length >= 2, 15_000, 'replayed events forwarded');
    assert.deepEqual([...target.received].sort(), [...ids].sort());
    const stats = await runCli(['events', 'stats', '--json'], { env });
    assert.equal((JSON.parse(stats.stdout) as { byStatus: { succeeded: number } }).byStatus.succeeded, 2);
  });
});
