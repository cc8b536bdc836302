// `serve --dashboard`: refuses to start without a sign-in, and with --dev prints a generated token that opens
// the dashboard on its own loopback port (the token is shown to the developer, never logged).
import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from './helpers/cli.js';
import { startServe, waitFor } from './helpers/serve.js';

describe('serve --dashboard', { timeout: 120_000 }, () => {
  it('refuses to start without a token or basic-auth credentials (exit code 3)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-dash-'));
    const r = await runCli(['serve', '--dashboard', '--port', '0', '--secret', 'wbhsec_test'], { cwd: dir });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /the dashboard needs a sign-in: set PERSONA_DASHBOARD_TOKEN/);
    const short = await runCli(['serve', '--dashboard', '--port', '0', '--secret', 'wbhsec_test'], {
      cwd: dir,
      env: { PERSONA_DASHBOARD_TOKEN: 'tooshort' },
    });
    assert.equal(short.code, 3);
    assert.match(short.stderr, /invalid dashboard token: expected at least 16 characters/);
    assert.doesNotMatch(short.stderr, /tooshort/, 'a bad token is not echoed');
  });

  it('with --dev, prints a generated token that signs in, on its own port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-dash-'));
    const serve = await startServe(['--dev', '--dashboard', '--dashboard-port', '0'], { cwd: dir });
    try {
      await waitFor(() => /token {6}pwd_/.test(serve.output().stderr), 5000, 'the dashboard banner');
      const { stderr } = serve.output();
      const origin = /dashboard {2}(http:\/\/127\.0\.0\.1:\d+)\//.exec(stderr)?.[1];
      const token = /token {6}(pwd_[\w-]+)/.exec(stderr)?.[1];
      assert.ok(origin && token, stderr);
      assert.notEqual(origin, serve.origin, 'the dashboard has its own port');
      assert.match(stderr, /\(read-only\)/);
      const anonymous = await fetch(`${origin}/`, { redirect: 'manual' });
      assert.equal(anonymous.status, 303);
      const login = await fetch(`${origin}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, next: '/' }),
      });
      assert.equal(login.status, 303);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const overview = await fetch(`${origin}/`, { headers: { cookie } });
      assert.equal(overview.status, 200);
      assert.match(await overview.text(), /Events by status/);
      assert.ok(!serve.output().stdout.includes(token), 'the token is never logged');
      assert.ok(serve.logs().some((l) => l.msg === 'dashboard: login'));
    } finally {
      assert.equal(await serve.stop('SIGINT'), 0);
    }
  });
});
