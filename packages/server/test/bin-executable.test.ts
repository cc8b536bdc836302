// `npm start` prints `npx persona-webhooks trigger …`; in this repository npx runs the workspace's built bin
// through its node_modules/.bin link, which only works if the build leaves the file executable.
import * as assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';

const packages = ['../../persona-webhooks/', '../'];

describe('the built command files', () => {
  for (const dir of packages) {
    const base = new URL(dir, import.meta.url);
    const manifest = JSON.parse(readFileSync(new URL('package.json', base), 'utf8')) as {
      name: string;
      bin: Record<string, string>;
    };
    for (const [name, path] of Object.entries(manifest.bin)) {
      it(`${manifest.name}: ${name} is executable and starts with a node shebang`, () => {
        const file = new URL(path, base);
        assert.ok((statSync(file).mode & 0o111) !== 0, `${path} is not executable: run npm run build`);
        assert.match(readFileSync(file, 'utf8'), /^#!\/usr\/bin\/env node\n/);
      });
    }
  }
});
