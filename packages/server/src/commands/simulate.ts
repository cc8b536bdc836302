import { createPersonaSimulator, SIMULATOR_NOTICE } from 'persona-webhooks/testing';
import { type CommandSpec, intOption, type OptionValues, stringList, stringOption } from '../cli/command.js';
import { durationOption } from '../cli/duration.js';
import { CliError, EXIT_CODES } from '../cli/errors.js';
import { splitSecrets } from '../config.js';

function fraction(values: OptionValues, name: string, max: number): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!(Number.isFinite(n) && n >= 0 && n <= max))
    throw new CliError('usage', `--${name} must be a number from 0 to ${max} (got "${raw}")`);
  return n;
}

/**
 * `persona-webhooks simulate`: a Persona simulator for integration tests (Events API + webhook delivery).
 *
 * @example
 * ```sh
 * persona-webhooks simulate --port 8790 --events 500 --deliver-to http://127.0.0.1:8787/webhooks/persona --secret wbhsec_test --every 5s
 * ```
 */
export const simulateCommand: CommandSpec = {
  name: 'simulate',
  summary: 'run a Persona simulator (Events API and webhook delivery) for integration tests; not Persona',
  usage:
    'persona-webhooks simulate [--port N] [--api-key K] [--events N] [--deliver-to URL --secret S] [--every DURATION]',
  description: [
    'A simulator, not Persona: a local HTTP server that serves GET /api/v1/events and /events/{id} with',
    "Persona's paging, filters, bearer-key check, rate limit (429 + RateLimit-* headers) and error shapes,",
    'and delivers webhooks to --deliver-to as Persona does: Persona-Signature, the attempt headers, a 5 s',
    "timeout, 8 attempts on Persona's backoff (3 s … 117649 s, multiplied by --time-scale).",
    'Point PERSONA_API_URL and PERSONA_API_KEY at it. Tests in any language can drive it over HTTP:',
    'POST /_simulator/events {"name": "inquiry.approved", "count": 3}, PUT /_simulator/faults',
    '{"serverErrors": 5}, PUT /_simulator/delivery {"dropRate": 0.5}, GET /_simulator/state, GET /_simulator/deliveries.',
  ].join('\n'),
  options: {
    host: { type: 'string', value: 'HOST', description: 'Address to listen on (default 127.0.0.1).' },
    port: { type: 'string', value: 'PORT', description: 'Port (default 8790; 0 picks a free one).' },
    'api-key': {
      type: 'string',
      multiple: true,
      value: 'KEY',
      description: 'API key to accept (env PERSONA_API_KEY; default: one generated and printed).',
    },
    events: {
      type: 'string',
      value: 'N',
      description: 'Events to create at start, spread over the last day (default 0).',
    },
    'deliver-to': { type: 'string', value: 'URL', description: 'Add a webhook that delivers to this URL.' },
    secret: {
      type: 'string',
      multiple: true,
      value: 'S',
      description: 'That webhook’s secret (env PERSONA_WEBHOOK_SECRET; default generated and printed).',
    },
    every: { type: 'string', value: 'DURATION', description: 'Create (and deliver) a new event this often, e.g. 5s.' },
    name: {
      type: 'string',
      multiple: true,
      value: 'EVENT',
      description: 'Event names to create, in turn (default inquiry.approved).',
    },
    'rate-limit': { type: 'string', value: 'N', description: 'Requests per minute for all keys (default 300).' },
    'time-scale': {
      type: 'string',
      value: 'X',
      description: 'Multiply the rate window and the retry schedule, e.g. 0.001 (default 1).',
    },
    'duplicate-rate': { type: 'string', value: 'P', description: 'Chance 0-1 that a delivery is sent twice.' },
    'drop-rate': { type: 'string', value: 'P', description: 'Chance 0-1 that an event is never delivered.' },
    'out-of-order-ms': { type: 'string', value: 'MS', description: 'Delay first attempts by a random 0..MS.' },
  },
  examples: [
    '$ persona-webhooks simulate --events 1000',
    '$ persona-webhooks simulate --deliver-to http://127.0.0.1:8787/webhooks/persona --secret wbhsec_test --every 2s --duplicate-rate 0.1',
    '$ PERSONA_API_URL=http://127.0.0.1:8790/api/v1 PERSONA_API_KEY=persona_sandbox_… persona-webhooks reconcile --since 1d',
  ],
  exitCodes: [
    [EXIT_CODES.ok, 'stopped (SIGTERM/SIGINT)'],
    [EXIT_CODES.usage, 'bad option'],
    [EXIT_CODES.config, 'the port is in use'],
  ],
  async run({ values, out, env }) {
    const keys = stringList(values, 'api-key');
    if (keys.length === 0 && env.PERSONA_API_KEY) keys.push(env.PERSONA_API_KEY);
    const timeScale = fraction(values, 'time-scale', 1000) ?? 1;
    if (timeScale === 0) throw new CliError('usage', '--time-scale must be above 0');
    const deliverTo = stringOption(values, 'deliver-to');
    if (deliverTo !== undefined && !/^https?:\/\/[^\s]+$/.test(deliverTo))
      throw new CliError('usage', `--deliver-to must be an http(s) URL (got "${deliverTo.slice(0, 80)}")`);
    const every = stringOption(values, 'every');
    const everyMs = every === undefined ? undefined : durationOption(every, '--every', { min: 10 });
    const names = stringList(values, 'name');
    if (names.length === 0) names.push('inquiry.approved');
    const switches = {
      duplicateRate: fraction(values, 'duplicate-rate', 1),
      dropRate: fraction(values, 'drop-rate', 1),
      outOfOrderMs: fraction(values, 'out-of-order-ms', 3_600_000),
    };
    let sim: Awaited<ReturnType<typeof createPersonaSimulator>>;
    try {
      sim = await createPersonaSimulator({
        ...(keys.length > 0 ? { apiKeys: keys } : {}),
        rateLimit: intOption(values, 'rate-limit', 300, { min: 1, max: 1_000_000 }),
        timeScale,
        host: stringOption(values, 'host') ?? '127.0.0.1',
        port: intOption(values, 'port', 8790, { min: 0, max: 65535 }),
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'EADDRINUSE' || code === 'EACCES')
        throw new CliError('config', `cannot listen: ${code} (choose another --port)`);
      throw error;
    }
    sim.setDeliverySwitches(
      Object.fromEntries(Object.entries(switches).filter(([, v]) => v !== undefined)) as Record<string, number>,
    );
    const count = intOption(values, 'events', 0, { min: 0, max: 1_000_000 });
    if (count > 0) sim.generateEvents(count, { names });
    let webhookLine = '  webhooks   none (add one with --deliver-to URL)';
    if (deliverTo !== undefined) {
      const secret =
        stringList(values, 'secret')[0] ??
        (env.PERSONA_WEBHOOK_SECRET ? splitSecrets(env.PERSONA_WEBHOOK_SECRET)[0] : undefined);
      const webhook = sim.addWebhook({ url: deliverTo, ...(secret === undefined ? {} : { secret }) });
      webhookLine = `  webhook    ${webhook.id} → ${deliverTo}\n  secret     ${webhook.secrets[0]?.value}`;
    }
    const banner = [
      '',
      out.bold(SIMULATOR_NOTICE),
      `  events API ${sim.apiUrl}  (${sim.events().length} events)`,
      `  API key    ${sim.apiKey}`,
      webhookLine,
      `  control    ${sim.url}/_simulator/state`,
      `  time scale ${timeScale}${timeScale === 1 ? '' : ' (rate window and retry schedule scaled)'}`,
      '',
      `  PERSONA_API_URL=${sim.apiUrl} PERSONA_API_KEY=${sim.apiKey} persona-webhooks reconcile --since 1d`,
      '',
    ].join('\n');
    if (out.json)
      out.data({ simulator: true, apiUrl: sim.apiUrl, apiKey: sim.apiKey, controlUrl: `${sim.url}/_simulator` });
    else out.note(banner);
    let turn = 0;
    const timer =
      everyMs === undefined
        ? undefined
        : setInterval(() => {
            const event = sim.emit(names[turn++ % names.length] as string);
            out.note(`created ${event.data.id} ${event.data.attributes.name}`);
          }, everyMs);
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
    if (timer) clearInterval(timer);
    await sim.close();
    return EXIT_CODES.ok;
  },
};
