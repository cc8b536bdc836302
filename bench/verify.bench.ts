import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { signPayload, verifySignature, verifyWebhook } from 'persona-webhooks';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { hmacEngine as webEngine } from '../packages/persona-webhooks/src/signature/hmac-web.js';
import { createSignatureVerifier } from '../packages/persona-webhooks/src/signature/verify.js';
import { hmacEngineName } from '../packages/persona-webhooks/src/webhook-signature.js';
import { machineNote } from './machine.js';
import { type Candidate, type Measurement, measureAll, pairedRatio } from './verify/harness.js';
import { createInquiryApprovedBody } from './verify/payload.js';

const quick = process.argv.includes('--quick');
const SIZES = [1024, 8192, 65536];
const SHAPES = ['Buffer', 'string'] as const;
const OPTIONS = quick ? { rounds: 3, roundMs: 60 } : { rounds: 15, roundMs: 80 };
const SECRET = 'wbhsec_abcdefgh-1234-5678-9ijk-lmnopqrstuvw';
const STANDARD_SECRET = `whsec_${Buffer.from('persona-webhooks-benchmark-key-32b').toString('base64')}`;

const verifyWeb = createSignatureVerifier(webEngine);
const root = join(import.meta.dirname, '..');

function version(pkg: string): string {
  const json = JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string };
  return json.version;
}

function ok(value: unknown, name: string): void {
  if (value === false || value === undefined || value === null) throw new Error(`${name} did not verify`);
}

async function candidatesFor(body: string, shape: (typeof SHAPES)[number]): Promise<Candidate[]> {
  const bytes = Buffer.from(body);
  const input: string | Buffer = shape === 'Buffer' ? bytes : body;
  const t = Math.floor(Date.now() / 1000);
  const header = await signPayload({ body: bytes, secret: SECRET, timestamp: t });
  const v1 = header.slice(header.indexOf('v1=') + 3);
  const tText = String(t);
  const stripeHeader = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET, timestamp: t });
  const standard = new StandardWebhook(STANDARD_SECRET);
  const standardHeaders = {
    'webhook-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    'webhook-timestamp': tText,
    'webhook-signature': standard.sign('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', new Date(t * 1000), body),
  };
  const octokitSignature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  const options = { body: input, header, secret: SECRET };

  // The limit does only what any verifier must: one HMAC over `t.` and the body, decode the hex
  // signature, compare in constant time. No header parsing, no checks, no promise.
  const limit = () => {
    const digest = createHmac('sha256', SECRET).update(`${tText}.`).update(input).digest();
    return timingSafeEqual(digest, Buffer.from(v1, 'hex'));
  };
  const limitParse = () => {
    const digest = createHmac('sha256', SECRET).update(`${tText}.`).update(input).digest();
    if (!timingSafeEqual(digest, Buffer.from(v1, 'hex'))) return undefined;
    return JSON.parse(typeof input === 'string' ? input : input.toString());
  };
  const candidates: Candidate[] = [
    { name: 'limit: node:crypto HMAC + timingSafeEqual', async: false, run: limit },
    { name: 'limit: HMAC + timingSafeEqual + JSON.parse', async: false, run: limitParse },
    { name: `persona-webhooks verifySignature (${hmacEngineName})`, async: true, run: () => verifySignature(options) },
    { name: `persona-webhooks verifyWebhook (${hmacEngineName})`, async: true, run: () => verifyWebhook(options) },
    { name: 'persona-webhooks verifySignature (web crypto)', async: true, run: () => verifyWeb(options) },
    {
      name: 'stripe webhooks.constructEvent',
      async: false,
      run: () => Stripe.webhooks.constructEvent(input, stripeHeader, SECRET),
    },
    {
      name: 'standardwebhooks Webhook.verify',
      async: false,
      run: () => standard.verify(input, standardHeaders),
    },
    {
      name: '@octokit/webhooks-methods verify',
      async: true,
      // It takes strings only: a Buffer has to be decoded first.
      run: () => octokitVerify(SECRET, typeof input === 'string' ? input : input.toString('utf8'), octokitSignature),
    },
  ];
  // A benchmark of failing verifications would be meaningless: check each candidate once.
  for (const c of candidates) ok(await c.run(), c.name);
  return candidates;
}

