// The Persona-Signature grammar, and reading the header from Headers, Request and a real Node request.
import * as assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { WebhookVerificationError } from '../../src/errors.js';
import {
  formatSignatureHeader,
  getSignatureHeader,
  parseSignatureHeader,
  readHeader,
  SIGNATURE_HEADER,
} from '../../src/signature/header.js';
import { hmacEngine } from '../../src/signature/hmac-node.js';
import { createPayloadSigner } from '../../src/signature/sign.js';
import { createSignatureVerifier } from '../../src/signature/verify.js';
import { codeOf } from '../helpers/errors.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('parseSignatureHeader', () => {
  it('reads one set into its timestamp, the timestamp text and its signatures', () => {
    assert.deepEqual(parseSignatureHeader(`t=1700000000,v1=${A}`), [
      { timestamp: 1700000000, timestampText: '1700000000', signatures: [A] },
    ]);
  });

  it('keeps each set of a rotation header with its own t, in the order sent', () => {
    assert.deepEqual(parseSignatureHeader(`t=2,v1=${A}  t=1,v1=${B},v1=${A}`), [
      { timestamp: 2, timestampText: '2', signatures: [A] },
      { timestamp: 1, timestampText: '1', signatures: [B, A] },
    ]);
  });

  it('keeps the timestamp text as sent, since the HMAC covers those characters', () => {
    const [set] = parseSignatureHeader(`t=0001,v1=${A}`);
    assert.equal(set?.timestamp, 1);
    assert.equal(set?.timestampText, '0001');
  });

  it('keeps v1 values as sent, including values that cannot be signatures', () => {
    assert.deepEqual(parseSignatureHeader('t=1,v1=,v1=xyz,v1==')[0]?.signatures, ['', 'xyz', '=']);
  });

  it('ignores unknown keys and splits each pair on its first "="', () => {
    assert.deepEqual(parseSignatureHeader(`t=1,v2=x=y,v0=,v1=${A}`)[0]?.signatures, [A]);
  });

  it('ignores empty pairs from trailing commas and ", " joins', () => {
    assert.equal(parseSignatureHeader(`t=1,v1=${A},, t=2,v1=${B},`).length, 2);
  });

  it('fails with a clear code on each kind of bad header', () => {
    assert.equal(
      codeOf(() => parseSignatureHeader(undefined)),
      'missing_header',
    );
    assert.equal(
      codeOf(() => parseSignatureHeader([])),
      'missing_header',
    );
    assert.equal(
      codeOf(() => parseSignatureHeader('t')),
      'malformed_header',
    );
    assert.equal(
      codeOf(() => parseSignatureHeader(`T=1,v1=${A}`)),
      'malformed_header',
    );
    assert.equal(
      codeOf(() => parseSignatureHeader(`t=1e9,v1=${A}`)),
      'malformed_header',
    );
    assert.equal(
      codeOf(() => parseSignatureHeader(`t=1234567890123,v1=${A}`)),
      'malformed_header',
    );
    assert.equal(
      codeOf(() => parseSignatureHeader('t=1,v2=x t=2')),
      'no_signatures',
    );
  });

  it('says which set is malformed without echoing the header', () => {
    try {
      parseSignatureHeader(`t=1,v1=${A} v1=${B}`);
      assert.fail('expected an error');
    } catch (error) {
      assert.ok(error instanceof WebhookVerificationError);
      assert.match(error.message, /Set 2/);
      assert.ok(!error.message.includes(B));
    }
  });
});

describe('formatSignatureHeader', () => {
  it('writes sets as Persona does and parses back to the same sets', () => {
    const header = formatSignatureHeader([
      { timestamp: 5, signatures: [A] },
      { timestamp: '6', signatures: [B, A] },
    ]);
    assert.equal(header, `t=5,v1=${A} t=6,v1=${B},v1=${A}`);
    assert.deepEqual(
      parseSignatureHeader(header).map((s) => [s.timestamp, s.signatures]),
      [
        [5, [A]],
        [6, [B, A]],
      ],
    );
  });
});

