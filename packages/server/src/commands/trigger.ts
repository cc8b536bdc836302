import { randomBytes } from 'node:crypto';
import { API_VERSIONS, EVENT_NAMES, isApiVersion, isKnownEventName, type KeyInflection } from 'persona-webhooks';
import { createSampleEvent, createSignedDelivery } from 'persona-webhooks/testing';
import { type CommandSpec, flag, intOption, stringOption } from '../cli/command.js';
import { CliError, EXIT_CODES } from '../cli/errors.js';
import { readBody } from '../cli/input.js';
import { maskCredentials } from '../cli/mask.js';
import { secretsFrom } from './secrets.js';

/** One answered (or failed) request of `trigger`. */
export interface TriggerResponse {
  readonly eventId: string | null;
  readonly copy: number;
  /** HTTP status, or 0 when no answer came (connection refused, timeout). */
  readonly status: number;
  readonly ms: number;
  /** The JSON the receiver answered with, or the network error. */
  readonly response: unknown;
}

const STALE_SECONDS = 3600;

function eventIdOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { data?: { id?: unknown } };
    return typeof parsed.data?.id === 'string' ? parsed.data.id : null;
  } catch {
    return null;
  }
}

async function post(url: string, body: string | Uint8Array, headers: Record<string, string>, timeoutMs: number) {
  const started = performance.now();
  try {
    const init = typeof body === 'string' ? body : new Uint8Array(body);
    const res = await fetch(url, { method: 'POST', headers, body: init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let response: unknown = text;
    try {
      response = JSON.parse(text);
    } catch {
      // Not JSON: keep the text (trimmed) for the human.
      response = text.slice(0, 200);
    }
    return { status: res.status, ms: performance.now() - started, response };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : maskCredentials(e.cause?.code ?? e.cause?.message ?? e.message); // fetch's message names the URL
    return { status: 0, ms: performance.now() - started, response: { error: why } };
  }
}

/**
 * `persona-webhooks trigger`: posts realistic signed sample events to a URL.
 *
 * @example
 * ```sh
 * persona-webhooks trigger inquiry.approved --url http://127.0.0.1:8787/webhooks/persona --secret wbhsec_… --duplicates 3
 * ```
 */
export const triggerCommand: CommandSpec = {
  name: 'trigger',
  summary: 'send realistic signed sample events to a webhook URL',
  usage: 'persona-webhooks trigger <event-name> --url URL --secret S [--count N] [--duplicates K] [--rotate] [--stale]',
  description: [
    "Builds a sample Persona event for any of the 250 event names (shaped like Persona's own example for the",
    'event at the chosen --api-version, with fresh ids and made-up personal data), signs it like Persona does',
    'and POSTs it; prints each answer with its status and time.',
    '--duplicates K sends each event K times at once (a receiver must process it once); --rotate signs with',
    'two secrets (a throwaway one first), as during a secret rotation; --stale signs with a timestamp an hour',
    'old (a receiver must reject it). --payload sends your own body instead. --list prints every event name.',
  ].join('\n'),
  positionals: 1,
  options: {
    url: { type: 'string', value: 'URL', description: 'Where to POST (e.g. http://127.0.0.1:8787/webhooks/persona).' },
    secret: {
      type: 'string',
      multiple: true,
      value: 'S',
      description: 'Secret to sign with (env PERSONA_WEBHOOK_SECRET).',
    },
    count: { type: 'string', value: 'N', description: 'Number of distinct events (default 1).' },
    duplicates: { type: 'string', value: 'K', description: 'Send each event K times concurrently (default 1).' },
    concurrency: { type: 'string', value: 'C', description: 'Events in flight at once (default 1).' },
    rotate: { type: 'boolean', description: 'Two signature sets: a throwaway secret first, then yours.' },
    inflection: { type: 'string', value: 'KIND', description: 'Key inflection: kebab (default), camel or snake.' },
    'api-version': {
      type: 'string',
      value: 'DATE',
      description: `Persona API version the sample follows: ${API_VERSIONS.join(' (default) or ')}.`,
    },
    stale: {
      type: 'boolean',
      description: `Sign with a timestamp ${STALE_SECONDS / 60} minutes old (to see the rejection).`,
    },
    payload: { type: 'string', value: 'FILE', description: 'Send this body (exact bytes) instead of a sample event.' },
    'payload-size': { type: 'string', value: 'BYTES', description: 'Pad sample events to about this size.' },
    timeout: { type: 'string', value: 'SECONDS', description: 'Per-request timeout (default 10).' },
    list: { type: 'boolean', description: 'Print the known event names and exit.' },
  },
  examples: [
    '$ persona-webhooks trigger inquiry.approved --url http://127.0.0.1:8787/webhooks/persona --secret wbhsec_…',
    '$ persona-webhooks trigger report/watchlist.matched --url $URL --count 20 --duplicates 3 --inflection snake',
    '$ persona-webhooks trigger inquiry.approved --url $URL --api-version 2023-01-05 --inflection camel',
    '$ persona-webhooks trigger inquiry.completed --url $URL --rotate',
    '$ persona-webhooks trigger inquiry.approved --url $URL --stale      # expect 401 timestamp_too_old',
    '$ persona-webhooks trigger any --url $URL --payload ./saved-delivery.json --json',
    '$ persona-webhooks trigger --list | grep ^inquiry',
  ],
  exitCodes: [
    [EXIT_CODES.ok, 'every request was answered 2xx'],
    [EXIT_CODES.failure, 'at least one request got a non-2xx answer or no answer'],
    [EXIT_CODES.usage, 'bad option or missing argument'],
    [EXIT_CODES.config, 'no secret given'],
    [EXIT_CODES.input, '--payload file unreadable'],
  ],
  async run({ values, positionals, out, env, cwd, stdin }) {
    if (flag(values, 'list')) {
      out.data({ names: EVENT_NAMES });
      for (const name of EVENT_NAMES) out.line(name);
      return EXIT_CODES.ok;
    }
    const name = positionals[0];
    if (name === undefined) {
      throw new CliError('usage', 'missing <event-name>, e.g. inquiry.approved (see: persona-webhooks trigger --list)');
    }
    const url = stringOption(values, 'url');
    if (url === undefined)
      throw new CliError('usage', 'missing --url: where to POST, e.g. http://127.0.0.1:8787/webhooks/persona');
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    } catch {
      throw new CliError('usage', `--url must be an absolute http:// or https:// URL (got "${url}")`);
    }
    const secrets = secretsFrom(values, env);
    const count = intOption(values, 'count', 1, { min: 1, max: 100_000 });
    const duplicates = intOption(values, 'duplicates', 1, { min: 1, max: 1000 });
    const concurrency = intOption(values, 'concurrency', 1, { min: 1, max: 1000 });
    const timeoutMs = intOption(values, 'timeout', 10, { min: 1, max: 600 }) * 1000;
    const payloadSize = stringOption(values, 'payload-size')
      ? intOption(values, 'payload-size', 0, { min: 100, max: 16 * 1024 * 1024 })
      : undefined;
    const inflection = (stringOption(values, 'inflection') ?? 'kebab') as KeyInflection;
    if (!['kebab', 'camel', 'snake'].includes(inflection)) {
      throw new CliError('usage', `--inflection must be kebab, camel or snake (got "${inflection}")`);
    }
    const apiVersion = stringOption(values, 'api-version') ?? API_VERSIONS[0];
    if (!isApiVersion(apiVersion)) {
      throw new CliError('usage', `--api-version must be ${API_VERSIONS.join(' or ')} (got "${apiVersion}")`);
    }
    const payloadFile = stringOption(values, 'payload');
    const payload = payloadFile === undefined ? null : await readBody(payloadFile, { cwd, stdin });
    if (payload === null && !isKnownEventName(name)) {
      out.note(out.yellow(`note: "${name}" is not a known Persona event name; sending a generic event (see --list)`));
    }
    const signWith = flag(values, 'rotate')
      ? secrets.length > 1
        ? secrets
        : [`wbhsec_old_${randomBytes(12).toString('hex')}`, ...secrets]
      : secrets;
    const staleBy = flag(values, 'stale') ? STALE_SECONDS : 0;

    const results: TriggerResponse[] = [];
    const total = count * duplicates;
    const bar = total >= 50 ? out.progress(total, 'sending') : null;
    const verbose = bar === null;
    let next = 0;
    const sendOne = async () => {
      const body =
        payload ??
        JSON.stringify(createSampleEvent(name, { inflection, apiVersion, ...(payloadSize ? { payloadSize } : {}) }));
      const delivery = await createSignedDelivery({
        body,
        secret: signWith,
        timestamp: Math.floor(Date.now() / 1000) - staleBy,
      });
      const eventId = eventIdOf(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
      const copies = await Promise.all(
        Array.from({ length: duplicates }, async (_, copy) => {
          const r = await post(url, delivery.body, { ...delivery.headers }, timeoutMs);
          const row: TriggerResponse = { eventId, copy: copy + 1, ...r };
          bar?.tick();
          if (verbose) printRow(row);
          return row;
        }),
      );
      results.push(...copies);
    };
    const printRow = (row: TriggerResponse) => {
      const status =
        row.status === 0
          ? out.red('ERR')
          : row.status < 300
            ? out.green(String(row.status))
            : out.red(String(row.status));
      const response = row.response as Record<string, unknown> | string;
      const what =
        typeof response === 'string'
          ? response
          : response.error !== undefined
            ? `${String(response.error)}${response.message ? `: ${String(response.message).slice(0, 160)}` : ''}`
            : response.duplicate === true
              ? 'duplicate'
              : response.received === true
                ? 'received'
                : JSON.stringify(response).slice(0, 120);
      out.line(
        `${status.padEnd(out.color ? 13 : 3)}  ${`${row.ms.toFixed(1)} ms`.padStart(9)}  ${row.eventId ?? '-'}${duplicates > 1 ? ` #${row.copy}` : ''}  ${what}`,
      );
    };
    await Promise.all(
      Array.from({ length: Math.min(concurrency, count) }, async () => {
        while (next < count) {
          next++;
          await sendOne();
        }
      }),
    );
    bar?.done();

    const ok = results.filter((r) => r.status >= 200 && r.status < 300).length;
    const refused = results.filter((r) => r.status === 0).length;
    const times = results.map((r) => r.ms).sort((a, b) => a - b);
    const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
    out.data({ url, name, sent: results.length, ok, failed: results.length - ok, responses: results });
    out.line(
      `${out.bold(`${results.length} sent`)}: ${out.green(`${ok} 2xx`)}, ${results.length - ok > 0 ? out.red(`${results.length - ok} other`) : '0 other'}; ` +
        `time p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms`,
    );
    if (refused === results.length) {
      out.note(`nothing answered at ${url}: is the receiver running? (persona-webhooks serve --dev)`);
    }
    return ok === results.length ? EXIT_CODES.ok : EXIT_CODES.failure;
  },
};
