import { randomBytes } from 'node:crypto';
import type { CommandSpec, OptionSpec } from '../cli/command.js';
import { EXIT_CODES } from '../cli/errors.js';
import {
  DATABASE_SETTING_KEYS,
  describeDatabase,
  loadConfig,
  SETTINGS,
  type ServiceConfig,
  type Setting,
  settingHelp,
} from '../config.js';
import { generateDashboardToken } from '../dashboard/auth.js';
import { createLogger, describeError } from '../service/logger.js';
import { startService } from '../service/service.js';

function optionOf(setting: Setting): OptionSpec {
  if (setting.type === 'switch') return { type: 'boolean', description: settingHelp(setting) };
  return {
    type: 'string',
    value: setting.value,
    description: settingHelp(setting),
    ...(setting.type === 'secrets' ? { multiple: true } : {}),
  };
}

/** The options of `serve`, one per row of the settings table, plus `--no-<flag>` for a switch that is on by default. */
const SETTING_OPTIONS: Readonly<Record<string, OptionSpec>> = Object.fromEntries(
  SETTINGS.flatMap((setting) => [
    [setting.flag, optionOf(setting)] as const,
    ...(setting.type === 'switch' && setting.default === 'on'
      ? [[`no-${setting.flag}`, { type: 'boolean', description: `Turn --${setting.flag} off.` }] as const]
      : []),
  ]),
);

/** Options shared by commands that read the service configuration (serve, events, migrate). */
export const DATABASE_OPTIONS: Readonly<Record<string, OptionSpec>> = Object.fromEntries(
  SETTINGS.filter((s) => DATABASE_SETTING_KEYS.includes(s.key)).map((setting) => [setting.flag, optionOf(setting)]),
);

/**
 * `persona-webhooks serve`: the ready webhook receiver.
 *
 * @example
 * ```sh
 * PERSONA_WEBHOOK_SECRET=wbhsec_… persona-webhooks serve --handlers ./handlers.mjs
 * ```
 */
export const serveCommand: CommandSpec = {
  name: 'serve',
  summary: 'run the webhook receiver (verify, dedupe, store, then run handlers or forward)',
  usage: 'persona-webhooks serve [--secret S] [--database-url URL] [--handlers FILE] [--forward-to URL] [--dev]',
  description: [
    'Receives Persona webhooks at POST <path>, verifies them, stores each event once and answers within',
    'milliseconds; a worker then runs your handlers module and/or forwards each event to an internal URL,',
    'with retries, backoff and dead letters. Also serves GET /healthz, /readyz and /metrics (Prometheus).',
    'Settings come from flags, then environment variables, then the JSON config file (--config).',
    'SIGTERM/SIGINT stop it gracefully: no new connections, in-flight work finished or released, exit 0.',
    "Secrets: --secret, plus --secrets-file (re-read on SIGHUP), plus with --webhook-id the webhook's active secrets",
    "read from Persona's API (at start, every --secrets-refresh, and after a signature mismatch); all of them count.",
  ].join('\n'),
  options: {
    ...SETTING_OPTIONS,
    dev: {
      type: 'boolean',
      description: 'Local testing: generate a secret if none is set and print a trigger command.',
    },
  },
  examples: [
    '$ persona-webhooks serve --dev',
    '$ persona-webhooks serve --dev --dashboard --dashboard-actions',
    '$ PERSONA_WEBHOOK_SECRET=wbhsec_… persona-webhooks serve --handlers ./handlers.mjs',
    '$ PERSONA_API_KEY=persona_production_… persona-webhooks serve --webhook-id wbh_ABC123 --handlers ./handlers.mjs',
    '$ DATABASE_URL=postgres://app@db:5432/app PERSONA_WEBHOOK_SECRET=wbhsec_… persona-webhooks serve --role web --port 8080',
    '$ DATABASE_URL=postgres://app@db:5432/app persona-webhooks serve --role worker --forward-to http://app:3000/persona --forward-secret fwdsec_…',
  ],
  exitCodes: [
    [EXIT_CODES.ok, 'stopped gracefully (SIGTERM/SIGINT)'],
    [EXIT_CODES.failure, 'stopped on an unexpected error'],
    [EXIT_CODES.usage, 'bad option'],
    [EXIT_CODES.config, 'invalid configuration: no secret, bad value, handlers module not loadable, port in use'],
    [EXIT_CODES.database, 'the database is unreachable or cannot be migrated'],
  ],
  async run({ values, out, env, cwd }) {
    let config: ServiceConfig = loadConfig({ flags: values as never, env, cwd });
    let generated: string | null = null;
    if (config.dev && config.secrets.length === 0) {
      generated = `wbhsec_dev_${randomBytes(18).toString('base64url')}`;
      config = { ...config, secrets: [generated] };
    }
    let dashboardToken: string | null = null;
    if (config.dashboard !== null && config.dashboard.auth === null) {
      dashboardToken = generateDashboardToken();
      config = { ...config, dashboard: { ...config.dashboard, auth: { token: dashboardToken } } };
    }
    const logger = createLogger(config.logLevel);
    // A bug must not leave a half-working receiver behind: log one line and exit, the supervisor restarts it.
    const fatal = (kind: string) => (error: unknown) => {
      logger.fatal({ error: describeError(error) }, kind);
      process.exit(EXIT_CODES.failure);
    };
    process.on('uncaughtException', fatal('uncaught exception'));
    process.on('unhandledRejection', fatal('unhandled rejection'));
    const service = await startService(config, { logger, env });
    // SIGHUP re-reads the secrets file; the listening socket and open connections are untouched.
    process.on('SIGHUP', () => void service.reloadSecrets());
    if (config.dev) {
      const url = service.webhookUrl;
      // A secret this run generated is printed; a configured one (perhaps a real one) never is.
      const secret = generated ?? '"$PERSONA_WEBHOOK_SECRET"';
      out.note(
        [
          '',
          out.bold('persona-webhooks serve (dev mode)'),
          `  receiving  POST ${url}`,
          `  database   ${describeDatabase(config.database)}`,
          `  secret     ${generated ? `${secret}${out.dim('  (generated for this run: pass --secret to keep one)')}` : 'the configured one (not printed)'}`,
          `  health     ${service.origin}/healthz  ${service.origin}/readyz  ${service.origin}/metrics`,
          '',
          'Send a test event from another terminal:',
          `  npx persona-webhooks trigger inquiry.approved --url ${url} --secret ${secret}`,
          'List what was stored:',
          `  npx persona-webhooks events list${config.database.kind === 'sqlite' ? ` --database-url sqlite:${config.database.file}` : ''}`,
          '',
        ].join('\n'),
      );
    }
    if (service.dashboardOrigin !== null) {
      out.note(
        [
          `${out.bold('dashboard')}  ${service.dashboardOrigin}/  (${config.dashboard?.actions ? 'actions enabled' : 'read-only'})`,
          ...(dashboardToken ? [`  token      ${dashboardToken}${out.dim('  (generated for this run)')}`] : []),
          '',
        ].join('\n'),
      );
    }
    await new Promise<void>((resolve) => {
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        signals++;
        if (signals > 1) {
          logger.warn({ signal }, 'second signal: exiting now');
          process.exit(130);
        }
        void service.stop(signal).then(({ stillRunning }) => {
          // A handler that ignores its signal would keep this process alive past the deadline: exit now.
          // Its event was never released, so its lease expires and another worker retries it, never twice at once.
          if (stillRunning.length > 0) process.exit(EXIT_CODES.ok);
          resolve();
        });
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
    return EXIT_CODES.ok;
  },
};
