// describeError: the one line that every log entry and recorded failure of the service and the dashboard gets.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeError } from '../src/service/describe-error.js';

describe('describeError', () => {
  it('names the class and code, and scrubs the message and its cause', () => {
    const error = new Error('CRM refused "Jane Doe"', { cause: new Error('POST https://u:pw@crm.example/x failed') });
    const line = describeError(error);
    assert.match(line, /^Error: CRM refused "…"; cause: Error: POST … failed$/);
  });

  it('scrubs a thrown string (a response body) and names any other thrown value by its type only', () => {
    const body = '{"name":"Jane Doe","ssn":"123-45-6789"}\nsecond line';
    const line = describeError(body);
    assert.ok(!line.includes('Jane') && !line.includes('6789') && !line.includes('second line'), line);
    assert.match(line, /^non-error thrown \(string\): /);
    assert.equal(describeError({ name: 'Jane Doe' }), 'non-error thrown (object)');
    assert.equal(describeError(null), 'non-error thrown (null)');
    const withCause = describeError(new Error('sync failed', { cause: 'Jane Doe born 1990-01-02' }));
    assert.ok(!withCause.includes('1990'), withCause);
  });
});
