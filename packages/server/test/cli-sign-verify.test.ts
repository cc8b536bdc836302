import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { verifySignature } from 'persona-webhooks';
import { loadSignatureVectors } from '../../persona-webhooks/test/vectors/index.js';
import { runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-cli-'));
const SECRET = 'wbhsec_cli-test-secret';
const event = JSON.stringify({
  data: {
    type: 'event',
    id: 'evt_cliTest123',
    attributes: {
      name: 'inquiry.approved',
      payload: { data: { type: 'inquiry', id: 'inq_cli1', attributes: { status: 'approved' } }, included: [] },
      'created-at': '2026-01-02T03:04:05.000Z',
    },
  },
});
const eventFile = join(dir, 'event.json');
writeFileSync(eventFile, event);

describe('persona-webhooks sign', () => {
  it('prints a header that the library verifies', async () => {
    const r = await runCli(['sign', '--secret', SECRET, eventFile]);
    assert.equal(r.code, 0, r.stderr);
    const header = r.stdout.trim();
    assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
    await verifySignature({ body: event, header, secret: SECRET });
  });

  it('signs stdin with a fixed timestamp and one set per secret', async () => {
    const r = await runCli(
      ['sign', '--secret', 'wbhsec_new', '--secret', 'wbhsec_old', '--timestamp', '1764686826', '-'],
      {
        input: event,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    const sets = r.stdout.trim().split(' ');
    assert.equal(sets.length, 2);
    for (const set of sets) assert.match(set, /^t=1764686826,v1=[0-9a-f]{64}$/);
    const v = await verifySignature({
      body: event,
      header: r.stdout.trim(),
      secret: 'wbhsec_old',
      now: 1764686826_000,
    });
    assert.equal(v.timestamp, 1764686826);
  });

  it('takes the secrets from PERSONA_WEBHOOK_SECRET, comma- or space-separated', async () => {
    const r = await runCli(['sign', '--json', eventFile], {
      env: { PERSONA_WEBHOOK_SECRET: 'wbhsec_a, wbhsec_b wbhsec_c' },
    });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { header: string };
    assert.equal(out.header.split(' ').length, 3);
  });

  it('matches the shared vectors byte for byte', async () => {
    const vector = loadSignatureVectors().find(
      (v) => v.expected.ok && typeof v.header === 'string' && v.secrets.length === 1,
    );
    if (vector === undefined) throw new Error('a single-secret valid vector exists');
    const file = join(dir, 'vector.bin');
    writeFileSync(file, vector.body as Uint8Array);
    const t = (vector.header as string).match(/t=(\d+)/)?.[1] as string;
    const r = await runCli(['sign', '--secret', vector.secrets[0] as string, '--timestamp', t, file]);
    assert.equal(r.code, 0, r.stderr);
    await verifySignature({
      body: vector.body as Uint8Array,
      header: r.stdout.trim(),
      secret: vector.secrets,
      now: vector.now * 1000,
    });
  });

  it('refuses to sign without a secret, with exit code 3', async () => {
    const r = await runCli(['sign', eventFile]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /no secret: pass --secret/);
  });

  it('rejects a non-numeric timestamp with exit code 2', async () => {
    const r = await runCli(['sign', '--secret', SECRET, '--timestamp', 'yesterday', eventFile]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--timestamp must be whole unix seconds/);
  });

  it('reports a missing file with exit code 5', async () => {
    const r = await runCli(['sign', '--secret', SECRET, join(dir, 'nope.json')]);
    assert.equal(r.code, 5);
    assert.match(r.stderr, /cannot read .*nope\.json: no such file/);
  });
});

describe('persona-webhooks verify', () => {
  it('prints the event id and name for a valid delivery', async () => {
    const header = (await runCli(['sign', '--secret', SECRET, eventFile])).stdout.trim();
    const r = await runCli(['verify', '--secret', SECRET, '--header', header, eventFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /valid\s+evt_cliTest123\s+inquiry\.approved/);
  });

  it('explains a mismatch: the failed check, the code and the likely cause, without the secret', async () => {
    const header = (await runCli(['sign', '--secret', SECRET, eventFile])).stdout.trim();
    const r = await runCli(['verify', '--secret', 'wbhsec_other', '--header', header, '--json', eventFile]);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { valid: boolean; code: string; check: string; cause: string; message: string };
    assert.equal(out.valid, false);
    assert.equal(out.code, 'signature_mismatch');
    assert.equal(out.check, 'signature');
    assert.match(out.cause, /sandbox vs production/);
    assert.ok(!r.stdout.includes('wbhsec_other'));
    assert.ok(!r.stdout.includes(header.split('v1=')[1] as string));
  });

  it('names the timestamp check for a stale delivery and honours --tolerance', async () => {
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    const header = (await runCli(['sign', '--secret', SECRET, '--timestamp', old, eventFile])).stdout.trim();
    const stale = await runCli(['verify', '--secret', SECRET, '--header', header, eventFile]);
    assert.equal(stale.code, 1);
    assert.match(stale.stdout, /timestamp_too_old\s+\(failed check: timestamp\)/);
    const wide = await runCli(['verify', '--secret', SECRET, '--header', header, '--tolerance', '2h', eventFile]);
    assert.equal(wide.code, 0, wide.stdout + wide.stderr);
  });

  it('says a valid signature over a non-event body is not a Persona event', async () => {
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'hello');
    const header = (await runCli(['sign', '--secret', SECRET, file])).stdout.trim();
    const r = await runCli(['verify', '--secret', SECRET, '--header', header, file]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /invalid_json/);
    const sigOnly = await runCli(['verify', '--secret', SECRET, '--header', header, '--signature-only', file]);
    assert.equal(sigOnly.code, 0);
  });

  it('asks for --header with exit code 2', async () => {
    const r = await runCli(['verify', '--secret', SECRET, eventFile]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing --header/);
  });

  it('rejects a zero tolerance with exit code 2 and points to --skip-timestamp-check', async () => {
    const r = await runCli(['verify', '--secret', SECRET, '--header', 't=1,v1=00', '--tolerance', '0', eventFile]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--skip-timestamp-check/);
  });
});

describe('persona-webhooks verify against the shared vectors', () => {
  const vectors = loadSignatureVectors().filter((v) => v.body instanceof Uint8Array && v.header !== null);
  it('covers the vectors file', () => assert.ok(vectors.length > 20));
  for (const [i, v] of vectors.entries()) {
    it(`agrees with the vector: ${v.name}`, async () => {
      const file = join(dir, `v${i}.bin`);
      writeFileSync(file, v.body as Uint8Array);
      const args = ['verify', '--signature-only', '--json', '--now', String(v.now), file];
      for (const s of v.secrets) args.push('--secret', s);
      for (const h of typeof v.header === 'string' ? [v.header] : (v.header ?? [])) args.push('--header', h);
      if (v.options.toleranceSeconds !== undefined) args.push('--tolerance', `${v.options.toleranceSeconds}s`);
      if (v.options.futureToleranceSeconds !== undefined)
        args.push('--future-tolerance', `${v.options.futureToleranceSeconds}s`);
      if (v.options.disableTimestampCheck) args.push('--skip-timestamp-check');
      const r = await runCli(args);
      if (v.expected.ok) {
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const out = JSON.parse(r.stdout) as { timestamp: number; secretIndex: number };
        assert.equal(out.timestamp, v.expected.timestamp);
        assert.equal(out.secretIndex, v.expected.secretIndex);
      } else if (v.expected.code === 'invalid_options') {
        assert.equal(r.code, 2, r.stdout + r.stderr);
      } else if (v.expected.code === 'no_secret' && v.secrets.length === 0) {
        assert.equal(r.code, 3, r.stdout + r.stderr);
      } else if (v.expected.code === 'missing_header' && args.filter((a) => a === '--header').length === 0) {
        assert.equal(r.code, 2, r.stdout + r.stderr);
      } else {
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.equal((JSON.parse(r.stdout) as { code: string }).code, v.expected.code);
      }
    });
  }
});
