import { randomBytes } from 'node:crypto';
import { createHandlers, type PersonaEvent, signPayload } from 'persona-webhooks';
import { type ApiEvent, listEvents, MAX_PAGE_SIZE, type PersonaClient } from 'persona-webhooks/api';
import { type CommandSpec, stringList, stringOption } from '../cli/command.js';
import { durationOption } from '../cli/duration.js';
import { CliError, EXIT_CODES } from '../cli/errors.js';
import { maskCredentials } from '../cli/mask.js';
import type { Output } from '../cli/output.js';
import { splitSecrets } from '../config.js';
import { loadHandlersModule } from '../service/handlers-module.js';
import { apiClient, apiFailure, apiSettings } from '../service/persona-api.js';
import { shareOption } from './reconcile.js';

/** Ids already handed on, bounded: the Events API is newest first, so only the recent past needs them. */
const SEEN_LIMIT = 10_000;
/** Events whose `created-at` is this much older than the newest one seen are taken as already looked at. */
const LATE_GUARD_MS = 60_000;

/**
 * @internal Walks the newest pages until it meets events it has seen; returns the new ones, oldest first.
 * @example
 * ```ts
 * const poller = createPoller(client, null); await poller.prime(); const fresh = await poller.poll()
 * ```
 */
export function createPoller(client: PersonaClient, names: readonly string[] | null) {
  const seen = new Set<string>();
  let newest = 0;
  const remember = (id: string) => {
    seen.add(id);
    if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value as string);
  };
  const page = (after?: string) =>
    listEvents(client, {
      size: MAX_PAGE_SIZE,
      ...(after === undefined ? {} : { after }),
      ...(names === null ? {} : { names }),
    });
  return {
    /** Takes what exists now as seen: listen shows what happens from now on. */
    async prime(): Promise<void> {
      const first = await page();
      for (const e of first.events) remember(e.event.id);
      newest = first.events[0]?.event.createdAt.getTime() ?? Date.now() - LATE_GUARD_MS;
    },
    async poll(): Promise<ApiEvent[]> {
      const fresh: ApiEvent[] = [];
      let after: string | undefined;
      for (;;) {
        const p = await page(after);
        let done = p.nextCursor === null;
        for (const e of p.events) {
          if (e.event.createdAt.getTime() < newest - LATE_GUARD_MS) {
            done = true;
            break;
          }
          if (!seen.has(e.event.id)) fresh.push(e);
        }
        if (done || p.events.length === 0) break;
        after = p.nextCursor ?? undefined;
      }
      for (const e of fresh) {
        remember(e.event.id);
        newest = Math.max(newest, e.event.createdAt.getTime());
      }
      return fresh.reverse();
    },
  };
}

async function forward(url: string, item: ApiEvent, secret: string, timeoutMs: number) {
  const started = performance.now();
  const now = new Date();
  const signature = await signPayload({ body: item.body, secret, timestamp: now });
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'persona-signature': signature,
        // A first attempt, as Persona sends it; listen itself never retries.
        'persona-webhook-attempts-made': '1',
        'persona-webhook-attempts-left': '0',
        'persona-webhook-first-attempted-at': String(Math.floor(now.getTime() / 1000)),
        'user-agent': 'persona-webhooks-listen',
      },
      body: item.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.status, ms: performance.now() - started, error: null };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    // fetch's message names the URL, credentials and all: masked.
    const why =
      e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? maskCredentials(e.message));
    return { status: 0, ms: performance.now() - started, error: why };
  }
}

function line(out: Output, event: PersonaEvent, result: string): string {
  return `${out.dim(event.createdAt.toISOString())}  ${event.name.padEnd(32)}  ${event.id}  ${result}`;
}

/**
 * `persona-webhooks listen`: a development loop without a public URL. Polls the Events API and forwards each new
 * event, signed with a local secret, to a local URL (or runs a handlers module).
 *
 * @example
 * ```sh
 * PERSONA_API_KEY=persona_sandbox_… persona-webhooks listen --forward-to http://localhost:3000/webhooks/persona
 * ```
 */
