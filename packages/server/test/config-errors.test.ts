// Bad configuration and bad command lines: each gives its documented one-line message and exit code,
// never a stack trace.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type CliResult, runCli } from './helpers/cli.js';
import { freePort } from './helpers/target.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-config-'));
const sqlite = `sqlite:${join(dir, 'events.db')}`;
const SECRET = 'wbhsec_config-test';

function oneLine(r: CliResult, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert.match(lines[0] as string, pattern);
  assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
}

describe('serve refuses a bad configuration', { timeout: 120_000 }, () => {
  it('refuses to start without a secret, and names --dev (exit 3)', async () => {
    oneLine(
      await runCli(['serve', '--database-url', sqlite]),
      3,
      /no webhook secret: set PERSONA_WEBHOOK_SECRET .* --dev/,
    );
  });

  it('names the flag and the value of a bad port (exit 3)', async () => {
    oneLine(
      await runCli(['serve', '--port', 'eighty', '--secret', SECRET]),
      3,
      /invalid port: expected a whole number from 0 to 65535 \(got "eighty" from --port\)/,
    );
  });

  it('names the environment variable of a bad value (exit 3)', async () => {
    oneLine(await runCli(['serve'], { env: { PORT: '99999', PERSONA_WEBHOOK_SECRET: SECRET } }), 3, /from PORT\)/);
    oneLine(
      await runCli(['serve', '--secret', SECRET], { env: { PERSONA_ROLE: 'boss' } }),
      3,
      /invalid role: expected web, worker, all/,
    );
    oneLine(
      await runCli(['serve', '--secret', SECRET, '--body-limit', 'huge']),
      3,
      /invalid body limit: expected a size .*from 1kb to 64mb/,
    );
  });

  it('rejects a database URL it cannot use (exit 3)', async () => {
    oneLine(
      await runCli(['serve', '--secret', SECRET], { env: { DATABASE_URL: 'mysql://root@db/x' } }),
      3,
      /invalid database URL: expected postgres:\/\/.* \(got "mysql:\/\/root@db\/x" from DATABASE_URL\)/,
    );
  });

  it('gives one clear line and exit 4 when PostgreSQL is unreachable', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    oneLine(
      await runCli(['serve', '--secret', SECRET], {
        env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test` },
      }),
      4,
      new RegExp(`cannot reach PostgreSQL 127\\.0\\.0\\.1:${port}/test: .*ECONNREFUSED`),
    );
  });

  it('gives exit 4 when the SQLite file cannot be opened', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    oneLine(
      await runCli(['serve', '--secret', SECRET, '--database-url', `sqlite:${join(blocker, 'db.sqlite')}`]),
      4,
      /cannot open SQLite .*a-file\/db\.sqlite/,
    );
  });

  it('explains a config file that is missing, not JSON, or has an unknown setting (exit 3)', async () => {
    oneLine(
      await runCli(['serve', '--config', join(dir, 'nope.json')]),
      3,
      /cannot read the config file .*nope\.json: no such file/,
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "port": 80, }');
    oneLine(await runCli(['serve', '--config', bad]), 3, /bad\.json is not valid JSON/);
    const unknown = join(dir, 'unknown.json');
    writeFileSync(unknown, JSON.stringify({ prot: 8080 }));
    oneLine(
      await runCli(['serve', '--config', unknown]),
      3,
      /unknown setting "prot" in .*unknown\.json \(known: .*port/,
    );
    const wrongType = join(dir, 'wrong.json');
    writeFileSync(wrongType, JSON.stringify({ port: 'x', secret: SECRET }));
    oneLine(await runCli(['serve', '--config', wrongType]), 3, /invalid port: .*"port" in .*wrong\.json/);
  });

  it('never echoes a secret in a message', async () => {
    const r = await runCli(['serve', '--forward-to', 'http://127.0.0.1:9/x', '--secret', SECRET]);
    oneLine(r, 3, /needs a forwarding secret: set --forward-secret or PERSONA_FORWARD_SECRET/);
    assert.ok(!r.stderr.includes(SECRET));
  });

  it('masks the credentials of a database URL or forward URL it cannot use', async () => {
    const db = await runCli(['serve', '--secret', SECRET], { env: { DATABASE_URL: 'postgress://app:hunter2@db/app' } });
    oneLine(db, 3, /invalid database URL: .*postgress:\/\/app:\*\*\*@db\/app/);
    assert.ok(!db.stderr.includes('hunter2'), db.stderr);
    // A mistyped PostgreSQL URL is refused too, not opened as a SQLite file named with the password.
    for (const typo of ['postgres:/app:hunter2@db/app', 'postgres//app:hunter2@db/app']) {
      const cwd = mkdtempSync(join(tmpdir(), 'pw-typo-'));
      const r = await runCli(['serve', '--secret', SECRET], { env: { DATABASE_URL: typo }, cwd });
      oneLine(r, 3, /invalid database URL: .*app:\*\*\*@db\/app/);
      assert.ok(!r.stderr.includes('hunter2'), r.stderr);
      assert.deepEqual(readdirSync(cwd), [], 'nothing was created');
    }
    const forward = await runCli([
      'serve',
      '--secret',
      SECRET,
      '--forward-secret',
      'fwd_x',
      '--forward-to',
      'ftp://deploy:s3cr3t-token@app.internal/hook?token=abc123',
    ]);
    oneLine(forward, 3, /invalid forward URL: .*ftp:\/\/deploy:\*\*\*@app\.internal/);
    assert.ok(!/s3cr3t-token|abc123/.test(forward.stderr), forward.stderr);
  });

  it('reports a JSON syntax error in the config file by position, without quoting its text', async () => {
    const leaky = join(dir, 'leaky.json');
    // V8 quotes the text around this error ("Unexpected token 'w', …"wbhsec_do-not-pr"… is not valid JSON").
    writeFileSync(leaky, '{\n  "port": 8080,\n  "secret": wbhsec_do-not-print-me\n}\n');
    const r = await runCli(['serve', '--config', leaky]);
    oneLine(r, 3, /leaky\.json is not valid JSON: syntax error/);
    assert.ok(!/do-not|wbhsec/.test(r.stderr), r.stderr);
    writeFileSync(leaky, '{\n  "port": 8080,\n  "secret": "wbhsec_do-not-print-me" "role": "web"\n}\n');
    const positioned = await runCli(['serve', '--config', leaky]);
    oneLine(positioned, 3, /leaky\.json is not valid JSON: syntax error at line 3, column 38/);
    assert.ok(!/do-not|wbhsec/.test(positioned.stderr), positioned.stderr);
  });

  it('reports a handlers module that is missing or exports nothing (exit 3)', async () => {
    oneLine(
      await runCli(['serve', '--secret', SECRET, '--database-url', sqlite, '--handlers', './missing.mjs'], {
        cwd: dir,
      }),
      3,
      /the handlers module .*missing\.mjs does not exist/,
    );
    const empty = join(dir, 'empty.mjs');
    writeFileSync(empty, 'export const nothing = 1;\n');
    oneLine(
      await runCli(['serve', '--secret', SECRET, '--database-url', sqlite, '--handlers', empty]),
      3,
      /exports no handlers/,
    );
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, 'export default {;\n');
    oneLine(
      await runCli(['serve', '--secret', SECRET, '--database-url', sqlite, '--handlers', broken]),
      3,
      /cannot load the handlers module .*broken\.mjs: /,
    );
  });

  it('reports a port in use (exit 3)', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      oneLine(
        await runCli(['serve', '--secret', SECRET, '--database-url', sqlite, '--port', String(port)]),
        3,
        new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`),
      );
    } finally {
      server.close();
    }
  });
});

