import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHandlers } from 'persona-webhooks';
import {
  type ApiWebhook,
  iterateWebhooks,
  PersonaApiError,
  type PersonaClient,
  retrieveWebhook,
} from 'persona-webhooks/api';
import { type CommandSpec, stringList, stringOption } from '../cli/command.js';
import { CliError, EXIT_CODES } from '../cli/errors.js';
import { isApiDown, personaClientFromEnv } from '../cli/persona-api.js';
import { splitSecrets } from '../config.js';
import {
  type Check,
  type DoctorExpectations,
  TYPED_API_VERSIONS,
  TYPED_KEY_INFLECTION,
  webhookChecks,
} from '../doctor/checks.js';
import { failedDeliveriesCheck } from '../doctor/deliveries.js';
import { type HandlersModule, loadHandlersModule } from '../service/handlers-module.js';

/** What the handlers module says about what it reads. */
async function handlersExpectations(
  path: string | null,
): Promise<
  Pick<DoctorExpectations, 'handled' | 'personalAttributes'> & { apiVersion?: string; keyInflection?: string }
> {
  if (path === null) return { handled: null, personalAttributes: null };
  const registry = createHandlers();
  try {
    await loadHandlersModule(path, registry);
  } catch (error) {
    // Here the module is an input of the command line, not of a running service: a usage error (exit 2).
    throw new CliError('usage', error instanceof Error ? error.message : String(error));
  }
  const mod = (await import(pathToFileURL(path).href)) as HandlersModule;
  const names = registry.eventNames();
  return {
    handled: names === null ? { names: [], all: true } : { names, all: false },
    personalAttributes: Array.isArray(mod.personalAttributes) ? mod.personalAttributes : null,
    ...(typeof mod.apiVersion === 'string' ? { apiVersion: mod.apiVersion } : {}),
    ...(typeof mod.keyInflection === 'string' ? { keyInflection: mod.keyInflection } : {}),
  };
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

type Found = { webhook: ApiWebhook } | { missing: Check };

async function findWebhook(client: PersonaClient, id: string | undefined, url: string | null): Promise<Found> {
  if (id !== undefined) {
    try {
      return { webhook: await retrieveWebhook(client, id) };
    } catch (error) {
      if (error instanceof PersonaApiError && error.code === 'api_not_found')
        return {
          missing: {
            id: 'webhook.found',
            status: 'fail',
            message: `no webhook ${id} in this environment: check the id and that PERSONA_API_KEY belongs to the webhook's environment (sandbox and production differ)`,
          },
        };
      throw error;
    }
  }
  const all: ApiWebhook[] = [];
  for await (const w of iterateWebhooks(client)) all.push(w);
  const listing = all.map((w) => `${w.id} → ${w.url} (${w.status})`).join('; ') || 'none';
  if (url === null) {
    if (all.length === 1) return { webhook: await retrieveWebhook(client, (all[0] as ApiWebhook).id) };
    throw new CliError(
      'usage',
      `pass --webhook wbh_… or --url URL to pick the webhook (this environment has: ${listing})`,
    );
  }
  const match = all.filter((w) => sameUrl(w.url, url));
  const chosen = match.find((w) => w.status === 'enabled') ?? match[0];
  if (chosen === undefined)
    return {
      missing: {
        id: 'webhook.found',
        status: 'fail',
        message: `no webhook posts to ${url}: create one (Dashboard → Webhooks) or fix its URL; this environment has: ${listing}`,
      },
    };
  return { webhook: await retrieveWebhook(client, chosen.id) };
}

function statusWord(
  status: Check['status'],
  out: { green(t: string): string; yellow(t: string): string; red(t: string): string },
) {
  const word = status.padEnd(4);
  return status === 'ok' ? out.green(word) : status === 'warn' ? out.yellow(word) : out.red(word);
}

/**
 * `persona-webhooks doctor`: checks a webhook's configuration on Persona's side against this service.
 *
 * @example
 * ```sh
 * PERSONA_API_KEY=persona_production_… persona-webhooks doctor --url https://app.example.com/webhooks/persona --handlers ./handlers.mjs
 * ```
 */
export const doctorCommand: CommandSpec = {
  name: 'doctor',
  summary: "check the webhook's configuration at Persona against this service (status, URL, events, version, secrets)",
  usage: 'persona-webhooks doctor [--webhook wbh_…] [--url URL] [--handlers FILE] [--secret S] [--json]',
  description: [
    "Reads the webhook through Persona's Webhooks API (PERSONA_API_KEY with webhook.read; PERSONA_API_URL to point",
    'elsewhere) and prints one line per check: a stable id, ok / warn / fail, and what to do. The webhook is the one',
    'given by --webhook, else the one whose URL is --url (or PERSONA_PUBLIC_URL), else the only one there is.',
    'Secrets (--secret, else PERSONA_WEBHOOK_SECRET) are compared in constant time and never printed.',
    'The handlers module may export apiVersion, keyInflection and personalAttributes to say what it reads.',
  ].join('\n'),
  options: {
    webhook: { type: 'string', value: 'WBH', description: 'The webhook id (wbh_…).' },
    url: {
      type: 'string',
      value: 'URL',
      description: 'The public URL this service answers on, path included (env PERSONA_PUBLIC_URL).',
    },
    handlers: {
      type: 'string',
      value: 'FILE',
      description: 'Handlers module to compare events with (env PERSONA_HANDLERS).',
    },
    secret: {
      type: 'string',
      multiple: true,
      value: 'S',
      description: 'Configured secret to compare (env PERSONA_WEBHOOK_SECRET).',
    },
    'api-version': {
      type: 'string',
      value: 'DATE',
      description: `API version the handlers read (default: the module's apiVersion, else ${TYPED_API_VERSIONS[0]}).`,
    },
  },
  examples: [
    '$ PERSONA_API_KEY=persona_production_… persona-webhooks doctor --url https://app.example.com/webhooks/persona',
    '$ persona-webhooks doctor --webhook wbh_ABC123 --handlers ./handlers.mjs --json',
  ],
  exitCodes: [
    [EXIT_CODES.ok, 'no check failed (warnings may remain)'],
    [EXIT_CODES.failure, 'a check failed'],
    [EXIT_CODES.usage, 'bad option, unloadable handlers module, or several webhooks and none picked'],
    [3, "Persona's API cannot be reached or refuses the key (or PERSONA_API_KEY is missing)"],
  ],
  async run({ values, out, env, cwd }) {
    const webhookId = stringOption(values, 'webhook');
    if (webhookId !== undefined && !/^wbh_[\w-]+$/.test(webhookId))
      throw new CliError(
        'usage',
        `--webhook must be a webhook id such as wbh_ABC123 (got "${webhookId.slice(0, 40)}")`,
      );
    const url = stringOption(values, 'url') ?? env.PERSONA_PUBLIC_URL ?? null;
    if (url !== null && !/^https?:\/\/[^/]/.test(url))
      throw new CliError(
        'usage',
        `--url must be an absolute http(s) URL with the path, e.g. https://app.example.com/webhooks/persona`,
      );
    const handlersPath = stringOption(values, 'handlers') ?? env.PERSONA_HANDLERS;
    const flags = stringList(values, 'secret');
    const secrets =
      flags.length > 0 ? flags : env.PERSONA_WEBHOOK_SECRET ? splitSecrets(env.PERSONA_WEBHOOK_SECRET) : [];
    const module = await handlersExpectations(handlersPath ? resolve(cwd, handlersPath) : null);
    const client = personaClientFromEnv(env, 'doctor', 'webhook.read', {
      maxRetries: 1,
      timeoutMs: 10_000,
      rateLimitShare: 0.2,
    });

    let checks: Check[];
    let id: string | null = webhookId ?? null;
    try {
      const found = await findWebhook(client, webhookId, url);
      if ('missing' in found) checks = [found.missing];
      else {
        id = found.webhook.id;
        const now = new Date();
        checks = webhookChecks(
          found.webhook,
          {
            url,
            handled: module.handled,
            personalAttributes: module.personalAttributes,
            apiVersion: stringOption(values, 'api-version') ?? module.apiVersion ?? (TYPED_API_VERSIONS[0] as string),
            keyInflection: module.keyInflection ?? TYPED_KEY_INFLECTION,
            secrets,
          },
          now,
        );
        checks.push(await failedDeliveriesCheck(client, found.webhook.id, now));
      }
    } catch (error) {
      if (isApiDown(error)) throw new CliError('config', `cannot check: ${error.message}`);
      if (error instanceof PersonaApiError && error.code === 'api_forbidden')
        checks = [
          {
            id: 'webhook.found',
            status: 'warn',
            message: `the key lacks webhook.read, so nothing could be checked: give the key webhook.read (Dashboard → API keys) [${error.message}]`,
          },
        ];
      else throw error;
    }

    if (out.json) out.data({ webhook: id, checks });
    else {
      const width = Math.max(...checks.map((c) => c.id.length)) + 2;
      for (const c of checks) out.line(`${statusWord(c.status, out)} ${c.id.padEnd(width)}${c.message}`);
      const count = (s: Check['status']) => checks.filter((c) => c.status === s).length;
      out.line();
      out.line(`${id ?? 'webhook'}: ${count('ok')} ok, ${count('warn')} warn, ${count('fail')} fail`);
    }
    return checks.some((c) => c.status === 'fail') ? EXIT_CODES.failure : EXIT_CODES.ok;
  },
};
