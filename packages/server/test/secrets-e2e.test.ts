// serve's secrets with real processes and real HTTP: read from Persona (the simulator, a fake Persona) with
// --webhook-id through a rotation under load, after a mismatch, with the API refusing or unreachable; and a
// secrets file re-read on SIGHUP on a kept-alive connection.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createPersonaSimulator, createSignedDelivery, type PersonaSimulator } from 'persona-webhooks/testing';
import { runCli } from './helpers/cli.js';
import { handledIds, type ServeProcess, startServe, waitFor } from './helpers/serve.js';

const HANDLERS = fileURLToPath(new URL('./fixtures/append-handler.mjs', import.meta.url));
const cleanup: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function simulator(seed: string): Promise<PersonaSimulator> {
  // timeScale 0.001: Persona's retry schedule (3 s, 64 s …) becomes 3 ms, 64 ms …
  const sim = await createPersonaSimulator({ seed, timeScale: 0.001 });
  cleanup.push(() => sim.close());
  return sim;
}

async function serveFor(sim: PersonaSimulator, webhookId: string, args: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pw-secrets-'));
  const handled = join(dir, 'handled.txt');
  const serve = await startServe(
    ['--webhook-id', webhookId, '--handlers', HANDLERS, '--poll-interval', '50ms', ...args],
    {
      env: { PERSONA_API_KEY: sim.apiKey, PERSONA_API_URL: sim.apiUrl, HANDLED_FILE: handled, ...env },
      cwd: dir,
    },
  );
  cleanup.push(() => serve.stop('SIGTERM'));
  return { serve, handled, dir };
}

const messages = (serve: ServeProcess, pattern: RegExp) => serve.logs().filter((l) => pattern.test(String(l.msg)));

async function post(url: string, delivery: { body: string; headers: Readonly<Record<string, string>> }) {
  const res = await fetch(url, { method: 'POST', body: delivery.body, headers: delivery.headers });
  await res.arrayBuffer();
  return res.status;
}

