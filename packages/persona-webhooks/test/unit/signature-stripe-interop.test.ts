// Stripe signs with the same construction (t, a dot, the body; hex HMAC-SHA256; v1): its SDK is a third,
// independent implementation, in both directions.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import type { HmacEngine } from '../../src/signature/hmac.js';
import { hmacEngine as nodeEngine } from '../../src/signature/hmac-node.js';
import { hmacEngine as webEngine } from '../../src/signature/hmac-web.js';
import { createPayloadSigner } from '../../src/signature/sign.js';
import { createSignatureVerifier } from '../../src/signature/verify.js';

const SECRET = 'wbhsec_abcdefgh-1234-5678-9ijk-lmnopqrstuvw';

function eventBody(note: string): string {
  return JSON.stringify({
    id: `evt_${randomBytes(8).toString('hex')}`,
    object: 'event',
    data: { object: { note } },
  });
}

const bodies = [
  eventBody('plain'),
  eventBody('caf\u00e9 \u{1F600} \r\n tabs\tand "quotes"'),
  eventBody('x'.repeat(70_000)),
  `\r\n  ${eventBody('leading whitespace and CRLF')}\r\n`,
];

for (const engine of [nodeEngine, webEngine] satisfies HmacEngine[]) {
  const verifySignature = createSignatureVerifier(engine);
  const signPayload = createPayloadSigner(engine);

  describe(`Stripe interop on the ${engine.name} engine`, () => {
    it('accepts headers made by stripe.webhooks.generateTestHeaderString', async () => {
      for (const payload of bodies) {
        const timestamp = Math.floor(Date.now() / 1000) - 30;
        const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp });
        assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
        assert.deepEqual(await verifySignature({ body: payload, header, secret: SECRET }), {
          timestamp,
          secretIndex: 0,
        });
        assert.deepEqual(await verifySignature({ body: Buffer.from(payload), header, secret: SECRET }), {
          timestamp,
          secretIndex: 0,
        });
      }
    });

    it('rejects a Stripe header made with another secret', async () => {
      const payload = bodies[0] as string;
      const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'wbhsec_other' });
      await assert.rejects(verifySignature({ body: payload, header, secret: SECRET }), { code: 'signature_mismatch' });
    });

    it('has its single-secret headers accepted by stripe.webhooks.constructEvent', async () => {
      for (const payload of bodies) {
        const header = await signPayload({ body: payload, secret: SECRET });
        const event = Stripe.webhooks.constructEvent(payload, header, SECRET);
        assert.equal(event.id, (JSON.parse(payload) as { id: string }).id);
        // Bytes as well as strings.
        Stripe.webhooks.constructEvent(Buffer.from(payload), header, SECRET);
      }
    });

    it('has a changed body rejected by stripe.webhooks.constructEvent', async () => {
      const payload = bodies[0] as string;
      const header = await signPayload({ body: payload, secret: SECRET });
      assert.throws(() => Stripe.webhooks.constructEvent(`${payload} `, header, SECRET), /signature/i);
    });

    it('has each set of a two-secret header accepted by Stripe under its own secret', async () => {
      const payload = bodies[1] as string;
      const header = await signPayload({ body: payload, secret: [SECRET, 'wbhsec_next'] });
      // Stripe reads comma-separated pairs only; give it each whitespace-separated set on its own.
      const [first, second] = header.split(' ');
      Stripe.webhooks.constructEvent(payload, first as string, SECRET);
      Stripe.webhooks.constructEvent(payload, second as string, 'wbhsec_next');
    });
  });
}