export const listenCommand: CommandSpec = {
  name: 'listen',
  summary: 'poll the Events API and forward new events to a local URL (development, no public URL needed)',
  usage: 'persona-webhooks listen --forward-to URL [--secret S] | --handlers FILE [--interval 5s] [--names a,b]',
  description: [
    "listen POLLS Persona's Events API (GET /events) every --interval; it is not a webhook delivery.",
    "Each new event is printed and POSTed to --forward-to, signed in Persona's header format with a local",
    'secret (--secret or PERSONA_WEBHOOK_SECRET; generated and printed if neither), or run by --handlers.',
    'Differences from a real delivery: the payload has no `included` (the Events API does not return it);',
    "the signature uses your local secret, not the webhook's; an event arrives up to one interval late; a",
    'failed forward is printed, never retried. Cost: one request per interval (one per 100 new events more),',
    'within --rate-share of the 300 requests/minute your environment shares. Needs PERSONA_API_KEY (event.read).',
  ].join('\n'),
  options: {
    'forward-to': {
      type: 'string',
      value: 'URL',
      description: 'POST each new event here, e.g. http://localhost:3000/webhooks/persona.',
    },
    secret: {
      type: 'string',
      value: 'S',
      description: 'Local secret to sign forwarded events with (env PERSONA_WEBHOOK_SECRET).',
    },
    handlers: {
      type: 'string',
      value: 'FILE',
      description: 'Run this handlers module (as serve does) instead of, or as well as, forwarding.',
    },
    interval: { type: 'string', value: 'DURATION', description: 'How often to poll (default 5s, at least 1s).' },
    names: { type: 'string', multiple: true, value: 'NAMES', description: 'Only these event names (comma list).' },
    'rate-share': { type: 'string', value: 'F', description: 'Fraction of the rate limit to use (default 0.5).' },
    'forward-timeout': { type: 'string', value: 'DURATION', description: 'Forward request timeout (default 10s).' },
  },
  examples: [
    '$ PERSONA_API_KEY=persona_sandbox_… persona-webhooks listen --forward-to http://localhost:3000/webhooks/persona',
    '$ persona-webhooks listen --handlers ./handlers.mjs --names inquiry.approved,inquiry.declined',
  ],
  exitCodes: [
    [EXIT_CODES.ok, 'stopped (SIGINT/SIGTERM)'],
    [EXIT_CODES.usage, 'bad option, or neither --forward-to nor --handlers'],
    [EXIT_CODES.config, 'no PERSONA_API_KEY, key refused or lacking event.read, handlers module not loadable'],
  ],
  async run({ values, out, env, cwd }) {
    const forwardTo = stringOption(values, 'forward-to');
    const handlersPath = stringOption(values, 'handlers');
    if (forwardTo === undefined && handlersPath === undefined)
      throw new CliError('usage', 'say where events go: --forward-to URL and/or --handlers FILE');
    if (forwardTo !== undefined && !/^https?:\/\/\S+$/.test(forwardTo))
      throw new CliError('usage', `--forward-to must be an http(s) URL (got "${forwardTo.slice(0, 80)}")`);
    const intervalMs = durationOption(stringOption(values, 'interval') ?? '5s', '--interval', {
      min: 1000,
      max: 3_600_000,
    });
    const timeoutMs = durationOption(stringOption(values, 'forward-timeout') ?? '10s', '--forward-timeout', {
      min: 100,
      max: 300_000,
    });
    const names = stringList(values, 'names')
      .flatMap((n) => n.split(',').map((x) => x.trim()))
      .filter((n) => n !== '');
    const share = shareOption(values, 'rate-share', 0.5);
    const settings = apiSettings(env, 'listen');
    let generated = false;
    let secret = stringOption(values, 'secret') ?? splitSecrets(env.PERSONA_WEBHOOK_SECRET ?? '')[0];
    if (secret === undefined && forwardTo !== undefined) {
      secret = `wbhsec_listen_${randomBytes(18).toString('base64url')}`;
      generated = true;
    }
    const registry = createHandlers();
    if (handlersPath !== undefined) {
      const { resolve } = await import('node:path');
      await loadHandlersModule(resolve(cwd, handlersPath), registry);
    }
    const client = apiClient(settings, share);
    const poller = createPoller(client, names.length > 0 ? names : null);
    try {
      await poller.prime();
    } catch (error) {
      throw apiFailure(error, 'listen could not start');
    }
    const perMinute = Math.ceil(60_000 / intervalMs);
    out.note(
      [
        out.bold('persona-webhooks listen: polling, not a webhook delivery'),
        `  polls      ${maskCredentials(settings.apiUrl)}/events every ${intervalMs / 1000} s: ${perMinute} requests/minute (+1 per 100 new events), within ${Math.floor(300 * share)}/min of the 300/min your environment shares`,
        ...(forwardTo
          ? [
              `  forwards   to ${maskCredentials(forwardTo)}, signed with ${generated ? `${secret} (generated: verify with it)` : 'your --secret / PERSONA_WEBHOOK_SECRET'}`,
            ]
          : []),
        ...(handlersPath ? [`  handlers   ${handlersPath}`] : []),
        '  differs    no `included` in payloads; local secret; up to one interval late; a failed forward is not retried',
        '  ready: new events appear below (Ctrl-C stops)',
      ].join('\n'),
    );
    out.data({
      listening: true,
      forwardTo: forwardTo === undefined ? null : maskCredentials(forwardTo),
      secret: generated ? secret : undefined,
      intervalMs,
      requestsPerMinute: perMinute,
    });

    let stopping = false;
    const stopped = new Promise<void>((resolve) => {
      const stop = () => {
        stopping = true;
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    while (!stopping) {
      let fresh: ApiEvent[] = [];
      try {
        fresh = await poller.poll();
      } catch (error) {
        const failure = apiFailure(error, 'poll failed');
        if (failure instanceof CliError && failure.kind === 'config') throw failure;
        out.note(
          out.yellow(`${failure instanceof Error ? failure.message : String(failure)} (trying again next interval)`),
        );
      }
      for (const item of fresh) {
        const results: string[] = [];
        let ok = true;
        if (forwardTo !== undefined && secret !== undefined) {
          const r = await forward(forwardTo, item, secret, timeoutMs);
          ok = r.status >= 200 && r.status < 300;
          results.push(r.status === 0 ? `→ ${r.error}` : `→ ${r.status} (${Math.round(r.ms)} ms)`);
        }
        if (handlersPath !== undefined) {
          const d = await registry.dispatch(item.event, { attempt: 1 });
          ok &&= d.ok;
          results.push(
            d.ok
              ? 'handled'
              : `handler failed: ${d.failures.map((f) => `${f.handlerName}: ${f.description ?? 'failed'}`).join('; ')}`,
          );
        }
        out.data({
          id: item.event.id,
          name: item.event.name,
          createdAt: item.event.createdAt.toISOString(),
          ok,
          result: results.join(', '),
        });
        out.line(line(out, item.event, ok ? out.green(results.join(', ')) : out.red(results.join(', '))));
      }
      await Promise.race([new Promise((r) => setTimeout(r, intervalMs)), stopped]);
    }
    return EXIT_CODES.ok;
  },
};
