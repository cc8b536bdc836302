// scrubMessage: what it takes out of an error message before it is stored as lastError or logged.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scrubMessage } from '../../src/processing/handlers.js';

describe('scrubMessage', () => {
  it('takes out quoted text, e-mail addresses, URLs and long numbers', () => {
    assert.equal(
      scrubMessage('no user "Jane Doe" <jane@example.com> born 1987-03-14 at https://crm.example/u?id=9'),
      'no user "…" <…> born … at …',
    );
  });

  it('takes out Persona secrets and API keys, Bearer and Basic credentials, and long opaque tokens', () => {
    const message = scrubMessage(
      'refused wbhsec_abcdEFGH1234 and persona_production_ABCdef123456 with Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig; Basic dXNlcjpwYXNz; token 8f14e45fceea167a5a36dedd4bea2543ab12cd',
    );
    for (const secret of [
      'abcdEFGH1234',
      'ABCdef123456',
      'eyJhbGci',
      'dXNlcjpwYXNz',
      '8f14e45fceea167a5a36dedd4bea2543ab12cd',
    ]) {
      assert.ok(!message.includes(secret), `${secret} left in: ${message}`);
    }
    assert.match(message, /wbhsec_…/);
    assert.match(message, /Bearer …/);
  });

  it('takes out a base64 token with slashes in it, and keeps ordinary words after "basic"', () => {
    const message = scrubMessage('key Zm9vYmFyYmF6cXV4/MTIzNDU2Nzg5MGFiY2RlZmdoaWo= refused; a basic check failed');
    assert.ok(!message.includes('MTIzNDU2Nzg5MGFiY2RlZmdoaWo'), message);
    assert.match(message, /a basic check failed$/);
  });

  it('keeps what tells the operator where it failed: names, codes, event ids, file paths', () => {
    const message =
      'handler sync-crm failed for evt_2CVZ4HyVg7qaboXz8ps8Lm5b: ECONNREFUSED in /srv/app/persona-webhook-handlers.mjs';
    assert.equal(scrubMessage(message), message);
  });
});
