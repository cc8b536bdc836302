#!/usr/bin/env node
// Runs every *.test.ts under packages/*/test, examples/*/test, test/ (packed packages, runtimes) and bench/test with node's test runner (via tsx).
// Node 20's --test takes no globs, so the files are listed here.
// Usage: node scripts/run-tests.mjs [substring-filter ...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const roots = ['packages', 'examples', 'test'];
const files = [];
function walk(dir) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.test\.(ts|mts)$/.test(entry) && /(^|\/)test\//.test(relative(root, path)))
      files.push(relative(root, path));
  }
}
for (const r of roots) walk(join(root, r));
const filters = process.argv.slice(2);
const selected = files.sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...selected],
  { stdio: 'inherit', cwd: root },
);
process.exit(result.status ?? 1);
