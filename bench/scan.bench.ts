// Scan micro-benchmark: the ack path's validating envelope scan (new) against the previous version and
// JSON.parse + parseEvent, on 1, 8 and 64 KB inquiry.approved envelopes. The previous scanner's algorithm
// lives on as `scanGeneral` (bodies with escapes or whitespace still take it), so "old" runs that.
// Envelopes come from the testing kit, in kebab, camel and snake inflection.
// Run: flock /tmp/bench.lock node --import tsx bench/scan.bench.ts [--quick]
// Writes bench/results/scan.md.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EnvelopeFacts, readEnvelopeFacts } from '../packages/persona-webhooks/src/events/envelope.js';
import { scanEnvelope, scanGeneral } from '../packages/persona-webhooks/src/events/envelope-scan.js';
import { parseEvent } from '../packages/persona-webhooks/src/events/parse.js';
import { createSampleEvent } from '../packages/persona-webhooks/src/testing/index.js';
import { machineNote } from './machine.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 7 : 21;
const TARGET_MS = quick ? 60 : 150;
const SIZES = [1024, 8192, 65536];
const INFLECTIONS = ['kebab', 'camel', 'snake'] as const;

function viaParse(text: string): EnvelopeFacts {
  return readEnvelopeFacts(parseEvent(text));
}

type Fn = (text: string) => EnvelopeFacts | undefined;
const contenders: [string, Fn][] = [
  ['JSON.parse + parseEvent', viaParse],
  ['old scanEnvelope', scanGeneral],
  ['new scanEnvelope', scanEnvelope],
];

let sink = 0;
function timeOnce(fn: Fn, bodies: string[], iterations: number): number {
  const start = process.hrtime.bigint();
  for (let k = 0; k < iterations; k++) {
    const facts = fn(bodies[k % bodies.length] as string);
    if (facts === undefined) throw new Error('a contender stepped aside on a sample envelope');
    sink += facts.id.length;
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const rows: string[] = [];
const started = Date.now();
for (const size of SIZES) {
  for (const inflection of INFLECTIONS) {
    const bodies = Array.from({ length: 32 }, (_, n) =>
      JSON.stringify(createSampleEvent('inquiry.approved', { inflection, payloadSize: size, seed: n })),
    );
    const reference = bodies.map(viaParse);
    for (const [, fn] of contenders) {
      bodies.forEach((b, n) => {
        if (JSON.stringify(fn(b)) !== JSON.stringify(reference[n])) throw new Error('contenders disagree');
      });
    }
    // Calibrate iterations per round so a round of the slowest contender lasts about TARGET_MS.
    for (const [, fn] of contenders) timeOnce(fn, bodies, 2000);
    const perCall = timeOnce(viaParse, bodies, 2000) / 2000;
    const iterations = Math.max(200, Math.round(TARGET_MS / 1000 / perCall));
    const rates: number[][] = contenders.map(() => []);
    for (let r = 0; r < ROUNDS; r++) {
      contenders.forEach(([, fn], c) => {
        (rates[c] as number[]).push(iterations / timeOnce(fn, bodies, iterations));
      });
    }
    const med = rates.map(median);
    const [parse, old, neu] = med as [number, number, number];
    const spread = rates.map((r, c) => ((Math.max(...r) - Math.min(...r)) / 2 / (med[c] as number)) * 100);
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    rows.push(
      `| ${size / 1024} KB | ${inflection} | ${fmt(parse)} (±${spread[0]?.toFixed(0)}%) | ${fmt(old)} (±${spread[1]?.toFixed(0)}%) | ${fmt(neu)} (±${spread[2]?.toFixed(0)}%) | ${(neu / old).toFixed(2)}× | ${(neu / parse).toFixed(2)}× | ${(old / parse).toFixed(2)}× |`,
    );
    console.log(rows[rows.length - 1]);
  }
}

const out = [
  '## Envelope scan (ack path)',
  '',
  `Written by \`flock /tmp/bench.lock node --import tsx bench/scan.bench.ts${quick ? ' --quick' : ''}\` on ${new Date().toISOString()}, in ${Math.round((Date.now() - started) / 1000)} s.`,
  `${machineNote()} Contenders run interleaved (round 1 of each, then round 2 …) and the ratios are the meaningful part.`,
  `Method: ${ROUNDS} rounds, median ops/s reported, ± is half the spread between rounds relative to the median. 32 distinct \`inquiry.approved\` envelopes per row (\`createSampleEvent(name, { inflection, payloadSize, seed })\`, serialized with JSON.stringify), cycled; every contender must return the same facts as \`readEnvelopeFacts(parseEvent(text))\` before timing. "old" is \`scanGeneral\`, the previous scanner's algorithm, still the path for bodies with escapes or whitespace.`,
  '',
  '| size | inflection | JSON.parse + parseEvent ops/s | old scan ops/s | new scan ops/s | new / old | new / JSON.parse | old / JSON.parse |',
  '| ---: | :--------- | ----------------------------: | -------------: | -------------: | --------: | ---------------: | ---------------: |',
  ...rows,
  '',
];
if (!quick) writeFileSync(join(import.meta.dirname, 'results', 'scan.md'), out.join('\n'));
if (sink === -1) console.log(sink);
