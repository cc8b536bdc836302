// Personal data through a real `serve` process and the CLI: payloads encrypted in the SQLite file and its WAL,
// the redaction cascade run by the worker, masked `events show`, a logged `--reveal`, `events expunge` with a
// dry run, `keys rotate`, and the start-up warning when encryption is off.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createSignedDelivery } from 'persona-webhooks/testing';
import {
  accountHistory,
  BYSTANDER,
  bystanderEvent,
  PLANTED,
  redactedEvent,
} from '../../persona-webhooks/test/protection/fixtures.js';
import { runCli } from './helpers/cli.js';
import { type ServeProcess, startServe, waitFor } from './helpers/serve.js';

const SECRET = 'wbhsec_data-protection';
const K1 = `k1:${randomBytes(32).toString('base64')}`;
const K2 = `k2:${randomBytes(32).toString('base64')}`;

function plantedIn(dir: string): string[] {
  const bytes = Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f)))).toString('latin1');
  return Object.values(PLANTED).filter((v) => bytes.includes(v));
}

describe('data protection in serve and the CLI', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'pw-protect-'));
  const dataDir = join(dir, 'data');
  const file = join(dataDir, 'events.db');
  const env = { DATABASE_URL: `sqlite:${file}`, PERSONA_WEBHOOK_SECRET: SECRET, PERSONA_ENCRYPTION_KEYS: K1 };
  let serve: ServeProcess;

  const statusOf = (id: string): string | undefined => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare('select status from persona_webhook_events where id = ?').get(id) as { status?: string })
        ?.status;
    } finally {
      db.close();
    }
  };

  async function post(events: readonly { body: string }[]): Promise<void> {
    for (const e of events) {
      const d = await createSignedDelivery({ body: e.body, secret: SECRET });
      const res = await fetch(serve.url, { method: 'POST', headers: d.headers, body: d.body });
      assert.equal(res.status, 200, await res.text());
    }
  }

  before(async () => {
    serve = await startServe(['--poll-interval', '20ms'], { env, cwd: dir });
  });
  after(() => serve.stop());

  it('stores encrypted payloads and scrubs an account and its linked objects on account.redacted', async () => {
    await post([...accountHistory(), bystanderEvent()]);
    await post([redactedEvent('account', 'act_1')]);
    await waitFor(() => statusOf('evt_act_1_redacted') === 'succeeded', 20_000, 'the redaction to be processed');
    assert.ok(!serve.logs().some((l) => String(l.msg).includes('stored unencrypted')), 'no warning with keys set');
    assert.deepEqual(plantedIn(dataDir), [], 'planted values in clear in the database files');
    const shown = await runCli(['events', 'show', 'evt_inq_1_approved', '--reveal', '--json'], { env, cwd: dir });
    assert.equal(shown.code, 0, shown.stderr);
    const body = String((JSON.parse(shown.stdout) as { body: string }).body);
    assert.match(body, /"scrubbed":true/);
    for (const value of Object.values(PLANTED)) assert.ok(!body.includes(value), `${value} survived the redaction`);
  });

  it('masks personal fields in events show by default, and logs a --reveal without the values', async () => {
    const masked = await runCli(['events', 'show', 'evt_inq_b_created', '--body'], { env, cwd: dir });
    assert.equal(masked.code, 0, masked.stderr);
    assert.ok(!masked.stdout.includes(BYSTANDER.nameFirst), 'masked by default');
    assert.match(masked.stdout, /"name-first": "•••"/);
    const revealed = await runCli(['events', 'show', 'evt_inq_b_created', '--reveal'], { env, cwd: dir });
    assert.ok(revealed.stdout.includes(BYSTANDER.nameFirst));
    const audit = JSON.parse(revealed.stderr.trim().split('\n').at(-1) as string) as Record<string, string>;
    assert.equal(audit.msg, 'personal data revealed');
    assert.equal(audit.eventId, 'evt_inq_b_created');
    assert.ok(!revealed.stderr.includes(BYSTANDER.nameFirst), 'the audit line holds no value');
  });

  it('expunges an object by hand, after a dry run that lists what it would touch', async () => {
    const dry = await runCli(['events', 'expunge', '--object', 'act_b', '--dry-run', '--json'], { env, cwd: dir });
    assert.equal(dry.code, 0, dry.stderr);
    const planned = JSON.parse(dry.stdout) as { events: { id: string }[]; dryRun: boolean };
    assert.deepEqual(
      planned.events.map((e) => e.id),
      ['evt_inq_b_created'],
    );
    const still = await runCli(['events', 'show', 'evt_inq_b_created', '--reveal'], { env, cwd: dir });
    assert.ok(still.stdout.includes(BYSTANDER.nameFirst), 'a dry run changes nothing');
    const done = await runCli(['events', 'expunge', '--object', 'act_b'], { env, cwd: dir });
    assert.equal(done.code, 0, done.stderr);
    const after = await runCli(['events', 'show', 'evt_inq_b_created', '--reveal'], { env, cwd: dir });
    assert.ok(!after.stdout.includes(BYSTANDER.nameFirst));
  });

  it('re-encrypts every payload with a new key (keys rotate), after which the old key can go', async () => {
    const rotated = await runCli(['keys', 'rotate', '--json'], {
      env: { ...env, PERSONA_ENCRYPTION_KEYS: `${K1},${K2}` },
      cwd: dir,
    });
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.equal((JSON.parse(rotated.stdout) as { key: string }).key, 'k2');
    const onlyNew = await runCli(['events', 'show', 'evt_inq_b_created', '--body'], {
      env: { ...env, PERSONA_ENCRYPTION_KEYS: K2 },
      cwd: dir,
    });
    assert.equal(onlyNew.code, 0, onlyNew.stderr);
  });
});

describe('serve without encryption keys', { timeout: 60_000 }, () => {
  it('warns once at start, outside --dev', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-protect-off-'));
    const serve = await startServe([], {
      env: { DATABASE_URL: `sqlite:${join(dir, 'events.db')}`, PERSONA_WEBHOOK_SECRET: SECRET },
      cwd: dir,
    });
    await serve.stop();
    const warnings = serve.logs().filter((l) => String(l.msg).includes('stored unencrypted'));
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.level, 'warn');
  });
});
