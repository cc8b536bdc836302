// `serve --dev` (what `npm start` runs): generates a secret and prints a trigger command that works as printed.
import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from './helpers/cli.js';
import { startServe, waitFor } from './helpers/serve.js';

describe('serve --dev', { timeout: 120_000 }, () => {
  it('generates a secret and prints a ready-to-paste trigger command that gets a 200', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-dev-'));
    const serve = await startServe(['--dev'], { cwd: dir });
    try {
      await waitFor(() => serve.output().stderr.includes('Send a test event'), 5000, 'the dev banner');
      const { stderr } = serve.output();
      assert.match(stderr, /database {3}SQLite .*\.data\/persona-webhooks\.db/);
      const line = stderr.split('\n').find((l) => l.includes(' trigger inquiry.approved '));
      if (line === undefined) throw new Error(`no trigger command in:\n${stderr}`);
      // The command a user of the published packages can paste (test/package runs it in an installed project).
      assert.match(line.trim(), /^npx persona-webhooks trigger /);
      const args = line.trim().split(/\s+/).slice(2);
      assert.equal(args[0], 'trigger');
      assert.match(args.join(' '), /--secret wbhsec_dev_[\w-]{20,}/);
      const r = await runCli(args);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^200 /m);
      assert.ok(!serve.output().stdout.includes('wbhsec_dev_'), 'the secret is shown to the developer, never logged');
    } finally {
      assert.equal(await serve.stop('SIGINT'), 0, 'Ctrl-C stops it cleanly');
    }
  });

  it('never prints a secret it did not generate (a configured one may be real)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-dev-'));
    const secret = 'wbhsec_configured_do_not_print_1234';
    const serve = await startServe(['--dev'], { cwd: dir, env: { PERSONA_WEBHOOK_SECRET: secret } });
    try {
      await waitFor(() => serve.output().stderr.includes('Send a test event'), 5000, 'the dev banner');
      const { stdout, stderr } = serve.output();
      assert.match(stderr, /secret {5}the configured one \(not printed\)/);
      assert.match(stderr, /--secret "\$PERSONA_WEBHOOK_SECRET"/);
      assert.ok(!`${stdout}${stderr}`.includes(secret), 'the configured secret was printed');
    } finally {
      await serve.stop('SIGINT');
    }
  });
});
