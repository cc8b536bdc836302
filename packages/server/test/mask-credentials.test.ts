// maskCredentials and the database URL rule: a password never reaches a message, also from a mistyped URL, and
// what only looks like credentials (a Windows path, an image digest) is left alone.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskCredentials } from '../src/cli/mask.js';
import { parseDatabaseUrl } from '../src/config.js';

describe('maskCredentials', () => {
  it('masks the password of a well-formed or a mistyped URL, up to the last @', () => {
    const cases: [string, string][] = [
      ['see postgress://app:hunter2@db/app now', 'see postgress://app:***@db/app now'],
      ['postgres:/app:p/ss@db', 'postgres:/app:***@db'],
      ['postgres//app:p@ss@db', 'postgres//app:***@db'],
      ['postgres:/app:p:ss@db', 'postgres:/app:***@db'],
      ['https://hook:S3cretPw@app.example.com/x?token=abc', 'https://hook:***@app.example.com/x?token=***'],
    ];
    for (const [text, masked] of cases) assert.equal(maskCredentials(text), masked, text);
  });

  it('leaves a Windows path, an image digest and a mailto alone', () => {
    for (const text of ['C:\\app\\node_modules\\.pnpm\\pg@8.11.0', 'postgres:16@sha256:abc', 'mailto:x@y']) {
      assert.equal(maskCredentials(text), text);
    }
  });
});

describe('parseDatabaseUrl', () => {
  it('refuses a mistyped PostgreSQL URL, and takes a SQLite file whose name starts with postgres', () => {
    for (const typo of ['postgres:/app:pw@db/x', 'postgres//app:pw@db/x', 'postgresql:app@db']) {
      assert.equal(parseDatabaseUrl(typo, '/srv'), null, typo);
    }
    assert.deepEqual(parseDatabaseUrl('postgres.db', '/srv'), { kind: 'sqlite', file: '/srv/postgres.db' });
    assert.deepEqual(parseDatabaseUrl('postgres-data.sqlite', '/srv'), {
      kind: 'sqlite',
      file: '/srv/postgres-data.sqlite',
    });
    assert.deepEqual(parseDatabaseUrl('postgres://app@db/x', '/srv'), { kind: 'postgres', url: 'postgres://app@db/x' });
  });
});
