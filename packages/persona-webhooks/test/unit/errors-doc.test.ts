// docs/errors.md is the user's list of error codes: it must name every code of ERROR_STATUS, with its status,
// and no code the library does not have.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERROR_STATUS, PersonaWebhookError, type PersonaWebhookErrorCode } from '../../src/errors.js';

const page = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');
/** Table rows as [situation, code, status, what to do]. */
const rows = page
  .split('\n')
  .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
  .map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );

describe('docs/errors.md', () => {
  for (const [code, status] of Object.entries(ERROR_STATUS) as [PersonaWebhookErrorCode, number][]) {
    it(`lists ${code} with status ${status}`, () => {
      const row = rows.find((cells) => cells[1] === `\`${code}\``);
      assert.ok(row, `docs/errors.md has no row for \`${code}\``);
      assert.match(row[2] ?? '', new RegExp(`^${status}\\b`), `the row of ${code} gives another status`);
    });
  }

  it('lists no code that the library does not have', () => {
    const documented = rows.map((cells) => /^`([a-z_]+)`$/.exec(cells[1] ?? '')?.[1]).filter((c) => c !== undefined);
    assert.ok(documented.length > 0);
    for (const code of documented) assert.ok(code in ERROR_STATUS, `docs/errors.md lists unknown code ${code}`);
  });
});

describe('ERROR_STATUS', () => {
  it('gives each error its default status', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS) as [PersonaWebhookErrorCode, number][]) {
      assert.equal(new PersonaWebhookError(code, 'x').status, status);
    }
  });
});
