// `persona-webhooks doctor` as a real process against the Persona simulator (a fake Persona over real HTTP):
// one webhook per failure the issue names, a healthy one, and Persona's API unreachable or refusing the key.
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPersonaSimulator, type PersonaSimulator, type SimulatedWebhookInput } from 'persona-webhooks/testing';
import { runCli } from './helpers/cli.js';

interface Report {
  webhook: string | null;
  checks: { id: string; status: 'ok' | 'warn' | 'fail'; message: string }[];
}

const URL_ = 'https://app.example.com/webhooks/persona';
const SECRET = 'wbhsec_doctor_configured';
const EVENTS = ['inquiry.approved', 'inquiry.declined'];
const HEALTHY: SimulatedWebhookInput = {
  url: URL_,
  secret: SECRET,
  enabledEvents: EVENTS,
  settings: {
    name: 'production receiver',
    apiAttributesBlocklist: [
      'name-*',
      'birthdate',
      'address-*',
      'email-address',
      'phone-number',
      'identification-number',
      'social-security-number',
    ],
    includedAllowlist: { state: 'include_none' },
    relationshipAllowlist: { state: 'include_none' },
  },
};

describe('persona-webhooks doctor', { timeout: 120_000 }, () => {
  let sim: PersonaSimulator;
  let handlers: string;
  const dir = mkdtempSync(join(tmpdir(), 'pw-doctor-'));

  before(async () => {
    sim = await createPersonaSimulator({ seed: 'doctor' });
    handlers = join(dir, 'handlers.mjs');
    writeFileSync(
      handlers,
      `export default { ${EVENTS.map((e) => `'${e}': () => {}`).join(', ')} };\nexport const personalAttributes = [];\n`,
    );
  });
  after(() => sim.close());

  async function doctor(webhook: string, extra: string[] = [], env: Record<string, string> = {}) {
    const r = await runCli(
      ['doctor', '--webhook', webhook, '--url', URL_, '--handlers', handlers, '--json', ...extra],
      {
        env: { PERSONA_API_KEY: sim.apiKey, PERSONA_API_URL: sim.apiUrl, PERSONA_WEBHOOK_SECRET: SECRET, ...env },
      },
    );
    const report = r.stdout.trim() === '' ? null : (JSON.parse(r.stdout) as Report);
    return { ...r, report };
  }
  const statusOf = (report: Report | null, id: string) => report?.checks.find((c) => c.id === id);
  const add = (change: Partial<SimulatedWebhookInput> = {}) =>
    sim.addWebhook({ ...HEALTHY, ...change, settings: { ...HEALTHY.settings, ...change.settings } }).id;

  it('passes a healthy webhook: exit 0, every check ok', async () => {
    sim.emit('inquiry.approved', { deliver: false });
    const id = add();
    const { code, report, stderr } = await doctor(id);
    assert.equal(code, 0, stderr);
    assert.equal(report?.webhook, id);
    const notOk = report?.checks.filter((c) => c.status !== 'ok');
    assert.deepEqual(notOk, []);
    assert.deepEqual(
      report?.checks.map((c) => c.id),
      [
        'webhook.found',
        'webhook.enabled',
        'webhook.url',
        'events.subscribed',
        'events.handled',
        'api.version',
        'api.inflection',
        'secret.match',
        'secret.expiry',
        'privacy.blocklist',
        'privacy.included',
        'privacy.relationships',
        'deliveries.failed',
      ],
    );
    assert.ok(!JSON.stringify(report).includes(SECRET), 'the secret is never printed');
  });

  it('fails a disabled webhook and says how to enable it', async () => {
    const id = add({ status: 'disabled' });
    const { code, report } = await doctor(id);
    assert.equal(code, 1);
    const c = statusOf(report, 'webhook.enabled');
    assert.equal(c?.status, 'fail');
    assert.match(c?.message ?? '', /disabled: Persona delivers nothing.*\/enable/);
  });

  it('fails a webhook posting to another URL, naming the difference', async () => {
    const path = add({ url: 'https://app.example.com/webhooks/persona/' });
    const host = add({ url: 'https://staging.example.com/webhooks/persona' });
    const a = await doctor(path);
    assert.equal(a.code, 1);
    assert.match(statusOf(a.report, 'webhook.url')?.message ?? '', /trailing slash/);
    const b = await doctor(host);
    assert.equal(statusOf(b.report, 'webhook.url')?.status, 'fail');
    assert.match(statusOf(b.report, 'webhook.url')?.message ?? '', /another host \(https:\/\/staging\.example\.com/);
  });

  it('fails an event handled but not subscribed, and warns of one subscribed but not handled', async () => {
    const id = add({ enabledEvents: ['inquiry.approved', 'case.created'] });
    const { code, report } = await doctor(id);
    assert.equal(code, 1);
    assert.equal(statusOf(report, 'events.subscribed')?.status, 'fail');
    assert.match(statusOf(report, 'events.subscribed')?.message ?? '', /never delivered: inquiry\.declined/);
    assert.equal(statusOf(report, 'events.handled')?.status, 'warn');
    assert.match(statusOf(report, 'events.handled')?.message ?? '', /case\.created/);
  });

  it('fails a version mismatch between the webhook and the handlers', async () => {
    const id = add({ apiVersion: '2023-01-05' });
    const { code, report } = await doctor(id);
    assert.equal(code, 1);
    const c = statusOf(report, 'api.version');
    assert.equal(c?.status, 'fail');
    assert.match(c?.message ?? '', /sends 2023-01-05 payloads but the handlers read 2025-12-08/);
    assert.equal(
      (await doctor(id, ['--api-version', '2023-01-05'])).code,
      0,
      '--api-version says what the handlers read',
    );
  });

  it('fails a configured secret that matches none, without printing either', async () => {
    const id = add();
    const { code, report, stdout } = await doctor(id, [], { PERSONA_WEBHOOK_SECRET: 'wbhsec_from_sandbox' });
    assert.equal(code, 1);
    assert.equal(statusOf(report, 'secret.match')?.status, 'fail');
    assert.match(statusOf(report, 'secret.match')?.message ?? '', /sandbox and production differ/);
    assert.ok(!stdout.includes('wbhsec_from_sandbox') && !stdout.includes(SECRET));
  });

  it('warns of a configured secret expiring within a day', async () => {
    const id = add();
    sim.rotateWebhookSecret(id, { expiresInSeconds: 3 * 3600 });
    const { code, report } = await doctor(id);
    assert.equal(code, 0);
    const c = statusOf(report, 'secret.expiry');
    assert.equal(c?.status, 'warn');
    assert.match(c?.message ?? '', /#1 expires in 3 h.*configure the new secret before then/);
  });

  it('advises the blocklist and allowlist settings to change', async () => {
    const id = add({ settings: { apiAttributesBlocklist: [], includedAllowlist: { state: 'include_all' } } });
    const reads = join(dir, 'reads-names.mjs');
    writeFileSync(
      reads,
      `export default { ${EVENTS.map((e) => `'${e}': () => {}`).join(', ')} };\nexport const personalAttributes = ['name-first'];\n`,
    );
    const { code, report } = await doctor(id, ['--handlers', reads]);
    assert.equal(code, 0, 'advice is a warning');
    const c = statusOf(report, 'privacy.blocklist');
    assert.equal(c?.status, 'warn');
    assert.match(
      c?.message ?? '',
      /set api-attributes-blocklist to \["name-middle","name-last","birthdate","address-\*"/,
    );
    assert.match(
      statusOf(report, 'privacy.included')?.message ?? '',
      /set included-allowlist to \{"state":"include_none"\}/,
    );
  });

  it('fails on deliveries that failed for good and says to reconcile', async () => {
    const quick = await createPersonaSimulator({ seed: 'doctor-failed', timeScale: 0.00001, deliveryTimeoutMs: 500 });
    try {
      const w = quick.addWebhook({ ...HEALTHY, url: 'http://127.0.0.1:9/webhooks/persona' });
      quick.emit('inquiry.approved');
      await quick.deliveriesSettled();
      const r = await runCli(['doctor', '--webhook', w.id, '--json'], {
        env: { PERSONA_API_KEY: quick.apiKey, PERSONA_API_URL: quick.apiUrl },
      });
      const c = statusOf(JSON.parse(r.stdout) as Report, 'deliveries.failed');
      assert.equal(c?.status, 'fail');
      assert.match(c?.message ?? '', /1 deliveries failed for good.*persona-webhooks reconcile/);
      assert.equal(r.code, 1);
    } finally {
      await quick.close();
    }
  });

  it('turns a missing permission into a warning naming it', async () => {
    const id = add();
    sim.addApiKey('persona_sandbox_events_only', { permissions: ['event.read'] });
    const { code, report } = await doctor(id, [], { PERSONA_API_KEY: 'persona_sandbox_events_only' });
    assert.equal(code, 0);
    assert.equal(report?.checks.length, 1);
    assert.equal(report?.checks[0]?.status, 'warn');
    assert.match(report?.checks[0]?.message ?? '', /webhook\.read/);
  });

  it('exits 3 with one clear line when the API is unreachable or refuses the key, never printing the key', async () => {
    const id = add();
    const down = await doctor(id, [], { PERSONA_API_URL: 'http://127.0.0.1:9/api/v1' });
    assert.equal(down.code, 3);
    assert.equal(down.stderr.trim().split('\n').length, 1, down.stderr);
    assert.match(down.stderr, /could not reach the API: check PERSONA_API_URL/);
    const refused = await doctor(id, [], { PERSONA_API_KEY: 'persona_sandbox_revoked_or_wrong' });
    assert.equal(refused.code, 3);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(refused.stderr, /API key was refused/);
    assert.ok(
      !refused.stderr.includes('persona_sandbox_revoked_or_wrong') && !refused.stdout.includes('revoked_or_wrong'),
    );
  });

  it('finds the webhook by URL, and prints one human line per check', async () => {
    const other = await createPersonaSimulator({ seed: 'doctor-url' });
    try {
      other.addWebhook({ ...HEALTHY, url: 'https://elsewhere.example.com/hook' });
      const w = other.addWebhook(HEALTHY);
      const r = await runCli(['doctor', '--url', URL_, '--handlers', handlers], {
        env: { PERSONA_API_KEY: other.apiKey, PERSONA_API_URL: other.apiUrl, PERSONA_WEBHOOK_SECRET: SECRET },
      });
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.match(lines[0] ?? '', new RegExp(`^ok +webhook\\.found +${w.id}`));
      assert.match(lines[lines.length - 1] ?? '', /13 ok, 0 warn, 0 fail$/);
      const usage = await runCli(['doctor'], { env: { PERSONA_API_KEY: other.apiKey, PERSONA_API_URL: other.apiUrl } });
      assert.equal(usage.code, 2, 'two webhooks and none picked');
      assert.match(usage.stderr, /pass --webhook wbh_… or --url URL/);
    } finally {
      await other.close();
    }
  });
});
