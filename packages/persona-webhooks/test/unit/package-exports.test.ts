// The export map, the source folders and the built files agree: every subpath resolves to a built module with
// a declaration file, every adapter and store folder has a subpath, and the core has no runtime dependency.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '../..');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
  types: string;
  typesVersions: { '*': Record<string, string[]> };
  exports: Record<string, string | { types: string; default: string }>;
};
const subpaths = Object.entries(manifest.exports).filter(
  (entry): entry is [string, { types: string; default: string }] => typeof entry[1] === 'object',
);

describe('the package export map', () => {
  it('has no runtime dependencies', () => {
    assert.deepEqual(Object.keys(manifest.dependencies ?? {}), []);
  });

  for (const [subpath, target] of subpaths) {
    it(`builds ${subpath} to a module and its declarations, with a source index beside them`, async () => {
      assert.ok(existsSync(join(packageDir, target.default)), `${target.default} is missing: run npm run build`);
      assert.ok(existsSync(join(packageDir, target.types)), `${target.types} is missing`);
      const source = target.default.replace(/^\.\/dist\//, './src/').replace(/\.js$/, '.ts');
      assert.ok(existsSync(join(packageDir, source)), `${source} is missing`);
      const specifier = subpath === '.' ? 'persona-webhooks' : `persona-webhooks/${subpath.slice(2)}`;
      const module = (await import(specifier)) as Record<string, unknown>;
      assert.ok(Object.keys(module).length > 0, `${specifier} exports nothing`);
    });
  }

  it('points the node10 fallbacks (types, typesVersions) at the same declarations as the export map', () => {
    const expected = Object.fromEntries(
      subpaths.filter(([subpath]) => subpath !== '.').map(([subpath, target]) => [subpath.slice(2), [target.types]]),
    );
    assert.deepEqual(manifest.typesVersions['*'], expected);
    assert.equal(manifest.types, subpaths.find(([subpath]) => subpath === '.')?.[1].types);
  });

  it('gives every adapter and store folder its own subpath', () => {
    const exported = new Set(subpaths.map(([, t]) => t.default));
    const folders = [
      ...readdirSync(join(packageDir, 'src/adapters'))
        .filter((f) => f !== 'shared')
        .map((f) => `./dist/adapters/${f}/index.js`),
      ...['memory', 'sqlite', 'postgres'].map((f) => `./dist/store/${f}/index.js`),
    ];
    for (const folder of folders) assert.ok(exported.has(folder), `${folder} has no subpath export`);
  });

  it('keeps every adapter index a list of re-exports', () => {
    for (const folder of readdirSync(join(packageDir, 'src/adapters')).filter((f) => f !== 'shared')) {
      const text = readFileSync(join(packageDir, 'src/adapters', folder, 'index.ts'), 'utf8');
      const code = text
        .split('\n')
        .filter(
          (l) =>
            l.trim() !== '' && !l.trim().startsWith('//') && !l.trim().startsWith('*') && !l.trim().startsWith('/*'),
        );
      const joined = code.join(' ');
      assert.doesNotMatch(joined, /\b(function|const|let|class)\b/, `src/adapters/${folder}/index.ts has code in it`);
    }
  });
});