describe('readHeader and getSignatureHeader', () => {
  const value = `t=1,v1=${A}`;

  it('read a fetch Headers case-insensitively', () => {
    const headers = new Headers({ 'Persona-Signature': value });
    assert.equal(getSignatureHeader(headers), value);
    assert.equal(readHeader(headers, 'PERSONA-SIGNATURE'), value);
    assert.equal(readHeader(headers, 'x-missing'), undefined);
  });

  it('read a Request', () => {
    const req = new Request('http://127.0.0.1/webhooks', {
      method: 'POST',
      headers: { 'persona-signature': value },
      body: '{}',
    });
    assert.equal(getSignatureHeader(req), value);
    assert.equal(getSignatureHeader(new Request('http://127.0.0.1/')), undefined);
  });

  it('read a headers record whatever the case of its keys', () => {
    assert.equal(getSignatureHeader({ 'persona-signature': value }), value);
    assert.equal(getSignatureHeader({ 'Persona-Signature': value }), value);
    assert.equal(getSignatureHeader({ 'PERSONA-SIGNATURE': value, other: 'x' }), value);
    assert.equal(getSignatureHeader({ other: 'x' }), undefined);
    assert.equal(getSignatureHeader({}), undefined);
  });

  it('join the values of a header array with a space, so every set is kept', () => {
    assert.equal(getSignatureHeader({ 'persona-signature': [value, `t=2,v1=${B}`] }), `${value} t=2,v1=${B}`);
  });

  it('use the Persona header name by default', () => {
    assert.equal(SIGNATURE_HEADER, 'persona-signature');
    assert.equal(readHeader({ 'persona-signature': value }), value);
  });
});

/** Sends one POST to a real node:http server and gives back what the server saw. */
async function throughNodeServer(
  rawHeaders: [string, string][],
  body: Buffer,
): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  let seen: { headers: IncomingHttpHeaders; body: Buffer } | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen = { headers: req.headers, body: Buffer.concat(chunks) };
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/webhooks' }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      for (const [name, v] of rawHeaders) req.appendHeader(name, v);
      req.end(body);
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  assert.ok(seen);
  return seen;
}

describe('a delivery through a real node:http server', () => {
  const verifySignature = createSignatureVerifier(hmacEngine);
  const signPayload = createPayloadSigner(hmacEngine);
  const body = Buffer.from('\uFEFF{"data":{"id":"evt_1","note":"\u{1F600}"}}\r\n');
  const t = Math.floor(Date.now() / 1000);

  it('verifies with the header read from req.headers', async () => {
    const header = await signPayload({ body, secret: 'wbhsec_one', timestamp: t });
    const seen = await throughNodeServer([['Persona-Signature', header]], body);
    assert.deepEqual(
      await verifySignature({ body: seen.body, header: getSignatureHeader(seen.headers), secret: 'wbhsec_one' }),
      {
        timestamp: t,
        secretIndex: 0,
      },
    );
  });

  it('verifies a rotation sent as two separate Persona-Signature headers, which Node joins with ", "', async () => {
    const [first, second] = (await signPayload({ body, secret: ['wbhsec_new', 'wbhsec_old'], timestamp: t })).split(
      ' ',
    );
    const seen = await throughNodeServer(
      [
        ['Persona-Signature', first as string],
        ['Persona-Signature', second as string],
      ],
      body,
    );
    assert.equal(seen.headers['persona-signature'], `${first}, ${second}`);
    const header = getSignatureHeader(seen.headers);
    assert.deepEqual(await verifySignature({ body: seen.body, header, secret: 'wbhsec_old' }), {
      timestamp: t,
      secretIndex: 0,
    });
    assert.deepEqual(await verifySignature({ body: seen.body, header, secret: 'wbhsec_new' }), {
      timestamp: t,
      secretIndex: 0,
    });
  });
});
