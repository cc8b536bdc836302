// `npm start` prints `npx persona-webhooks trigger …`; in this repository npx runs the workspace's built bin
// through its node_modules/.bin link, which only works if the build leaves the file executable, and only exists
// if something links it after the build: on a fresh clone `npm install` runs before the build, and npm links no
// bin whose file is missing (the root build ends with `npm rebuild --ignore-scripts` of both packages for that).
import * as assert from 'node:assert/strict';
import { readFileSync, realpathSync, statSync } from 'node:fs';
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
      it(`${manifest.name}: ${name} is linked in the repository's node_modules/.bin`, () => {
        const link = new URL(`../../../node_modules/.bin/${name}`, import.meta.url);
        assert.equal(realpathSync(link), realpathSync(new URL(path, base)), `${name} is not linked: run npm run build`);
      });
    }
  }
});
