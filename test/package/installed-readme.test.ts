// The README's Install section, run as written in a fresh project that installs the packed tarballs (the
// registry serves their dependencies), in the order a user meets it: the library alone, then the server
// without better-sqlite3, then with it.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import {
  BUILT_BETTER_SQLITE3,
  createConsumerProject,
  npmInstall,
  type Packed,
  packBoth,
  REPO_ROOT,
  type RunResult,
  run,
  runOk,
  start,
} from './packed.js';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

/** The command lines of the first `sh` block under `## Install`, comments removed. */
function installCommands(): string[] {
  const section = readme.split(/^## Install\n/m)[1]?.split(/^## /m)[0] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('README.md has no sh block under "## Install"');
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '');
}

/** Every `persona-webhooks <command>` the README shows anywhere, e.g. `events list`, `serve`. */
function readmeCliCommands(): string[] {
  const found = new Set<string>();
  for (const match of readme.matchAll(/npx persona-webhooks ([a-z]+)(?: ([a-z]+))?/g)) {
    const [, command, sub] = match;
    found.add(command === 'events' && sub ? `${command} ${sub}` : String(command));
  }
  return [...found];
}

function words(line: string): string[] {
  return line.split(/\s+/);
}

describe('the README, followed by a user of the published packages', { timeout: 600_000 }, () => {
  let packed: Packed;
  let dir: string;
  const commands = installCommands();
  const installLines = commands.filter((c) => c.startsWith('npm install '));
  const npxLines = commands.filter((c) => c.startsWith('npx '));

  /** The README's `npm install` line with its package names mapped to the tarballs (or, for better-sqlite3, left out or linked). */
  function installSpecs(line: string, withSqlite: boolean): string[] {
    return words(line)
      .slice(2)
      .flatMap((name) => {
        if (name === 'persona-webhooks') return [packed.library];
        if (name === 'persona-webhooks-server') return [packed.server];
        if (name === 'better-sqlite3') return withSqlite ? [BUILT_BETTER_SQLITE3] : [];
        throw new Error(`README installs ${name}: teach this test where to get it`);
      });
  }

  const npx = (args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> =>
    run('npx', ['--no-install', ...args], { cwd: dir, env });

  before(async () => {
    assert.deepEqual(
      installLines.map((l) => words(l).slice(2)),
      [['persona-webhooks'], ['persona-webhooks-server', 'better-sqlite3']],
      'the Install section changed: update this test',
    );
    packed = await packBoth();
    dir = createConsumerProject('readme');
  });

  it('with only the library installed, `npx persona-webhooks` says which package brings the command', async () => {
    await npmInstall(dir, installSpecs(String(installLines[0]), false));
    const result = await npx(['persona-webhooks', '--help']);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /npm install persona-webhooks-server/);
  });

  it('without better-sqlite3, SQLite mode fails with the install command and PostgreSQL mode works', async (t) => {
    await npmInstall(dir, installSpecs(String(installLines[1]), false));
    const sqlite = await npx(words(String(npxLines[0])).slice(1));
    assert.equal(sqlite.code, 4, sqlite.stdout + sqlite.stderr);
    assert.match(sqlite.stderr, /needs the better-sqlite3 package.*npm install better-sqlite3/);
    assert.doesNotMatch(sqlite.stderr, /at .*\(.*\.js:\d+/, 'one line, no stack trace');

    const url = process.env['PERSONA_TEST_DATABASE_URL'];
    if (url === undefined) {
      t.skip('PERSONA_TEST_DATABASE_URL is not set');
      return;
    }
    const schema = `pw_installed_${process.pid}`;
    const migrate = await npx(['persona-webhooks', 'migrate', '--database-url', url, '--db-schema', schema]);
    assert.equal(migrate.code, 0, migrate.stdout + migrate.stderr);
  });

  it('with better-sqlite3, runs the Install commands and the ones `serve --dev` prints', async () => {
    await npmInstall(dir, installSpecs(String(installLines[1]), true));
    // PORT=0: the README's default port may be taken on a shared machine; its URL is mapped to the real one.
    const serve = start('npx', ['--no-install', ...words(String(npxLines[0])).slice(1)], {
      cwd: dir,
      env: { PORT: '0' },
    });
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const { stderr, code } = serve.output();
          if (stderr.includes('List what was stored:') && /events list.*\n/.test(stderr)) {
            clearInterval(timer);
            resolve(stderr);
          } else if (code !== null) {
            clearInterval(timer);
            reject(new Error(`serve --dev exited ${code}: ${stderr}`));
          }
        }, 100);
      });
      const secret = /secret {5}(wbhsec_dev_\S+)/.exec(banner)?.[1];
      const origin = /receiving {2}POST (http:\/\/127\.0\.0\.1:\d+)\//.exec(banner)?.[1];
      assert.ok(secret && origin, banner);

      const fromReadme = npxLines
        .slice(1)
        .map((line) =>
          words(line.replace('<printed secret>', secret).replaceAll('http://127.0.0.1:8787', origin)).slice(1),
        );
      const [trigger, list] = fromReadme;
      assert.ok(trigger?.[1] === 'trigger' && list?.[1] === 'events', `README commands: ${npxLines.join('; ')}`);
      const sent = await npx(trigger);
      assert.equal(sent.code, 0, sent.stdout + sent.stderr);
      assert.match(sent.stdout, /^200 /m);
      const listed = await npx(list);
      assert.equal(listed.code, 0, listed.stdout + listed.stderr);
      assert.match(listed.stdout, /inquiry\.approved/);

      // The banner's own commands, pasted as printed.
      const printed = banner
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('npx persona-webhooks '));
      assert.equal(printed.length, 2, banner);
      for (const line of printed) {
        const result = await npx(words(line).slice(1));
        assert.equal(result.code, 0, `${line}\n${result.stdout}${result.stderr}`);
      }
      const again = await npx(list);
      assert.equal((again.stdout.match(/inquiry\.approved/g) ?? []).length, 2, again.stdout);
    } finally {
      // Ctrl-C reaches npx and the service (npx itself then ends by the signal, so no exit code to check).
      serve.signal('SIGINT');
      await serve.finished;
    }
  });

  it('knows every command the README shows (`--help` answers for each)', async () => {
    const shown = readmeCliCommands();
    assert.ok(shown.includes('serve') && shown.includes('trigger'), shown.join(', '));
    for (const command of shown) {
      const result = await npx(['persona-webhooks', ...words(command), '--help']);
      assert.equal(result.code, 0, `${command} --help\n${result.stdout}${result.stderr}`);
    }
  });

  // (`npx persona-webhooks-server` without installing needs the registry to have it: only the name is checked.)
  it("answers to the server package's own binary name, `persona-webhooks-server`", async () => {
    const result = await runOk('npx', ['--no-install', 'persona-webhooks-server', '--help'], { cwd: dir });
    assert.match(result.stdout + result.stderr, /serve/);
  });
});
