// The packed tarballs as their consumers load them: ESM import of every subpath, CommonJS require() of every
// subpath on this Node (20.19+: require(esm)), and TypeScript consumers type-checked with the node16, nodenext,
// bundler and node10 module resolutions, without skipLibCheck so the shipped declarations are checked too.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { createConsumerProject, librarySubpaths, npmInstall, packBoth, REPO_ROOT, run, runOk } from './packed.js';

const specifiers = [...librarySubpaths(), 'persona-webhooks-server'];
const TSC = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');

/** Imports every entry point by namespace, plus typed uses whose types must really resolve. */
function consumerSource(): string {
  const imports = specifiers.map((s, i) => `import * as m${i} from '${s}';`).join('\n');
  return `${imports}
import { verifyWebhook } from 'persona-webhooks';
import { createSampleEvent, createSignedRequest } from 'persona-webhooks/testing';

export const modules = [${specifiers.map((_, i) => `m${i}`).join(', ')}];

export async function check(secret: string): Promise<string> {
  const event = createSampleEvent('inquiry.approved');
  const request = await createSignedRequest({ url: 'http://localhost/webhooks/persona', event, secret });
  const verified = await verifyWebhook({
    body: await request.text(),
    header: request.headers.get('persona-signature'),
    secret,
  });
  // @ts-expect-error an event name is a string: this fails to compile only if the types resolved
  const wrong: number = verified.name;
  return String(wrong);
}
`;
}

const resolutions = {
  node16: { module: 'node16', moduleResolution: 'node16' },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
  node10: { module: 'commonjs', moduleResolution: 'node10' },
} as const;

describe('the packed packages, loaded by their consumers', { timeout: 300_000 }, () => {
  let dir: string;

  before(async () => {
    const packed = await packBoth();
    dir = createConsumerProject('consumers');
    // @types/node for the node adapter's types, linked from this repository like a user's own install.
    await npmInstall(dir, [packed.library, packed.server, join(REPO_ROOT, 'node_modules/@types/node')]);
    writeFileSync(join(dir, 'consumer.ts'), consumerSource());
    // A CommonJS TypeScript file that require()s the ESM package (allowed under nodenext since TypeScript 5.8).
    writeFileSync(
      join(dir, 'consumer.cts'),
      "import webhooks = require('persona-webhooks');\nexport const verify: typeof webhooks.verifyWebhook = webhooks.verifyWebhook;\n",
    );
  });

  it('imports every subpath as ESM', async () => {
    const script = `for (const s of ${JSON.stringify(specifiers)}) {
      const m = await import(s);
      if (Object.keys(m).length === 0) throw new Error(s + ' exports nothing');
    }
    console.log('imported', ${specifiers.length});`;
    const result = await runOk(process.execPath, ['--input-type=module', '-e', script], { cwd: dir });
    assert.match(result.stdout, new RegExp(`imported ${specifiers.length}`));
  });

  it(`requires every subpath from CommonJS on Node ${process.versions.node}`, async () => {
    const script = `for (const s of ${JSON.stringify(specifiers)}) {
      const m = require(s);
      if (Object.keys(m).length === 0) throw new Error(s + ' exports nothing');
    }
    console.log('required', ${specifiers.length});`;
    const result = await run(process.execPath, ['--input-type=commonjs', '-e', script], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`required ${specifiers.length}`));
  });

  for (const [name, options] of Object.entries(resolutions)) {
    it(`type-checks a TypeScript consumer with moduleResolution ${name}`, async () => {
      const files = name === 'nodenext' ? ['consumer.ts', 'consumer.cts'] : ['consumer.ts'];
      writeFileSync(
        join(dir, `tsconfig.${name}.json`),
        JSON.stringify({
          compilerOptions: {
            ...options,
            target: 'es2022',
            lib: ['es2023', 'dom'],
            types: ['node'],
            strict: true,
            noEmit: true,
            skipLibCheck: false,
          },
          files,
        }),
      );
      const result = await run(process.execPath, [TSC, '-p', `tsconfig.${name}.json`], { cwd: dir });
      assert.equal(result.code, 0, result.stdout + result.stderr);
    });
  }

  it('ships the sources every source map and declaration map points at', () => {
    let maps = 0;
    for (const name of ['persona-webhooks', 'persona-webhooks-server']) {
      const root = join(dir, 'node_modules', name);
      const files = readdirSync(join(root, 'dist'), { recursive: true, encoding: 'utf8' });
      for (const file of files.filter((f) => f.endsWith('.map'))) {
        const path = join(root, 'dist', file);
        const map = JSON.parse(readFileSync(path, 'utf8')) as { sources: string[] };
        for (const source of map.sources) {
          assert.ok(existsSync(resolve(dirname(path), source)), `${name}/dist/${file} points at missing ${source}`);
        }
        maps++;
      }
    }
    assert.ok(maps > 100, `only ${maps} maps`);
  });

  it('fails the type check when a type is wrong (the check can fail)', async () => {
    writeFileSync(join(dir, 'broken.ts'), "import { verifyWebhook } from 'persona-webhooks';\nverifyWebhook(42);\n");
    writeFileSync(
      join(dir, 'tsconfig.broken.json'),
      JSON.stringify({
        compilerOptions: { ...resolutions.nodenext, strict: true, noEmit: true, types: ['node'] },
        files: ['broken.ts'],
      }),
    );
    const result = await run(process.execPath, [TSC, '-p', 'tsconfig.broken.json'], { cwd: dir });
    assert.notEqual(result.code, 0);
    assert.match(result.stdout, /broken\.ts/);
  });
});
