// The settings of `serve` are declared once (SETTINGS): the parser, --help and docs/server.md follow from it.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { serveCommand } from '../src/commands/serve.js';
import { loadConfig, parseDuration, SETTINGS, settingsTable } from '../src/config.js';
import { runCli } from './helpers/cli.js';

/** Table rows as trimmed cells, separator rows left out, so that column padding does not matter. */
function cells(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .map((line) =>
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe('the serve settings table', () => {
  it('is the configuration table of docs/server.md, row by row', () => {
    const page = readFileSync(new URL('../../../docs/server.md', import.meta.url), 'utf8');
    const expected = cells(settingsTable());
    const header = expected[0] as string[];
    const start = page.split('\n').findIndex((line) => cells(line)[0]?.join('|') === header.join('|'));
    assert.ok(start >= 0, 'docs/server.md has no settings table');
    const documented = cells(page.split('\n').slice(start).join('\n').split('\n\n')[0] as string);
    assert.deepEqual(
      documented,
      expected,
      `docs/server.md is out of date; replace its table with:\n${settingsTable()}`,
    );
  });

  it('gives serve one option per setting, --no-<flag> for each switch that is on by default, plus --dev', () => {
    const flags = Object.keys(serveCommand.options).sort();
    const negated = SETTINGS.filter((s) => s.type === 'switch' && s.default === 'on').map((s) => `no-${s.flag}`);
    assert.deepEqual(negated.sort(), ['no-redaction', 'no-sqlite-thread']);
    assert.deepEqual(flags, [...SETTINGS.map((s) => s.flag), ...negated, 'dev'].sort());
  });

  it('turns a default-on switch off with --no-<flag>, over its environment variable', () => {
    const on = loadConfig({ env: {} as NodeJS.ProcessEnv, flags: {} });
    assert.equal(on.sqliteThread, true);
    assert.equal(on.redaction, true);
    const off = loadConfig({
      env: { PERSONA_SQLITE_THREAD: '1' } as unknown as NodeJS.ProcessEnv,
      flags: { 'no-sqlite-thread': true, 'no-redaction': true },
    });
    assert.equal(off.sqliteThread, false);
    assert.equal(off.redaction, false);
    assert.equal(
      loadConfig({ env: { PERSONA_SQLITE_THREAD: 'off' } as unknown as NodeJS.ProcessEnv, flags: {} }).sqliteThread,
      false,
    );
  });

  it('refuses a record retention shorter than reconcile looks back, so that a pruned event is not run again', () => {
    const env = (extra: Record<string, string>) => ({ ...extra }) as unknown as NodeJS.ProcessEnv;
    assert.throws(
      () => loadConfig({ env: env({ PERSONA_RECORD_RETENTION: '3d', PERSONA_RECONCILE_EVERY: '1h' }), flags: {} }),
      /invalid record retention: expected at least 5d with --reconcile-every 1h: reconcile looks back 72 h/,
    );
    // Long enough, or no reconcile: accepted.
    assert.equal(
      loadConfig({ env: env({ PERSONA_RECORD_RETENTION: '5d', PERSONA_RECONCILE_EVERY: '1h' }), flags: {} })
        .recordRetentionDays,
      5,
    );
    assert.equal(loadConfig({ env: env({ PERSONA_RECORD_RETENTION: '3d' }), flags: {} }).recordRetentionDays, 3);
    // A web process neither reconciles nor prunes.
    const web = env({ PERSONA_RECORD_RETENTION: '3d', PERSONA_RECONCILE_EVERY: '1h', PERSONA_ROLE: 'web' });
    assert.equal(loadConfig({ env: web, flags: {} }).recordRetentionDays, 3);
  });

  it('accepts every setting by flag: --sqlite-thread is parsed, not refused as unknown', async () => {
    const r = await runCli(['serve', '--sqlite-thread', '--port', 'eighty', '--secret', 'wbhsec_x']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /invalid port/);
  });

  it('reads each setting from its environment variable and its config-file key with the same rules', () => {
    for (const setting of SETTINGS.filter((s) => s.type === 'duration')) {
      const fromEnv = () => loadConfig({ env: { [setting.env]: '12' } as NodeJS.ProcessEnv, flags: {} });
      assert.throws(fromEnv, new RegExp(`invalid ${setting.name}: expected a duration .* from ${setting.env}`));
    }
  });

  it('reads durations with their unit only', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('1.5m'), 90_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('90d'), 90 * 86_400_000);
    assert.equal(parseDuration('0'), 0);
    for (const bad of ['30', '', 's', '-1s', '1 week', '1e3ms']) assert.equal(parseDuration(bad), null, bad);
  });

  it('takes the library defaults', () => {
    const config = loadConfig({ env: {} as NodeJS.ProcessEnv, flags: {} });
    assert.equal(config.concurrency, 4);
    assert.equal(config.maxAttempts, 10);
    assert.equal(config.pollIntervalMs, 1000);
    assert.equal(config.toleranceSeconds, 300);
    assert.equal(config.recordRetentionDays, 90);
    assert.equal(config.payloadRetentionDays, 30);
  });
});