interface Row {
  size: number;
  shape: string;
  results: Measurement[];
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

type Clock = 'wall' | 'cpu';

function ratio(a: Measurement | undefined, b: Measurement | undefined, clock: Clock): string {
  if (a === undefined || b === undefined) return 'n/a';
  return `${pairedRatio(a, b, clock).toFixed(2)}×`;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const started = Date.now();
  for (const size of SIZES) {
    const body = createInquiryApprovedBody(size);
    for (const shape of SHAPES) {
      const results = await measureAll(await candidatesFor(body, shape), OPTIONS);
      rows.push({ size, shape, results });
      console.log(`\n${size / 1024} KB, body as ${shape}`);
      for (const r of results)
        console.log(
          `  ${r.name.padEnd(48)} ${fmt(r.opsPerSecond).padStart(10)} ops/s  ±${(r.spread * 50).toFixed(0)}%`,
        );
    }
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  writeFileSync(join(root, 'bench/results/verify.md'), report(rows, seconds));
  console.log(`\nwrote bench/results/verify.md (${seconds} s)`);
}

function report(rows: Row[], seconds: number): string {
  const lines: string[] = [];
  lines.push('## Verification');
  lines.push('');
  lines.push(
    `Written by \`flock /tmp/bench.lock node --import tsx bench/verify.bench.ts${quick ? ' --quick' : ''}\` (after \`npm run build\`) on ${new Date().toISOString()}, in ${seconds} s.`,
  );
  lines.push(
    `${machineNote()} ` +
      'Candidates are run interleaved (round 1 of each, then round 2 …) so that noise hits them alike, and the ratios are the meaningful part.',
  );
  lines.push(
    `Versions: persona-webhooks ${version('persona-webhooks')} (${hmacEngineName} engine), stripe ${version('stripe')}, standardwebhooks ${version('standardwebhooks')} (fast-sha256 ${version('fast-sha256')}), @octokit/webhooks-methods ${version('@octokit/webhooks-methods')}.`,
  );
  lines.push(
    `Method: ${OPTIONS.rounds} rounds of ~${OPTIONS.roundMs} ms per candidate after a calibrating warm-up; median round reported; ± is half the spread between the fastest and slowest round. ` +
      'Async candidates are awaited one call at a time, as a request handler does. Bodies: `inquiry.approved` envelopes (kebab-case; included sessions and government-id verifications; ' +
      'the 1 KB body has no included objects, as a webhook with an attribute blocklist sends) padded to the exact size. One secret, one signature set.',
  );
  lines.push(
    'The limit: one node:crypto HMAC over `t.` and the body, the hex signature decoded and compared with timingSafeEqual, with `t` and `v1` already extracted (no header parsing, no checks, no promise); "+ JSON.parse" also parses the body (a Buffer decoded with `toString()` first, the fastest decode on Node).',
  );
  lines.push(
    "Two clocks: **ops/s** is wall-clock time; **ops/cpu-s** divides by the CPU time the benchmark process used (all its threads, so Web Crypto's thread-pool work counts). " +
      'With other work on the machine, wall-clock rounds include time spent waiting for a core; CPU time does not, so the CPU-time ratios are the ones to judge the targets by.',
  );
  lines.push('');
  lines.push(
    '| size | body | candidate | ops/s | ± | ops/cpu-s | ± | vs limit (cpu) | vs limit + parse (cpu) | vs limit (wall) |',
  );
  lines.push('|---:|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    const [limit, limitParse] = row.results;
    for (const r of row.results) {
      lines.push(
        `| ${row.size / 1024} KB | ${row.shape} | ${r.name} | ${fmt(r.opsPerSecond)} | ${(r.spread * 50).toFixed(0)}% | ${fmt(r.opsPerCpuSecond)} | ${(r.cpuSpread * 50).toFixed(0)}% | ${ratio(r, limit, 'cpu')} | ${ratio(r, limitParse, 'cpu')} | ${ratio(r, limit, 'wall')} |`,
      );
    }
  }
  lines.push('');
  lines.push('### Targets (CPU-time ratios; wall-clock in brackets)');
  lines.push('');
  lines.push(
    'Ratios are medians of per-round ratios (each round of a candidate ran right after the same round of the others). ' +
      'Peers that parse the body (Stripe constructEvent, standardwebhooks verify) are compared with verifyWebhook; ' +
      '@octokit/webhooks-methods verify only checks the signature (over the body alone, with no timestamp), so it is compared with verifySignature.',
  );
  lines.push('');
  lines.push(
    '| size | body | verifySignature / limit (≥ 0.90) | verifyWebhook / limit + parse (≥ 0.95) | verifyWebhook / Stripe | verifyWebhook / standardwebhooks | verifySignature / octokit | Web Crypto verifySignature / limit |',
  );
  lines.push('|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    const [limit, limitParse, sig, hook, web, stripe, standard, octokit] = row.results;
    const both = (a: Measurement | undefined, b: Measurement | undefined) =>
      `${ratio(a, b, 'cpu')} (${ratio(a, b, 'wall')})`;
    lines.push(
      `| ${row.size / 1024} KB | ${row.shape} | ${both(sig, limit)} | ${both(hook, limitParse)} | ${both(hook, stripe)} | ${both(hook, standard)} | ${both(sig, octokit)} | ${both(web, limit)} |`,
    );
  }
  lines.push('');
  // The analysis is written by hand (bench/verify/notes.md) and kept with the numbers it explains.
  const notes = join(root, 'bench/verify/notes.md');
  if (existsSync(notes)) lines.push(readFileSync(notes, 'utf8').trim(), '');
  return `${lines.join('\n')}\n`;
}

await main();