describe('the command line', { timeout: 120_000 }, () => {
  it('names an unknown command and suggests one (exit 2)', async () => {
    oneLine(await runCli(['serv']), 2, /unknown command "serv" \(did you mean "serve"\?\)/);
  });

  it('names an unknown option and points to --help (exit 2)', async () => {
    oneLine(await runCli(['trigger', 'inquiry.approved', '--ulr', 'x']), 2, /Unknown option '--ulr'.*trigger --help/);
  });

  it('prints help with examples and exit codes for every command', async () => {
    for (const command of ['serve', 'trigger', 'events', 'migrate', 'sign', 'verify']) {
      const r = await runCli([command, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /Usage: persona-webhooks /);
      assert.match(r.stdout, /Examples:\n {2}\$ persona-webhooks /);
      assert.match(r.stdout, /Exit codes:\n {2}0 /);
    }
    const top = await runCli(['--help']);
    assert.equal(top.code, 0);
    for (const command of ['serve', 'trigger', 'events', 'migrate', 'sign', 'verify'])
      assert.match(top.stdout, new RegExp(`  ${command} `));
  });

  it('prints no colour when stdout is not a terminal', async () => {
    const r = await runCli(['events', 'stats', '--database-url', sqlite]);
    assert.ok(!r.stdout.includes('\u001b['), r.stdout);
  });

  it('rejects bad trigger and events arguments (exit 2)', async () => {
    oneLine(await runCli(['trigger', '--url', 'http://127.0.0.1:9/', '--secret', SECRET]), 2, /missing <event-name>/);
    oneLine(await runCli(['trigger', 'inquiry.approved', '--secret', SECRET]), 2, /missing --url/);
    oneLine(
      await runCli(['trigger', 'inquiry.approved', '--url', 'ftp://x', '--secret', SECRET]),
      2,
      /--url must be an absolute http/,
    );
    oneLine(
      await runCli(['trigger', 'inquiry.approved', '--url', 'http://127.0.0.1:9/', '--secret', SECRET, '--count', '0']),
      2,
      /--count must be a whole number from 1/,
    );
    oneLine(
      await runCli(['events', 'list', '--since', 'last tuesday', '--database-url', sqlite]),
      2,
      /--since must be a date/,
    );
    oneLine(await runCli(['events', 'frobnicate', '--database-url', sqlite]), 2, /unknown subcommand "frobnicate"/);
  });

  it('tells trigger users when nothing is listening (exit 1)', async () => {
    const port = await freePort();
    const r = await runCli(['trigger', 'inquiry.approved', '--url', `http://127.0.0.1:${port}/x`, '--secret', SECRET]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /ERR .*ECONNREFUSED/);
    assert.match(r.stderr, /nothing answered at .*is the receiver running/);
  });

  it('prints the schema with migrate --dry-run for both databases', async () => {
    const lite = await runCli(['migrate', '--dry-run', '--database-url', sqlite]);
    assert.equal(lite.code, 0);
    assert.match(lite.stdout, /CREATE TABLE IF NOT EXISTS persona_webhook_events/);
    const pg = await runCli(['migrate', '--dry-run', '--db-schema', 'hooks'], {
      env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none' },
    });
    assert.equal(pg.code, 0, pg.stderr);
    assert.match(pg.stdout, /CREATE SCHEMA IF NOT EXISTS "hooks"/);
  });
});
