// Retention in `serve`, with real processes: a worker process prunes payloads by --payload-retention while
// the dedupe record stays, so a re-delivery of a pruned event is still a duplicate and never runs again.
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createSampleEvent } from 'persona-webhooks/testing';
import { postgresForTests } from '../../persona-webhooks/test/helpers/pg.js';
import { type CliResult, runCli } from './helpers/cli.js';
import { handledIds, type ServeProcess, startServe, waitFor } from './helpers/serve.js';

const HANDLERS = fileURLToPath(new URL('./fixtures/append-handler.mjs', import.meta.url));
const SECRET = 'wbhsec_retention-test';

interface TriggerJson {
  responses: { eventId: string; status: number; response: { duplicate?: boolean } }[];
}

interface ShowJson {
  id: string;
  status: string;
  attempts: number;
  body: string | null;
}

function oneLine(r: CliResult, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert.match(lines[0] as string, pattern);
}

function defineRetentionSuite(label: string, database: () => Record<string, string>): void {
  describe(`serve on ${label} prunes payloads by retention`, { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), `pw-retention-${label.toLowerCase()}-`));
    const handled = join(dir, 'handled.txt');
    const id = 'evt_retentionPruned01';
    const payloadFile = join(dir, 'event.json');
    let serve: ServeProcess;
    let env: Record<string, string>;

    before(async () => {
      env = database();
      writeFileSync(payloadFile, JSON.stringify(createSampleEvent('inquiry.approved', { id })));
      serve = await startServe(
        ['--handlers', HANDLERS, '--poll-interval', '50ms', '--payload-retention', '0', '--prune-interval', '1s'],
        { env: { ...env, PERSONA_WEBHOOK_SECRET: SECRET, HANDLED_FILE: handled }, cwd: dir },
      );
    });
    after(async () => {
      if (serve) assert.equal(await serve.stop('SIGTERM'), 0, 'serve exits 0 on SIGTERM');
    });

    const deliver = async (args: string[]): Promise<TriggerJson['responses']> => {
      const r = await runCli(['trigger', ...args, '--url', serve.url, '--secret', SECRET, '--json']);
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as TriggerJson).responses;
    };
    const show = async (eventId: string): Promise<ShowJson> => {
      const r = await runCli(['events', 'show', eventId, '--body', '--json'], { env });
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as ShowJson;
    };

    it('clears the body of a succeeded event and keeps its dedupe record', async () => {
      const [first] = await deliver(['inquiry.approved', '--payload', payloadFile]);
      assert.equal(first?.status, 200);
      assert.notEqual(first?.response.duplicate, true, 'the first delivery is new');
      await waitFor(() => handledIds(handled).includes(id), 15_000, 'the handler to run');
      await waitFor(
        () => serve.logs().some((l) => l.msg === 'pruned by retention' && Number(l.payloadsCleared) >= 1),
        15_000,
        'a prune that clears the payload',
      );
      const event = await show(id);
      assert.equal(event.status, 'succeeded');
      assert.equal(event.body, null, 'the payload is pruned');
      assert.equal(event.attempts, 1);
    });

    it('acknowledges a re-delivery of the pruned event as a duplicate and does not run the handler again', async () => {
      const [again] = await deliver(['inquiry.approved', '--payload', payloadFile]);
      assert.equal(again?.status, 200);
      assert.equal(again?.response.duplicate, true, 'a pruned event is still known');
      // A fresh event after it: once that one is handled, a re-queued duplicate would have been handled too.
      const [fresh] = await deliver(['inquiry.completed']);
      const freshId = fresh?.eventId as string;
      await waitFor(() => handledIds(handled).includes(freshId), 15_000, 'the fresh event to be handled');
      assert.deepEqual(
        handledIds(handled).filter((h) => h === id),
        [id],
        'the pruned event ran once',
      );
      const event = await show(id);
      assert.equal(event.status, 'succeeded');
      assert.equal(event.attempts, 1);
      assert.equal(event.body, null, 'the duplicate did not store the body again');
    });

    it('counts pruned payloads in /metrics and never logs a body', async () => {
      const text = await (await fetch(`${serve.origin}/metrics`)).text();
      const m = /^persona_webhooks_pruned_total\{kind="payload"\} (\d+)/m.exec(text);
      assert.ok(m, 'the payload series is exposed');
      assert.ok(Number(m[1]) >= 1, `payloads pruned: ${m[1]}`);
      assert.match(text, /^persona_webhooks_pruned_total\{kind="record"\} 0$/m);
      assert.ok(!serve.output().stdout.includes('"attributes"'), 'no payload content in the logs');
    });
  });
}

const sqliteDir = mkdtempSync(join(tmpdir(), 'pw-retention-db-'));
defineRetentionSuite('SQLite', () => ({ DATABASE_URL: `sqlite:${join(sqliteDir, 'events.db')}` }));

const pg = postgresForTests('server-retention');
describe('PostgreSQL setup for retention', { skip: pg.skip }, () => {
  before(() => pg.setUp());
  after(() => pg.tearDown());
  defineRetentionSuite('PostgreSQL', () => ({ DATABASE_URL: pg.url, PERSONA_DB_SCHEMA: pg.schema }));
});

describe('serve refuses a bad retention setting', { timeout: 60_000 }, () => {
  it('refuses a record retention shorter than Persona retries (exit 3)', async () => {
    oneLine(
      await runCli(['serve', '--secret', SECRET, '--record-retention', '2d']),
      3,
      /^persona-webhooks serve: invalid record retention: expected a duration .* from 3d to 36500d: Persona retries for ~51 h .* \(got "2d" from --record-retention\)$/,
    );
  });

  it('refuses a payload retention longer than the record retention (exit 3)', async () => {
    oneLine(
      await runCli(['serve', '--secret', SECRET, '--record-retention', '10d', '--payload-retention', '30d']),
      3,
      /^persona-webhooks serve: invalid payload retention: expected at most the record retention \(10d\) \(got "30d" from --payload-retention\)$/,
    );
  });

  it('names the environment variable of a negative payload retention and of a bad prune interval (exit 3)', async () => {
    oneLine(
      await runCli(['serve', '--secret', SECRET], { env: { PERSONA_PAYLOAD_RETENTION: '-1d' } }),
      3,
      /invalid payload retention: .* \(got "-1d" from PERSONA_PAYLOAD_RETENTION\)/,
    );
    oneLine(
      await runCli(['serve', '--secret', SECRET, '--prune-interval', '0']),
      3,
      /invalid prune interval: expected a duration with its unit \(500ms, 30s, 5m, 1h, 2d\) from 1s to 7d \(got "0" from --prune-interval\)/,
    );
  });
});
