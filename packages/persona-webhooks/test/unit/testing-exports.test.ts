// The testing kit as users get it: the built `persona-webhooks/testing` subpath (run `npm run build` first;
// `npm test` does), and free of Node-only APIs so it runs in Workers, Deno and Bun too.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

type TestingKit = typeof import('../../src/testing/index.js');
type Core = typeof import('../../src/index.js');

const srcDir = join(dirname(fileURLToPath(import.meta.url)), '../../src/testing');

// Specifiers in variables: the type-check must not depend on dist/, which CI builds after type-checking.
async function load<T>(specifier: string): Promise<T> {
  return (await import(specifier)) as T;
}

describe('persona-webhooks/testing, built', () => {
  it('resolves through the package exports map and signs a request the built verifier accepts', async () => {
    const kit = await load<TestingKit>('persona-webhooks/testing');
    const core = await load<Core>('persona-webhooks');
    const request = await kit.createSignedRequest({ event: 'inquiry.approved', secret: 'wbhsec_built' });
    const event = await core.verifyWebhook({
      body: await request.text(),
      header: request.headers.get('persona-signature'),
      secret: 'wbhsec_built',
    });
    assert.equal(event.name, 'inquiry.approved');
    assert.deepEqual(Object.keys(kit).sort(), [
      'PERSONA_DELIVERY_TIMEOUT_MS',
      'PERSONA_RETRY_SCHEDULE_SECONDS',
      'SIMULATOR_NOTICE',
      'createPersonaSimulator',
      'createSampleEvent',
      'createSignedDelivery',
      'createSignedRequest',
      'inflectKey',
      'inflectKeys',
    ]);
  });
});

describe('persona-webhooks/testing, portability', () => {
  it('imports no node: modules and uses no Node globals (the simulator loads node:http only when it starts)', () => {
    const files = readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length >= 10);
    for (const file of files) {
      const code = readFileSync(join(srcDir, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '')
        .replace(/^import type .* from 'node:http';$/m, '')
        .replace("await import('node:http')", '');
      assert.doesNotMatch(code, /from ['"](node:|fs|path|crypto|buffer|os)['"]/, file);
      assert.doesNotMatch(code, /\b(Buffer|process|require|__dirname)\b/, file);
    }
  });

  it('keeps index.ts to re-exports only', () => {
    const code = readFileSync(join(srcDir, 'index.ts'), 'utf8');
    for (const line of code.split('\n')) {
      if (line.trim() === '' || line.startsWith('//')) continue;
      assert.match(
        line,
        /^(export \{|export \* from|\s+(type )?\w+,?$|\} from '\.\/[\w/-]+\.js';$|export type \{[\w, ]+\} from '\.\/[\w/-]+\.js';$)/,
        line,
      );
    }
  });
});
