#!/usr/bin/env node
// Writes bench/RESULTS.md from the per-area result files bench/results/*.md, under one header that names
// the machine and the versions. Each area's file is written by its own benchmark run.
// Usage: node scripts/assemble-bench-results.mjs
import { execSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dir = join(root, 'bench/results');
const order = [
  'summary',
  'verify',
  'processing',
  'scan',
  'store',
  'store-pg-stats',
  'adapters',
  'server',
  'server-notes',
  'server-profile-before',
  'server-profile-after',
  'server-profile-duplicates',
  'server-profile-compare',
  'dashboard',
];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.md'))
  .sort((a, b) => {
    const ia = order.indexOf(a.replace(/\.md$/, ''));
    const ib = order.indexOf(b.replace(/\.md$/, ''));
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
const sh = (cmd) => {
  try {
    return execSync(cmd, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};
const header = [
  '# Benchmark results',
  '',
  'Assembled by `node scripts/assemble-bench-results.mjs` from `bench/results/*.md`; each section says the',
  'command that produced it and when. Ratios are what matter: every section measures the peers and the',
  'physical limit in the same run, on the same machine.',
  '',
  `- Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${sh('uname -sr')}`,
  `- Node ${process.versions.node}, OpenSSL ${process.versions.openssl}, PostgreSQL ${sh("psql -V | awk '{print $3}'")}`,
  '- Caveat: a 2-core VM; numbers are noisy (±10% between runs is common) and some sections were measured while',
  '  other work ran on the machine. Re-run a section alone before trusting a small difference.',
  '',
].join('\n');
const body = files.map((f) => readFileSync(join(dir, f), 'utf8').trim()).join('\n\n---\n\n');
writeFileSync(join(root, 'bench/RESULTS.md'), `${header}\n${body}\n`);
console.log(`bench/RESULTS.md: ${files.length} section(s): ${files.join(', ')}`);
