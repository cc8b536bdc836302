// `persona-webhooks listen` as a real process against the Persona simulator: it says it polls and what it costs,
// forwards each new event exactly once to a local receiver, and the forwarded signatures verify.
import * as assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { verifyWebhook } from 'persona-webhooks';
import { createPersonaSimulator, type PersonaSimulator } from 'persona-webhooks/testing';
import { startCli } from './helpers/cli.js';
import { waitFor } from './helpers/serve.js';

const API_KEY = 'persona_sandbox_listen';
const SECRET = 'wbhsec_listen_local';

describe('persona-webhooks listen', { timeout: 60_000 }, () => {
  let sim: PersonaSimulator;
  const received: { body: string; signature: string }[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(req.headers['persona-signature']),
      });
      res.writeHead(200).end();
    });
  });
  let url = '';
  before(async () => {
    sim = await createPersonaSimulator({ apiKeys: [API_KEY], timeScale: 0.01, seed: 'listen' });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/persona`;
  });
  after(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((r) => receiver.close(() => r()));
    await sim.close();
  });

  it('forwards each new event once, signed so that it verifies, and says it polls', async () => {
    const old = sim.generateEvents(120);
    const child = startCli(['listen', '--forward-to', url, '--secret', SECRET, '--interval', '1s', '--json'], {
      env: { PERSONA_API_KEY: API_KEY, PERSONA_API_URL: sim.apiUrl, PERSONA_API_TIME_SCALE: '0.01' },
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await waitFor(() => child.output().stdout.includes('"listening":true'), 20_000, 'listen to start');
    assert.match(child.output().stderr, /polling, not a webhook delivery/);
    assert.match(child.output().stderr, /60 requests\/minute/);
    assert.match(child.output().stderr, /no `included`/);

    const first = Array.from({ length: 5 }, () => sim.emit('inquiry.approved', { deliver: false }).data.id);
    await waitFor(() => received.length >= 5, 20_000, 'the first events forwarded');
    // More than a page between two polls.
    const burst = Array.from({ length: 130 }, () => sim.emit('report/watchlist.ready', { deliver: false }).data.id);
    await waitFor(() => received.length >= 135, 20_000, 'the burst forwarded');
    // Two more polls (counted at the fake API): nothing new must be forwarded again.
    const requests = sim.stats().requests;
    await waitFor(() => sim.stats().requests >= requests + 2, 20_000, 'two more polls');
    child.kill('SIGINT');
    assert.equal(await exited, 0);

    const ids = received.map((r) => JSON.parse(r.body).data.id as string);
    assert.equal(ids.length, 135, 'each new event forwarded once');
    assert.deepEqual([...ids].sort(), [...first, ...burst].sort());
    assert.ok(
      !ids.some((id) => old.some((e) => e.data.id === id)),
      'events from before listen started are not forwarded',
    );
    for (const r of received.slice(0, 10)) {
      const event = await verifyWebhook({ body: r.body, header: r.signature, secret: SECRET });
      assert.deepEqual(event.payload.included, []);
    }
    const lines = child
      .output()
      .stdout.split('\n')
      .filter((l) => l.startsWith('{"id"'));
    assert.equal(lines.length, 135);
  });
});
