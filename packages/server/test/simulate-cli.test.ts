// `persona-webhooks simulate` as a real process: it says it is a simulator, serves the Events API with the key it
// was given, takes control requests over HTTP, and stops on SIGTERM.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPersonaClient, listEvents } from 'persona-webhooks/api';
import { runCli, startCli } from './helpers/cli.js';

describe('persona-webhooks simulate', () => {
  it('serves the events it created with the given key, says it is a simulator, and stops on SIGTERM', async () => {
    const child = startCli(['simulate', '--port', '0', '--events', '20', '--json'], {
      env: { PERSONA_API_KEY: 'persona_sandbox_cli_test' },
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let started: { simulator: boolean; apiUrl: string; controlUrl: string } | undefined;
    for (let i = 0; i < 400 && started === undefined; i++) {
      const line = child
        .output()
        .stdout.split('\n')
        .find((l) => l.startsWith('{'));
      if (line) started = JSON.parse(line);
      else await sleep(25);
    }
    assert.ok(started, `no start line: ${child.output().stderr}`);
    assert.equal(started.simulator, true);
    const client = createPersonaClient({ apiKey: 'persona_sandbox_cli_test', baseUrl: started.apiUrl });
    assert.equal((await listEvents(client)).events.length, 20);
    const added = await fetch(`${started.controlUrl}/events`, {
      method: 'POST',
      body: JSON.stringify({ name: 'inquiry.declined', count: 2 }),
    });
    assert.equal(added.status, 201);
    const page = await listEvents(client, { names: ['inquiry.declined'] });
    assert.equal(page.events.length, 2);
    const raw = await fetch(`${started.apiUrl}/events`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(raw.status, 401);
    assert.equal(raw.headers.get('persona-simulator'), 'true');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('says in its help that it is not Persona', async () => {
    const { code, stdout } = await runCli(['simulate', '--help']);
    assert.equal(code, 0);
    assert.match(stdout, /not Persona/);
  });
});