describe('serve --webhook-id: secrets read from Persona', { timeout: 180_000 }, () => {
  it('rotates under a steady stream: 0 rejected, 0 lost, each handled once; the old secret refused after expiry', async (t) => {
    const sim = await simulator('rotation-load');
    const webhook = sim.addWebhook({ url: 'http://127.0.0.1:9/placeholder', secret: 'wbhsec_before_rotation' });
    const { serve, handled } = await serveFor(sim, webhook.id, ['--secrets-refresh', '1s']);
    webhook.url = serve.url;
    await waitFor(() => messages(serve, /secrets read from Persona/).length === 1, 15_000, 'first read');

    const sent: string[] = [];
    let streaming = true;
    const stream = (async () => {
      // A steady stream, 40 events a second, until told to stop (bounded: at most 2000).
      while (streaming && sent.length < 2000) {
        sent.push(sim.emit('inquiry.approved').data.id);
        await sleep(25);
      }
    })();
    await waitFor(() => sent.length >= 40, 15_000, 'stream under way');
    const rotateStarted = Date.now();
    // serve must read the new secret before the old one expires. Its reads come every second, paced to one per
    // 2 s by its 10 % share of the rate limit: 6 s of overlap leaves room for two late reads on a loaded machine.
    const rotation = await runCli(['secrets', 'rotate', '--webhook', webhook.id, '--expires-in', '6s', '--json'], {
      env: { PERSONA_API_KEY: sim.apiKey, PERSONA_API_URL: sim.apiUrl },
    });
    assert.equal(rotation.code, 0, rotation.stderr);
    const rotated = JSON.parse(rotation.stdout) as { secret: string; previousExpiresAt: string };
    assert.match(rotated.secret, /^wbhsec_/);
    const expiresAt = new Date(rotated.previousExpiresAt).getTime();
    const sentAtRotation = sent.length;
    await waitFor(() => Date.now() > expiresAt + 1500, 30_000, 'old secret expired');
    const sentAtExpiry = sent.length;
    await waitFor(() => sent.length >= sentAtExpiry + 40, 15_000, 'events after expiry');
    streaming = false;
    await stream;
    await sim.deliveriesSettled();
    await waitFor(() => handledIds(handled).length >= sent.length, 30_000, 'every event handled');

    const attempts = sim.deliveries().filter((d) => d.attempt > 0 && !d.duplicate);
    const accepted = attempts.filter((d) => d.status >= 200 && d.status < 300);
    const rejected = attempts.filter((d) => !(d.status >= 200 && d.status < 300));
    const handledLines = handledIds(handled);
    const unique = new Set(handledLines);
    t.diagnostic(
      `rotation under load: sent ${sent.length} (${sentAtRotation} before secrets rotate returned, ${sentAtExpiry - sentAtRotation} from then to 1.5 s past the old secret's expiry, ${sent.length - sentAtExpiry} after), delivery attempts ${attempts.length}, accepted ${accepted.length}, rejected ${rejected.length}, handled ${handledLines.length} (${unique.size} distinct); rotate-secret reached Persona ${expiresAt - 6000 - rotateStarted} ms after the CLI was started`,
    );
    assert.equal(rejected.length, 0, `rejected: ${JSON.stringify(rejected.slice(0, 3))}`);
    assert.equal(accepted.length, sent.length, 'one accepted delivery per event');
    assert.deepEqual([...unique].sort(), [...sent].sort(), 'nothing lost');
    assert.equal(handledLines.length, unique.size, 'each handled once');

    const oldOnly = await createSignedDelivery({ event: 'inquiry.approved', secret: 'wbhsec_before_rotation' });
    assert.equal(await post(serve.url, oldOnly), 401, 'the expired secret no longer verifies');
    const newOnly = await createSignedDelivery({ event: 'inquiry.approved', secret: rotated.secret });
    assert.equal(await post(serve.url, newOnly), 200);
    const changes = messages(serve, /secrets changed at Persona/);
    assert.ok(changes.length >= 1 && changes.length <= 2, `one line per change, got ${changes.length}`);
    assert.ok(!serve.output().stdout.includes(rotated.secret), 'the secret is never logged');
  });

  it('re-reads at once after a mismatch: a rotation with no overlap costs one refused attempt, not an event', async () => {
    const sim = await simulator('rotation-mismatch');
    const webhook = sim.addWebhook({ url: 'http://127.0.0.1:9/placeholder', secret: 'wbhsec_m1' });
    const { serve, handled } = await serveFor(sim, webhook.id, ['--secrets-refresh', '1h']);
    webhook.url = serve.url;
    await waitFor(() => messages(serve, /secrets read from Persona/).length === 1, 15_000, 'first read');
    sim.rotateWebhookSecret(webhook.id, { expiresInSeconds: 0, secret: 'wbhsec_m2' });
    const id = sim.emit('inquiry.approved').data.id;
    await sim.deliveriesSettled();
    await waitFor(() => handledIds(handled).includes(id), 15_000, 'event handled');
    const attempts = sim.deliveries().filter((d) => d.eventId === id);
    assert.equal(attempts[0]?.status, 401, 'first attempt signed with a secret serve did not know yet');
    assert.equal(attempts[attempts.length - 1]?.status, 200, "Persona's retry accepted");
    const change = messages(serve, /secrets changed at Persona/);
    assert.equal(change.length, 1);
    assert.equal(change[0]?.reason, 'mismatch');
    assert.deepEqual(handledIds(handled), [id]);
  });

  it('keeps verifying with what it knows when the key is refused mid-run: one line when it fails, one when it recovers', async () => {
    const sim = await simulator('key-refused');
    const webhook = sim.addWebhook({ url: 'http://127.0.0.1:9/placeholder', secret: 'wbhsec_k' });
    const { serve, handled } = await serveFor(sim, webhook.id, ['--secrets-refresh', '1s']);
    webhook.url = serve.url;
    await waitFor(() => messages(serve, /secrets read from Persona/).length === 1, 15_000, 'first read');
    sim.revokeApiKey(sim.apiKey);
    const refusedBefore = sim.stats().unauthorized;
    await waitFor(() => sim.stats().unauthorized >= refusedBefore + 3, 20_000, 'three refused reads');
    const ids = [sim.emit('inquiry.approved').data.id, sim.emit('inquiry.declined').data.id];
    await sim.deliveriesSettled();
    await waitFor(() => ids.every((id) => handledIds(handled).includes(id)), 15_000, 'handled while refused');
    const failing = messages(serve, /cannot read the webhook's secrets from Persona/);
    assert.equal(failing.length, 1, 'one line for three refused reads');
    assert.equal(failing[0]?.code, 'api_unauthorized');
    assert.equal(failing[0]?.level, 'warn');
    sim.addApiKey(sim.apiKey);
    await waitFor(() => messages(serve, /answers again/).length === 1, 15_000, 'recovered line');
    assert.ok(sim.deliveries().every((d) => d.status === 200));
    assert.ok(!serve.output().stdout.includes(sim.apiKey), 'the key is never logged');
  });

  it('starts with the configured secret when the API is unreachable, and logs that once', async () => {
    // A port that accepts and drops every connection: Persona's API unreachable, and each attempt counted.
    let connections = 0;
    const dead = createServer((socket: Socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => dead.close(r)));
    const port = (dead.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'pw-secrets-down-'));
    const handled = join(dir, 'handled.txt');
    const serve = await startServe(
      ['--webhook-id', 'wbh_unreachable', '--secrets-refresh', '1s', '--handlers', HANDLERS, '--poll-interval', '50ms'],
      {
        env: {
          PERSONA_API_KEY: 'persona_sandbox_any',
          PERSONA_API_URL: `http://127.0.0.1:${port}/api/v1`,
          PERSONA_WEBHOOK_SECRET: 'wbhsec_configured',
          HANDLED_FILE: handled,
        },
        cwd: dir,
      },
    );
    cleanup.push(() => serve.stop('SIGTERM'));
    await waitFor(() => connections >= 6, 30_000, 'three failed reads (two connections each)');
    const delivery = await createSignedDelivery({ event: 'inquiry.approved', secret: 'wbhsec_configured' });
    assert.equal(await post(serve.url, delivery), 200);
    const id = (JSON.parse(delivery.body) as { data: { id: string } }).data.id;
    await waitFor(() => handledIds(handled).includes(id), 15_000, 'handled');
    const failing = messages(serve, /cannot read the webhook's secrets from Persona/);
    assert.equal(failing.length, 1, serve.output().stdout);
    assert.equal(failing[0]?.code, 'api_unreachable');
    assert.match(String(failing[0]?.msg), /verifying with the 1 known/);
  });
});

describe('secrets rotate', { timeout: 60_000 }, () => {
  it('writes the new secret to a 0600 file, prints no secret, and says when the old one expires', async () => {
    const sim = await simulator('rotate-cli');
    const webhook = sim.addWebhook({ url: 'http://127.0.0.1:9/r', secret: 'wbhsec_r_old' });
    const dir = mkdtempSync(join(tmpdir(), 'pw-rotate-'));
    const env = { PERSONA_API_KEY: sim.apiKey, PERSONA_API_URL: sim.apiUrl };
    const r = await runCli(
      ['secrets', 'rotate', '--webhook', webhook.id, '--expires-in', '2h', '--out', 'new-secret'],
      {
        env,
        cwd: dir,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    const fresh = sim.webhook(webhook.id)?.secrets[0]?.value ?? '';
    assert.equal(readFileSync(join(dir, 'new-secret'), 'utf8'), `${fresh}\n`);
    assert.equal(statSync(join(dir, 'new-secret')).mode & 0o777, 0o600);
    assert.ok(!r.stdout.includes(fresh));
    assert.match(r.stdout, /previous secret stays valid until \S+ \(in (2h|119m|120m)\)/);
    const printed = await runCli(['secrets', 'rotate', '--webhook', webhook.id, '--expires-in', '30m'], { env });
    assert.match(
      printed.stdout,
      new RegExp(`New secret \\(shown once, store it now\\): ${sim.webhook(webhook.id)?.secrets[0]?.value}`),
    );
    assert.equal((await runCli(['secrets', 'rotate'], { env })).code, 2);
    assert.equal(
      (await runCli(['secrets', 'rotate', '--webhook', webhook.id, '--expires-in', 'soon'], { env })).code,
      2,
    );
    const down = await runCli(['secrets', 'rotate', '--webhook', webhook.id], {
      env: { ...env, PERSONA_API_URL: 'http://127.0.0.1:9/api/v1' },
    });
    assert.equal(down.code, 3);
    assert.match(down.stderr, /^persona-webhooks secrets: not rotated: .*could not reach the API/);
    const missing = await runCli(['secrets', 'rotate', '--webhook', 'wbh_missing'], { env });
    assert.equal(missing.code, 1);
  });
});

describe('serve --secrets-file', { timeout: 60_000 }, () => {
  it('re-reads the file on SIGHUP without dropping a kept-alive connection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-secrets-file-'));
    const file = join(dir, 'secrets');
    writeFileSync(file, 'wbhsec_file_a\n', { mode: 0o600 });
    const serve = await startServe(['--secrets-file', file], { env: {}, cwd: dir });
    cleanup.push(() => serve.stop('SIGTERM'));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanup.push(async () => agent.destroy());
    const send = async (secret: string) => {
      const d = await createSignedDelivery({ event: 'inquiry.approved', secret });
      return new Promise<{ status: number; port: number; reused: boolean }>((resolve, reject) => {
        const req = request(serve.url, { method: 'POST', agent, headers: d.headers }, (res) => {
          res.resume();
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, port: req.socket?.localPort ?? -1, reused: req.reusedSocket }),
          );
        });
        req.on('error', reject);
        req.end(d.body);
      });
    };
    const first = await send('wbhsec_file_a');
    assert.equal(first.status, 200);
    writeFileSync(file, 'wbhsec_file_b\n');
    process.kill(serve.pid, 'SIGHUP');
    await waitFor(() => messages(serve, /secrets file reloaded/).length === 1, 10_000, 'reload line');
    const withNew = await send('wbhsec_file_b');
    const withOld = await send('wbhsec_file_a');
    assert.equal(withNew.status, 200);
    assert.equal(withOld.status, 401);
    assert.equal(withNew.port, first.port, 'same connection');
    assert.ok(withNew.reused && withOld.reused, 'the kept-alive socket was reused across SIGHUP');
    writeFileSync(file, '');
    process.kill(serve.pid, 'SIGHUP');
    await waitFor(() => messages(serve, /secrets file not reloaded/).length === 1, 10_000, 'refused reload line');
    assert.equal((await send('wbhsec_file_b')).status, 200, 'an empty file keeps the current secrets');
    assert.ok(!serve.output().stdout.includes('wbhsec_file'), 'no secret in the logs');
  });
});
