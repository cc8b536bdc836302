// Cross-checks our HMAC against two independent implementations, run as child processes:
// Python's hmac module (which also builds the `${t}.${body}` message itself) and `openssl dgst -mac HMAC`.
import * as assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { HmacEngine } from '../../src/signature/hmac.js';
import { hmacEngine as nodeEngine } from '../../src/signature/hmac-node.js';
import { hmacEngine as webEngine } from '../../src/signature/hmac-web.js';
import { createPayloadSigner } from '../../src/signature/sign.js';
import { createSignatureVerifier } from '../../src/signature/verify.js';

const run = promisify(execFile);
const CASES = 40;

interface Case {
  file: string;
  body: Buffer;
  secret: string;
  t: number;
}

const SECRET_ALPHABET = [
  'a',
  'Z',
  '0',
  '-',
  '_',
  ' ',
  '\u00e9',
  '\u00df',
  '\u4e2d',
  '\u{1F511}',
  '\u{1F600}',
  '=',
  ',',
];

function randomSecret(): string {
  if (randomInt(3) === 0) return `wbhsec_${randomBytes(16).toString('hex')}`;
  // Non-ASCII secrets check that both sides key the HMAC with the secret's UTF-8 bytes.
  let s = '';
  const length = 1 + randomInt(90); // longer than the 64-byte block sometimes, so the key gets hashed first
  for (let i = 0; i < length; i++) s += SECRET_ALPHABET[randomInt(SECRET_ALPHABET.length)];
  return s.trim() === '' ? `${s}k` : s;
}

function randomBody(i: number): Buffer {
  const sizes = [0, 1, 63, 64, 65, 1024, 8192, 65536];
  const size = i < sizes.length ? (sizes[i] as number) : randomInt(20_000);
  return randomBytes(size);
}

function available(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

const hasPython = available('python3', ['-c', 'import hmac, hashlib']);
const hasOpenssl = available('openssl', ['version']);

describe('our HMAC against independent implementations', () => {
  let dir = '';
  const cases: Case[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'persona-hmac-'));
    for (let i = 0; i < CASES; i++) {
      const body = randomBody(i);
      const file = join(dir, `body-${i}.bin`);
      writeFileSync(file, body);
      cases.push({ file, body, secret: randomSecret(), t: randomInt(1e12) });
    }
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const engines = [nodeEngine, webEngine] satisfies HmacEngine[];

  it("matches Python's hmac module on random bodies, secrets and timestamps", {
    skip: hasPython ? false : 'python3 is not installed',
  }, async () => {
    const manifest = join(dir, 'manifest.json');
    writeFileSync(manifest, JSON.stringify(cases.map(({ file, secret, t }) => ({ file, secret, t }))));
    const script = [
      'import hashlib, hmac, json, sys',
      'for c in json.load(open(sys.argv[1], encoding="utf-8")):',
      '    body = open(c["file"], "rb").read()',
      '    msg = str(c["t"]).encode("ascii") + b"." + body',
      '    print(hmac.new(c["secret"].encode("utf-8"), msg, hashlib.sha256).hexdigest())',
    ].join('\n');
    const { stdout } = await run('python3', ['-c', script, manifest], { maxBuffer: 1 << 20 });
    const expected = stdout.trim().split('\n');
    assert.equal(expected.length, cases.length);
    for (const engine of engines) {
      const sign = createPayloadSigner(engine);
      const verify = createSignatureVerifier(engine);
      for (const [i, c] of cases.entries()) {
        const header = await sign({ body: c.body, secret: c.secret, timestamp: c.t });
        assert.equal(header, `t=${c.t},v1=${expected[i]}`, `${engine.name} engine, case ${i}`);
        const python = `t=${c.t},v1=${expected[i]}`;
        assert.deepEqual(await verify({ body: c.body, header: python, secret: c.secret, now: c.t * 1000 }), {
          timestamp: c.t,
          secretIndex: 0,
        });
      }
    }
  });

  it('matches openssl dgst -mac HMAC on random bodies, secrets and timestamps', {
    skip: hasOpenssl ? false : 'openssl is not installed',
  }, async () => {
    for (const [i, c] of cases.entries()) {
      // openssl signs a file, so the file holds the whole signed message.
      const signed = join(dir, `signed-${i}.bin`);
      writeFileSync(signed, Buffer.concat([Buffer.from(`${c.t}.`), c.body]));
      const key = Buffer.from(c.secret, 'utf8').toString('hex');
      const { stdout } = await run('openssl', [
        'dgst',
        '-sha256',
        '-mac',
        'HMAC',
        '-macopt',
        `hexkey:${key}`,
        '-r',
        signed,
      ]);
      const hex = stdout.trim().split(/\s+/)[0];
      assert.match(hex ?? '', /^[0-9a-f]{64}$/);
      for (const engine of engines) {
        assert.equal(await engine.sign(c.secret, String(c.t), c.body), hex, `${engine.name} engine, case ${i}`);
        const verify = createSignatureVerifier(engine);
        await verify({ body: c.body, header: `t=${c.t},v1=${hex}`, secret: c.secret, now: c.t * 1000 });
      }
    }
  });
});
