// doctor's checks as pure functions: the cases the simulator runs do not reach (blocklist syntax, URL forms,
// expired and stray secrets, a catch-all handler).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiWebhook } from 'persona-webhooks/api';
import { type DoctorExpectations, webhookChecks } from '../src/doctor/checks.js';

const NOW = new Date('2026-12-06T12:00:00Z');
const webhook = (over: Partial<ApiWebhook> = {}): ApiWebhook => ({
  id: 'wbh_unit',
  status: 'enabled',
  url: 'https://app.example.com/webhooks/persona',
  name: null,
  secrets: [{ value: 'wbhsec_current', expiresAt: null }],
  apiVersion: '2025-12-08',
  apiKeyInflection: 'kebab',
  apiAttributesBlocklist: [],
  enabledEvents: ['inquiry.approved'],
  payloadFilter: null,
  includedAllowlist: { state: 'include_none' },
  relationshipAllowlist: { state: 'include_none' },
  fileAccessTokenExpiresIn: null,
  createdAt: null,
  ...over,
});
const expect = (over: Partial<DoctorExpectations> = {}): DoctorExpectations => ({
  url: 'https://app.example.com/webhooks/persona',
  handled: { names: ['inquiry.approved'], all: false },
  apiVersion: '2025-12-08',
  keyInflection: 'kebab',
  personalAttributes: [],
  secrets: ['wbhsec_current'],
  ...over,
});
const find = (checks: ReturnType<typeof webhookChecks>, id: string) => checks.find((c) => c.id === id);

describe('doctor checks', () => {
  it('reads Persona blocklist syntax: globs, JSON paths, other inflections and ! exemptions', () => {
    const covered = webhookChecks(
      webhook({
        apiAttributesBlocklist: [
          'name*',
          'birthdate',
          '/data/attributes/address-*?type=inquiry',
          'emailAddress',
          'phone_number',
          'identification-number',
          'social-security-number',
        ],
      }),
      expect(),
      NOW,
    );
    assert.equal(find(covered, 'privacy.blocklist')?.status, 'ok');
    const exempt = webhookChecks(
      webhook({ apiAttributesBlocklist: ['*', '!birthdate'] }),
      expect({ personalAttributes: null }),
      NOW,
    );
    const c = find(exempt, 'privacy.blocklist');
    assert.equal(c?.status, 'warn');
    assert.match(c?.message ?? '', /do not declare reading .*: birthdate;/);
  });

  it('compares URLs after normalising host case and default ports, but not the path', () => {
    const same = webhookChecks(webhook({ url: 'https://APP.example.com:443/webhooks/persona' }), expect(), NOW);
    assert.equal(find(same, 'webhook.url')?.status, 'ok');
    const path = webhookChecks(webhook({ url: 'https://app.example.com/webhooks/Persona' }), expect(), NOW);
    assert.match(find(path, 'webhook.url')?.message ?? '', /another path \(\/webhooks\/Persona/);
    const query = webhookChecks(webhook({ url: 'https://app.example.com/webhooks/persona?x=1' }), expect(), NOW);
    assert.match(find(query, 'webhook.url')?.message ?? '', /another query string/);
  });

  it('never prints a password or token the webhook URL carries', () => {
    const url = 'https://hook:S3cretPw@app.example.com/webhooks/persona?token=abc123';
    for (const expected of [expect(), expect({ url: null })]) {
      const message = find(webhookChecks(webhook({ url }), expected, NOW), 'webhook.url')?.message ?? '';
      assert.match(message, /app\.example\.com/);
      assert.doesNotMatch(message, /S3cretPw|abc123/, message);
    }
  });

  it('warns of an expired secret still configured and of one matching nothing', () => {
    const checks = webhookChecks(
      webhook({
        secrets: [
          { value: 'wbhsec_current', expiresAt: null },
          { value: 'wbhsec_old', expiresAt: new Date(NOW.getTime() - 60_000) },
        ],
      }),
      expect({ secrets: ['wbhsec_current', 'wbhsec_old', 'wbhsec_stray'] }),
      NOW,
    );
    assert.equal(find(checks, 'secret.match')?.status, 'ok');
    assert.match(find(checks, 'secret.expiry')?.message ?? '', /#2 expired 60 s ago.*remove it/);
    assert.match(find(checks, 'secret.unused')?.message ?? '', /#3 matches no secret/);
    assert.ok(!JSON.stringify(checks).includes('wbhsec_'), 'no secret in any line');
  });

  it('does not ask for a subscription list when a catch-all handler runs for every event', () => {
    const checks = webhookChecks(webhook({ enabledEvents: ['*'] }), expect({ handled: { names: [], all: true } }), NOW);
    assert.equal(find(checks, 'events.subscribed')?.status, 'ok');
    assert.equal(find(checks, 'events.handled')?.status, 'ok');
  });

  it('fails an inflection the handlers do not read', () => {
    const checks = webhookChecks(webhook({ apiKeyInflection: 'camel' }), expect(), NOW);
    assert.equal(find(checks, 'api.inflection')?.status, 'fail');
  });
});
