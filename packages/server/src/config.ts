// Configuration of the service and the CLI: flags > environment variables > JSON config file > defaults.
// Every problem becomes one line that names the setting and where its value came from.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  createKeyring,
  DEFAULT_BACKOFF,
  DEFAULT_TOLERANCE_SECONDS,
  type EncryptionKey,
  PersonaWebhookError,
  PROCESSING_DEFAULTS,
  parseKeyringText,
  RETENTION_DEFAULTS,
} from 'persona-webhooks';
import { DEFAULT_RECONCILE_MARGIN_MS } from 'persona-webhooks/api';
import { migrationSql } from 'persona-webhooks/postgres';
import { CliError, firstLine } from './cli/errors.js';
import { describeJsonError, maskCredentials } from './cli/mask.js';

/** Where the events are stored. */
export type DatabaseConfig =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };

/** Which parts a `serve` process runs. */
export type ServiceRole = 'web' | 'worker' | 'all';

/** The validated configuration of `serve` (and the database part of `events` and `migrate`). */
export interface ServiceConfig {
  /** Webhook secrets, several while rotating. Empty only for commands that do not verify. */
  readonly secrets: readonly string[];
  /** `--webhook-id`: also accept the webhook's active secrets read from Persona (needs PERSONA_API_KEY with webhook.read). */
  readonly webhookId: string | null;
  /** `--secrets-file`: also accept the secrets in this file, re-read on SIGHUP. */
  readonly secretsFile: string | null;
  /** How often the secrets are re-read from Persona, in ms (default 5 min). */
  readonly secretsRefreshMs: number;
  readonly database: DatabaseConfig;
  readonly host: string;
  readonly port: number;
  /** The path Persona posts to. */
  readonly path: string;
  readonly role: ServiceRole;
  /** Absolute path of the handlers module, or null. */
  readonly handlers: string | null;
  readonly forwardTo: string | null;
  readonly forwardSecrets: readonly string[];
  readonly forwardTimeoutMs: number;
  /** Largest accepted request body in bytes. */
  readonly bodyLimit: number;
  /** Longest a request may take to arrive, headers and body, in ms; a stalled or trickling sender is cut off. */
  readonly requestTimeoutMs: number;
  /** Concurrent connections accepted; more are closed at once. */
  readonly maxConnections: number;
  readonly toleranceSeconds: number;
  /** Handlers run concurrently by the worker. */
  readonly concurrency: number;
  /** Attempts before an event goes to dead letters. */
  readonly maxAttempts: number;
  readonly shutdownTimeoutMs: number;
  /** First retry delay of the worker's exponential backoff, in ms (doubles each attempt, capped at 1 h). */
  readonly retryBaseMs: number;
  /** How often an idle worker looks for due events, in ms. */
  readonly pollIntervalMs: number;
  /** Days a finished event's dedupe record (id, name, times, status) is kept (default 90, at least 3). */
  readonly recordRetentionDays: number;
  /** Days a finished event's payload is kept (default 30; 0 clears it once finished; at most the record retention). */
  readonly payloadRetentionDays: number;
  /** How often a worker process prunes by retention, in ms (default 1 h). */
  readonly pruneIntervalMs: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** SQLite runs in a worker thread so its commits and fsyncs do not stall HTTP. Default on. */
  readonly sqliteThread: boolean;
  /** `--reconcile-every`: how often a worker process reconciles from Persona's Events API, in ms; null = never. */
  readonly reconcileEveryMs: number | null;
  /** Fraction of the environment's rate limit reconcile may use (default 0.5). */
  readonly reconcileShare: number;
  /** Keys that encrypt stored payloads, oldest first (the last one encrypts new writes); empty: stored in clear. */
  readonly encryptionKeys: readonly EncryptionKey[];
  /** Apply `*.redacted` events: tombstones and the scrub cascade (default on). */
  readonly redaction: boolean;
  /** `--dev`: a generated secret is allowed. */
  readonly dev: boolean;
  /** `--dashboard`: the operator dashboard on its own port; null when off. */
  readonly dashboard: DashboardConfig | null;
}

/** The dashboard's listener and sign-in. */
export interface DashboardConfig {
  readonly host: string;
  readonly port: number;
  /** null only in `--dev`, where `serve` generates a token and prints it. */
  readonly auth: { readonly token: string } | { readonly username: string; readonly password: string } | null;
  /** Replay allowed (`--dashboard-actions`); read-only otherwise. */
  readonly actions: boolean;
}

/** Settings as strings, exactly as given by flags (already parsed by the command). */
export type ConfigFlags = Readonly<Record<string, string | readonly string[] | boolean | undefined>>;

export interface LoadConfigOptions {
  readonly flags?: ConfigFlags;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Default SQLite file when nothing names a database. */
  readonly defaultSqliteFile?: string;
}

const DAY_MS = 86_400_000;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** How a setting's text is read. */
export type SettingType =
  | 'secrets'
  | 'database'
  | 'schema'
  | 'text'
  | 'path'
  | 'file'
  | 'url'
  | 'integer'
  | 'duration'
  | 'size'
  | 'choice'
  | 'switch';

/**
 * One `serve` setting, declared once: this row drives the argument parser, the validation, `--help` and the
 * table in docs/server.md (a test checks that the page matches).
 */
export interface Setting {
  /** Where the value lands in {@link ServiceConfig} (`config` is the config file itself). */
  readonly key:
    | keyof ServiceConfig
    | 'config'
    | 'dbSchema'
    | 'dashboardHost'
    | 'dashboardPort'
    | 'dashboardToken'
    | 'dashboardUser'
    | 'dashboardPassword'
    | 'dashboardActions';
  /** What the setting is, in the words of an error message (`invalid <name>: …`). */
  readonly name: string;
  readonly flag: string;
  readonly env: string;
  /** Key in the JSON config file; empty for the config file setting itself. */
  readonly file: string;
  readonly type: SettingType;
  /** Placeholder in `--help`. */
  readonly value: string;
  /** The default as text, in the setting's own syntax; empty when there is none. */
  readonly default: string;
  /** Bounds, in the setting's unit (milliseconds for durations, bytes for sizes). */
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
  readonly description: string;
  /** Why the bounds are what they are, added to an out-of-bounds error. */
  readonly hint?: string;
}

const seconds = (n: number) => `${n}s`;

/** Every setting of `serve`, in `--help` order. */
export const SETTINGS: readonly Setting[] = [
  {
    key: 'secrets',
    name: 'secret',
    flag: 'secret',
    env: 'PERSONA_WEBHOOK_SECRET',
    file: 'secret',
    type: 'secrets',
    value: 'S',
    default: '',
    description: 'Webhook secret; several (repeat the flag, or comma-separated) while rotating. Required unless --dev.',
  },
  {
    key: 'webhookId',
    name: 'webhook id',
    flag: 'webhook-id',
    env: 'PERSONA_WEBHOOK_ID',
    file: 'webhookId',
    type: 'text',
    value: 'WBH',
    default: '',
    description:
      "Also accept the webhook's active secrets read from Persona and refreshed (needs PERSONA_API_KEY with webhook.read).",
  },
  {
    key: 'secretsFile',
    name: 'secrets file',
    flag: 'secrets-file',
    env: 'PERSONA_WEBHOOK_SECRETS_FILE',
    file: 'secretsFile',
    type: 'file',
    value: 'FILE',
    default: '',
    description: 'Also accept the secrets in FILE (one a line), re-read on SIGHUP.',
  },
  {
    key: 'secretsRefreshMs',
    name: '--webhook-id refresh interval',
    flag: 'secrets-refresh',
    env: 'PERSONA_SECRETS_REFRESH',
    file: 'secretsRefresh',
    type: 'duration',
    value: 'DURATION',
    default: '5m',
    min: 1000,
    max: DAY_MS,
    description: 'How often --webhook-id re-reads the secrets (also at once after a mismatch, at most every 30 s).',
  },
  {
    key: 'database',
    name: 'database URL',
    flag: 'database-url',
    env: 'DATABASE_URL',
    file: 'databaseUrl',
    type: 'database',
    value: 'URL',
    default: 'sqlite:./.data/persona-webhooks.db',
    description: 'postgres://user@host:5432/db, or sqlite:./file.db (or a file path).',
  },
  {
    key: 'dbSchema',
    name: 'PostgreSQL schema',
    flag: 'db-schema',
    env: 'PERSONA_DB_SCHEMA',
    file: 'dbSchema',
    type: 'schema',
    value: 'NAME',
    default: 'public',
    description:
      'PostgreSQL schema: a plain identifier of at most 48 characters (the store derives longer names from it).',
  },
  {
    key: 'config',
    name: 'config file',
    flag: 'config',
    env: 'PERSONA_CONFIG',
    file: '',
    type: 'file',
    value: 'FILE',
    default: '',
    description: 'JSON config file of these settings; flags and environment variables win over it.',
  },
  {
    key: 'host',
    name: 'host',
    flag: 'host',
    env: 'HOST',
    file: 'host',
    type: 'text',
    value: 'HOST',
    default: '127.0.0.1',
    description: 'Address to listen on.',
  },
  {
    key: 'port',
    name: 'port',
    flag: 'port',
    env: 'PORT',
    file: 'port',
    type: 'integer',
    value: 'PORT',
    default: '8787',
    min: 0,
    max: 65535,
    description: 'Port to listen on; 0 picks a free one.',
  },
  {
    key: 'path',
    name: 'path',
    flag: 'path',
    env: 'PERSONA_WEBHOOK_PATH',
    file: 'path',
    type: 'path',
    value: 'PATH',
    default: '/webhooks/persona',
    description: 'The path Persona posts to.',
  },
  {
    key: 'role',
    name: 'role',
    flag: 'role',
    env: 'PERSONA_ROLE',
    file: 'role',
    type: 'choice',
    value: 'ROLE',
    default: 'all',
    choices: ['web', 'worker', 'all'],
    description: 'web receives only, worker processes only, all does both.',
  },
  {
    key: 'handlers',
    name: 'handlers module',
    flag: 'handlers',
    env: 'PERSONA_HANDLERS',
    file: 'handlers',
    type: 'file',
    value: 'FILE',
    default: '',
    description: 'ES module (.mjs/.js) exporting the handlers.',
  },
  {
    key: 'forwardTo',
    name: 'forward URL',
    flag: 'forward-to',
    env: 'PERSONA_FORWARD_TO',
    file: 'forwardTo',
    type: 'url',
    value: 'URL',
    default: '',
    description: 'POST each event, re-signed, to this http(s) URL.',
  },
  {
    key: 'forwardSecrets',
    name: 'forward secret',
    flag: 'forward-secret',
    env: 'PERSONA_FORWARD_SECRET',
    file: 'forwardSecret',
    type: 'secrets',
    value: 'S',
    default: '',
    description: 'Secret to re-sign forwarded events with; required with a forward URL.',
  },
  {
    key: 'forwardTimeoutMs',
    name: 'forward timeout',
    flag: 'forward-timeout',
    env: 'PERSONA_FORWARD_TIMEOUT',
    file: 'forwardTimeout',
    type: 'duration',
    value: 'DURATION',
    default: '10s',
    min: 1000,
    max: 300_000,
    description: 'Time a forwarded request may take before the attempt fails.',
  },
  {
    key: 'bodyLimit',
    name: 'body limit',
    flag: 'body-limit',
    env: 'PERSONA_BODY_LIMIT',
    file: 'bodyLimit',
    type: 'size',
    value: 'SIZE',
    default: '1mb',
    min: 1024,
    max: 64 * 1024 * 1024,
    description: 'Largest request body: bytes, or with kb / mb.',
  },
  {
    key: 'toleranceSeconds',
    name: 'tolerance',
    flag: 'tolerance',
    env: 'PERSONA_TOLERANCE',
    file: 'tolerance',
    type: 'duration',
    value: 'DURATION',
    default: seconds(DEFAULT_TOLERANCE_SECONDS),
    min: 1000,
    max: 7 * DAY_MS,
    description: 'Oldest accepted signature timestamp (the replay window).',
  },
  {
    key: 'concurrency',
    name: 'concurrency',
    flag: 'concurrency',
    env: 'PERSONA_CONCURRENCY',
    file: 'concurrency',
    type: 'integer',
    value: 'N',
    default: String(PROCESSING_DEFAULTS.concurrency),
    min: 1,
    max: 256,
    description: 'Events the worker processes at once.',
  },
  {
    key: 'maxAttempts',
    name: 'max attempts',
    flag: 'max-attempts',
    env: 'PERSONA_MAX_ATTEMPTS',
    file: 'maxAttempts',
    type: 'integer',
    value: 'N',
    default: String(PROCESSING_DEFAULTS.maxAttempts),
    min: 1,
    max: 100,
    description: 'Attempts before an event goes to the dead letters.',
  },
  {
    key: 'retryBaseMs',
    name: 'retry base',
    flag: 'retry-base',
    env: 'PERSONA_RETRY_BASE',
    file: 'retryBase',
    type: 'duration',
    value: 'DURATION',
    default: seconds(DEFAULT_BACKOFF.baseMs / 1000),
    min: 10,
    max: 3_600_000,
    description: 'First retry delay; doubles each attempt (up to 20 % shorter at random), at most 1 h.',
  },
  {
    key: 'pollIntervalMs',
    name: 'poll interval',
    flag: 'poll-interval',
    env: 'PERSONA_POLL_INTERVAL',
    file: 'pollInterval',
    type: 'duration',
    value: 'DURATION',
    default: seconds(PROCESSING_DEFAULTS.pollIntervalMs / 1000),
    min: 10,
    max: 60_000,
    description: 'How often an idle worker looks for due events.',
  },
  {
    key: 'shutdownTimeoutMs',
    name: 'shutdown timeout',
    flag: 'shutdown-timeout',
    env: 'PERSONA_SHUTDOWN_TIMEOUT',
    file: 'shutdownTimeout',
    type: 'duration',
    value: 'DURATION',
    default: seconds(PROCESSING_DEFAULTS.stopDeadlineMs / 1000),
    min: 1000,
    max: 600_000,
    description: 'Graceful stop: time in-flight handlers get before they are aborted and released.',
  },
  {
    key: 'requestTimeoutMs',
    name: 'request timeout',
    flag: 'request-timeout',
    env: 'PERSONA_REQUEST_TIMEOUT',
    file: 'requestTimeout',
    type: 'duration',
    value: 'DURATION',
    default: '10s',
    min: 1000,
    max: 300_000,
    description: 'Longest a request may take to arrive, headers and body: stalled or trickling senders are cut off.',
  },
  {
    key: 'maxConnections',
    name: 'max connections',
    flag: 'max-connections',
    env: 'PERSONA_MAX_CONNECTIONS',
    file: 'maxConnections',
    type: 'integer',
    value: 'N',
    default: '1024',
    min: 16,
    max: 100_000,
    description: 'Concurrent connections accepted; more are closed at once.',
  },
  {
    key: 'redaction',
    name: 'redaction switch',
    flag: 'redaction',
    env: 'PERSONA_REDACTION',
    file: 'redaction',
    type: 'switch',
    value: '',
    default: 'on',
    description: 'Apply *.redacted events: scrub stored events about the object and what links to it, tombstone it.',
  },
  {
    key: 'recordRetentionDays',
    name: 'record retention',
    flag: 'record-retention',
    env: 'PERSONA_RECORD_RETENTION',
    file: 'recordRetention',
    type: 'duration',
    value: 'DURATION',
    default: `${RETENTION_DEFAULTS.recordDays}d`,
    min: RETENTION_DEFAULTS.minRecordDays * DAY_MS,
    max: 36_500 * DAY_MS,
    hint: 'Persona retries for ~51 h and a record pruned sooner lets a late retry run again',
    description:
      "Keep finished events' dedupe records this long: beyond Persona's ~51 h of retries (with --reconcile-every, its reach: 4 days and the interval).",
  },
  {
    key: 'payloadRetentionDays',
    name: 'payload retention',
    flag: 'payload-retention',
    env: 'PERSONA_PAYLOAD_RETENTION',
    file: 'payloadRetention',
    type: 'duration',
    value: 'DURATION',
    default: `${RETENTION_DEFAULTS.payloadDays}d`,
    min: 0,
    max: 36_500 * DAY_MS,
    description: "Clear finished events' payloads after this long (0 = once finished); at most the record retention.",
  },
  {
    key: 'pruneIntervalMs',
    name: 'prune interval',
    flag: 'prune-interval',
    env: 'PERSONA_PRUNE_INTERVAL',
    file: 'pruneInterval',
    type: 'duration',
    value: 'DURATION',
    default: '1h',
    min: 1000,
    max: 7 * DAY_MS,
    description: 'How often a worker process prunes by retention.',
  },
  {
    key: 'logLevel',
    name: 'log level',
    flag: 'log-level',
    env: 'LOG_LEVEL',
    file: 'logLevel',
    type: 'choice',
    value: 'LEVEL',
    default: 'info',
    choices: LOG_LEVELS,
    description: 'Log level of the JSON logs on stdout.',
  },
  {
    key: 'sqliteThread',
    name: 'SQLite thread switch',
    flag: 'sqlite-thread',
    env: 'PERSONA_SQLITE_THREAD',
    file: 'sqliteThread',
    type: 'switch',
    value: '',
    default: 'on',
    description:
      'Run SQLite in its own thread, so that commits and fsyncs never stall HTTP; off runs it on the main thread.',
  },
  {
    key: 'dashboard',
    name: 'dashboard switch',
    flag: 'dashboard',
    env: 'PERSONA_DASHBOARD',
    file: 'dashboard',
    type: 'switch',
    value: '',
    default: 'off',
    description: 'Serve the operator dashboard on its own port (docs/dashboard.md).',
  },
  {
    key: 'dashboardHost',
    name: 'dashboard host',
    flag: 'dashboard-host',
    env: 'PERSONA_DASHBOARD_HOST',
    file: 'dashboardHost',
    type: 'text',
    value: 'HOST',
    default: '127.0.0.1',
    description: 'Address the dashboard listens on; beyond loopback, put it behind TLS.',
  },
  {
    key: 'dashboardPort',
    name: 'dashboard port',
    flag: 'dashboard-port',
    env: 'PERSONA_DASHBOARD_PORT',
    file: 'dashboardPort',
    type: 'integer',
    value: 'PORT',
    default: '8788',
    min: 0,
    max: 65535,
    description: 'Dashboard port (0 picks a free one).',
  },
  {
    key: 'dashboardToken',
    name: 'dashboard token',
    flag: 'dashboard-token',
    env: 'PERSONA_DASHBOARD_TOKEN',
    file: 'dashboardToken',
    type: 'text',
    value: 'TOKEN',
    default: '',
    description: 'Dashboard sign-in token, at least 16 characters (prefer the environment: a flag shows in ps).',
  },
  {
    key: 'dashboardUser',
    name: 'dashboard user',
    flag: 'dashboard-user',
    env: 'PERSONA_DASHBOARD_USER',
    file: 'dashboardUser',
    type: 'text',
    value: 'NAME',
    default: '',
    description: 'Basic-auth user name, instead of a token.',
  },
  {
    key: 'dashboardPassword',
    name: 'dashboard password',
    flag: 'dashboard-password',
    env: 'PERSONA_DASHBOARD_PASSWORD',
    file: 'dashboardPassword',
    type: 'text',
    value: 'PASSWORD',
    default: '',
    description: 'Basic-auth password, at least 12 characters (prefer the environment).',
  },
  {
    key: 'dashboardActions',
    name: 'dashboard actions switch',
    flag: 'dashboard-actions',
    env: 'PERSONA_DASHBOARD_ACTIONS',
    file: 'dashboardActions',
    type: 'switch',
    value: '',
    default: 'off',
    description: 'Allow replay from the dashboard; read-only otherwise.',
  },
  {
    key: 'reconcileEveryMs',
    name: 'reconcile interval',
    flag: 'reconcile-every',
    env: 'PERSONA_RECONCILE_EVERY',
    file: 'reconcileEvery',
    type: 'duration',
    value: 'DURATION',
    default: '0',
    min: 0,
    max: 7 * DAY_MS,
    description:
      "Reconcile from Persona's Events API this often, e.g. 15m (0 = never; needs PERSONA_API_KEY): see never-miss-an-event.md.",
  },
  {
    key: 'reconcileShare',
    name: 'reconcile rate share',
    flag: 'reconcile-share',
    env: 'PERSONA_RECONCILE_SHARE',
    file: 'reconcileShare',
    type: 'text',
    value: 'F',
    default: '0.5',
    description: 'Fraction of the 300 requests/minute rate limit reconcile may use, above 0 and at most 1.',
  },
];

/** The settings `events` and `migrate` take: where the database is. */
export const DATABASE_SETTING_KEYS: readonly Setting['key'][] = ['database', 'dbSchema', 'config'];

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS };

/**
 * Parses a duration with its unit spelled: `500ms`, `30s`, `5m`, `1h`, `90d` (or `0`). Returns milliseconds, or
 * null for anything else (a bare number is refused: `--poll-interval 50` would be ambiguous).
 *
 * @example
 * ```ts
 * parseDuration('1.5s') // 1500
 * ```
 */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/i.exec(trimmed);
  if (!m) return null;
  return Math.round(Number(m[1]) * (UNITS[(m[2] as string).toLowerCase()] as number));
}

/** Writes milliseconds back in the largest unit that divides them: `90000` → `90s`, `86400000` → `1d`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, size] of [
    ['d', DAY_MS],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function boundsText(setting: Setting): string {
  const show = (n: number) =>
    setting.type === 'duration' ? formatDuration(n) : setting.type === 'size' ? formatSize(n) : String(n);
  if (setting.choices) return setting.choices.join(', ');
  if (setting.min === undefined || setting.max === undefined) return '';
  return `${show(setting.min)} to ${show(setting.max)}`;
}

function formatSize(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)}mb`;
  if (bytes % 1024 === 0) return `${bytes / 1024}kb`;
  return `${bytes}`;
}

/**
 * The `--help` line of a setting: its description, bounds, environment variable and default.
 *
 * @example
 * ```ts
 * settingHelp(SETTINGS[0])
 * ```
 */
export function settingHelp(setting: Setting): string {
  const bounds = boundsText(setting);
  const parts = [
    setting.description,
    `(env ${setting.env}${setting.default ? `; default ${setting.default}` : ''}${bounds ? `; ${bounds}` : ''})`,
  ];
  return parts.join(' ');
}

/**
 * The configuration table of docs/server.md, as Markdown rows (a test compares the page with it).
 *
 * @example
 * ```ts
 * console.log(settingsTable())
 * ```
 */
export function settingsTable(): string {
  const rows = [
    ['flag', 'environment', 'config file key', 'type', 'default', 'bounds', 'description'],
    ['---', '---', '---', '---', '---', '---', '---'],
  ];
  for (const s of SETTINGS) {
    rows.push([
      `\`--${s.flag}${s.value ? ` ${s.value}` : ''}\``,
      `\`${s.env}\``,
      s.file ? `\`${s.file}\`` : '—',
      s.type,
      s.default ? `\`${s.default}\`` : '—',
      (boundsText(s) || '—').replace(/\|/g, '\\|'),
      s.description.replace(/\|/g, '\\|'),
    ]);
  }
  return rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
}

interface Raw {
  readonly value: string | readonly string[] | number | boolean;
  /** e.g. `--port`, `PORT`, `port in ./persona.json` */
  readonly source: string;
  /** Relative paths resolve against this directory. */
  readonly base: string;
}

function invalid(name: string, raw: Raw, why: string): CliError {
  const shown = Array.isArray(raw.value) ? raw.value.join(',') : String(raw.value);
  // Never echo a secret back, even an invalid one.
  const value = /secret|token|password/i.test(name)
    ? ''
    : ` (got "${maskCredentials(shown).slice(0, 80)}" from ${raw.source})`;
  return new CliError('config', `invalid ${name}: ${why}${value || ` (from ${raw.source})`}`);
}

/**
 * Splits a secrets setting: comma- or whitespace-separated (several during a rotation).
 *
 * @example
 * ```ts
 * splitSecrets('wbhsec_new, wbhsec_old') // ['wbhsec_new', 'wbhsec_old']
 * ```
 */
export function splitSecrets(value: string | readonly string[]): string[] {
  const list = typeof value === 'string' ? [value] : value;
  return list.flatMap((v) => v.split(/[\s,]+/)).filter((s) => s !== '');
}

/**
 * Parses a byte size: `1048576`, `512kb`, `1mb`.
 *
 * @example
 * ```ts
 * parseSize('2mb') // 2097152
 * ```
 */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|k|kib|mb|m|mib)?\s*$/i.exec(text);
  if (!m) return null;
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  return Math.round(Number(m[1]) * factor);
}

/**
 * Reads which database a URL names: `postgres://…` → PostgreSQL; `sqlite:PATH`, `file:PATH` or a plain path → SQLite.
 *
 * @example
 * ```ts
 * parseDatabaseUrl('postgres://app@db/persona', '/srv') // { kind: 'postgres', url: 'postgres://app@db/persona' }
 * ```
 */
export function parseDatabaseUrl(url: string, base: string): DatabaseConfig | null {
  const text = url.trim();
  if (text === '') return null;
  if (/^postgres(ql)?:\/\//i.test(text)) return { kind: 'postgres', url: text };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && !/^(sqlite|file):/i.test(text)) return null;
  // A mistyped PostgreSQL URL (postgres:/…, postgres//…, postgresql:…) is refused, not taken for a SQLite file
  // whose name, in logs and on disk, would carry the password.
  if (/^postgres(?:ql)?(?::|\/\/)/i.test(text)) return null;
  const path = text.replace(/^sqlite:(\/\/)?/i, '').replace(/^file:(\/\/)?/i, '');
  if (path === '') return null;
  return { kind: 'sqlite', file: path === ':memory:' ? path : isAbsolute(path) ? path : resolve(base, path) };
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError('config', `cannot read the config file ${path}: ${code === 'ENOENT' ? 'no such file' : code}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError('config', `the config file ${path} is not valid JSON: ${describeJsonError(error, text)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CliError('config', `the config file ${path} must hold a JSON object of settings`);
  }
  const known = new Set(SETTINGS.map((s) => s.file).filter((k) => k !== ''));
  known.add(ENCRYPTION_KEYS_FILE_KEY);
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) {
      throw new CliError('config', `unknown setting "${key}" in ${path} (known: ${[...known].sort().join(', ')})`);
    }
  }
  return parsed as Record<string, unknown>;
}

/** Reads one setting's value: the typed result of its text, or its default. */
type Values = Map<Setting['key'], unknown>;

/**
 * Loads and validates the configuration from {@link SETTINGS}. Throws `CliError` (exit code 3) with one clear
 * line on any problem.
 *
 * @example
 * ```ts
 * const config = loadConfig({ flags: { port: '8787', secret: ['wbhsec_x'] }, env: process.env })
 * ```
 */
export function loadConfig(options: LoadConfigOptions = {}): ServiceConfig {
  const flags = options.flags ?? {};
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();

  const configFlag = flags.config;
  const configPath =
    typeof configFlag === 'string'
      ? resolve(cwd, configFlag)
      : env.PERSONA_CONFIG
        ? resolve(cwd, env.PERSONA_CONFIG)
        : null;
  const file = configPath ? readConfigFile(configPath) : {};
  const fileBase = configPath ? dirname(configPath) : cwd;

  const rawOf = (setting: Setting): Raw | undefined => {
    if (setting.type === 'switch' && flags[`no-${setting.flag}`] === true) {
      return { value: 'off', source: `--no-${setting.flag}`, base: cwd };
    }
    const f = flags[setting.flag];
    if (f !== undefined && f !== false && !(Array.isArray(f) && f.length === 0)) {
      return { value: f as string | readonly string[], source: `--${setting.flag}`, base: cwd };
    }
    if (env[setting.env] !== undefined && env[setting.env] !== '') {
      return { value: env[setting.env] as string, source: setting.env, base: cwd };
    }
    const fromFile = setting.file ? file[setting.file] : undefined;
    if (fromFile !== undefined && fromFile !== null) {
      return { value: fromFile as Raw['value'], source: `"${setting.file}" in ${configPath}`, base: fileBase };
    }
    return undefined;
  };

  const values: Values = new Map();
  const raws = new Map<Setting['key'], Raw>();
  for (const setting of SETTINGS) {
    const raw = rawOf(setting);
    if (raw !== undefined) raws.set(setting.key, raw);
    values.set(setting.key, readSetting(setting, raw, { cwd, defaultSqliteFile: options.defaultSqliteFile }));
  }
  const get = <T>(key: Setting['key']) => values.get(key) as T;

  let database = get<DatabaseConfig>('database');
  const schema = get<string | undefined>('dbSchema');
  const schemaRaw = raws.get('dbSchema');
  if (schemaRaw !== undefined && schema !== undefined) {
    if (database.kind !== 'postgres')
      throw invalid('PostgreSQL schema', schemaRaw, 'it only applies to a postgres:// database');
    database = { ...database, schema };
  }

  const forwardTo = get<string | null>('forwardTo');
  const forwardSecrets = get<string[]>('forwardSecrets');
  if (forwardTo !== null && forwardSecrets.length === 0) {
    throw new CliError(
      'config',
      `forwarding to ${new URL(forwardTo).origin} needs a forwarding secret: set --forward-secret or PERSONA_FORWARD_SECRET (the receiving app verifies with it)`,
    );
  }

  const recordRetentionMs = get<number>('recordRetentionDays');
  const payloadRetentionMs = get<number>('payloadRetentionDays');
  const payloadRaw = raws.get('payloadRetentionDays');
  if (payloadRetentionMs > recordRetentionMs) {
    if (payloadRaw !== undefined)
      throw invalid(
        'payload retention',
        payloadRaw,
        `expected at most the record retention (${formatDuration(recordRetentionMs)})`,
      );
  }

  const webhookId = get<string>('webhookId');
  if (webhookId !== '' && !/^wbh_[\w-]+$/.test(webhookId))
    throw invalid('webhook id', raws.get('webhookId') as Raw, 'expected a webhook id such as wbh_ABC123');

  const reconcileEveryMs = get<number>('reconcileEveryMs');
  const everyRaw = raws.get('reconcileEveryMs');
  if (everyRaw !== undefined && reconcileEveryMs > 0 && reconcileEveryMs < 1000)
    throw invalid('reconcile interval', everyRaw, 'expected 0 (never) or a duration from 1s to 7d');
  // Reconcile walks back 72 h (its margin) beyond its last success, which is up to one interval old; an event whose
  // dedupe record a prune deleted in that window would be inserted again and run a second time.
  const pruneIntervalMs = get<number>('pruneIntervalMs');
  const reconcileReachMs = DEFAULT_RECONCILE_MARGIN_MS + reconcileEveryMs + pruneIntervalMs + DAY_MS;
  // A web process neither reconciles nor prunes.
  if (reconcileEveryMs > 0 && get<string>('role') !== 'web' && recordRetentionMs < reconcileReachMs) {
    throw invalid(
      'record retention',
      raws.get('recordRetentionDays') ?? { value: formatDuration(recordRetentionMs), source: 'the default', base: '' },
      `expected at least ${formatDuration(Math.ceil(reconcileReachMs / DAY_MS) * DAY_MS)} with --reconcile-every ${formatDuration(reconcileEveryMs)}: reconcile looks back 72 h past its last run, and an event whose record was pruned in that window would be stored and run again`,
    );
  }
  const reconcileShare = Number(get<string>('reconcileShare'));
  if (!(reconcileShare > 0 && reconcileShare <= 1))
    throw invalid(
      'reconcile rate share',
      raws.get('reconcileShare') as Raw,
      'expected a fraction above 0 and at most 1',
    );

  return {
    dashboard: dashboardConfig(get, raws, flags.dev === true),
    secrets: get<string[]>('secrets'),
    webhookId: webhookId === '' ? null : webhookId,
    secretsFile: get<string | null>('secretsFile'),
    secretsRefreshMs: get<number>('secretsRefreshMs'),
    database,
    host: get<string>('host'),
    port: get<number>('port'),
    path: get<string>('path'),
    role: get<ServiceRole>('role'),
    handlers: get<string | null>('handlers'),
    forwardTo,
    forwardSecrets,
    forwardTimeoutMs: get<number>('forwardTimeoutMs'),
    bodyLimit: get<number>('bodyLimit'),
    toleranceSeconds: get<number>('toleranceSeconds') / 1000,
    concurrency: get<number>('concurrency'),
    maxAttempts: get<number>('maxAttempts'),
    shutdownTimeoutMs: get<number>('shutdownTimeoutMs'),
    retryBaseMs: get<number>('retryBaseMs'),
    pollIntervalMs: get<number>('pollIntervalMs'),
    recordRetentionDays: recordRetentionMs / DAY_MS,
    // The payload default follows a shorter record retention rather than exceeding it.
    payloadRetentionDays: Math.min(payloadRetentionMs, recordRetentionMs) / DAY_MS,
    pruneIntervalMs,
    logLevel: get<ServiceConfig['logLevel']>('logLevel'),
    sqliteThread: get<boolean>('sqliteThread'),
    reconcileEveryMs: reconcileEveryMs === 0 ? null : reconcileEveryMs,
    reconcileShare,
    requestTimeoutMs: get<number>('requestTimeoutMs'),
    maxConnections: get<number>('maxConnections'),
    encryptionKeys: encryptionKeys(env, file, configPath),
    redaction: get<boolean>('redaction'),
    dev: flags.dev === true,
  };
}

/** The dashboard settings, checked together: on, a sign-in is required (generated only in --dev). */
function dashboardConfig(
  get: <T>(key: Setting['key']) => T,
  raws: ReadonlyMap<Setting['key'], Raw>,
  dev: boolean,
): DashboardConfig | null {
  if (!get<boolean>('dashboard')) return null;
  const token = get<string>('dashboardToken');
  const user = get<string>('dashboardUser');
  const password = get<string>('dashboardPassword');
  let auth: DashboardConfig['auth'] = null;
  if (token !== '') {
    if (token.length < 16)
      throw invalid('dashboard token', raws.get('dashboardToken') as Raw, 'expected at least 16 characters');
    auth = { token };
  } else if (user !== '' || password !== '') {
    if (user === '' || password === '') {
      throw new CliError(
        'config',
        'dashboard basic auth needs both PERSONA_DASHBOARD_USER and PERSONA_DASHBOARD_PASSWORD',
      );
    }
    if (password.length < 12) {
      throw invalid('dashboard password', raws.get('dashboardPassword') as Raw, 'expected at least 12 characters');
    }
    auth = { username: user, password };
  } else if (!dev) {
    throw new CliError(
      'config',
      'the dashboard needs a sign-in: set PERSONA_DASHBOARD_TOKEN (at least 16 characters), or PERSONA_DASHBOARD_USER and PERSONA_DASHBOARD_PASSWORD; --dev generates a token',
    );
  }
  return {
    host: get<string>('dashboardHost'),
    port: get<number>('dashboardPort'),
    auth,
    actions: get<boolean>('dashboardActions'),
  };
}

/** The environment variable of the encryption keys: not a flag on purpose (argv lands in shell history and `ps`). */
export const ENCRYPTION_KEYS_ENV = 'PERSONA_ENCRYPTION_KEYS';
const ENCRYPTION_KEYS_FILE_KEY = 'encryptionKeys';

function encryptionKeys(
  env: NodeJS.ProcessEnv,
  file: Record<string, unknown>,
  configPath: string | null,
): EncryptionKey[] {
  const fromEnv = env[ENCRYPTION_KEYS_ENV];
  const fromFile = file[ENCRYPTION_KEYS_FILE_KEY];
  const text = fromEnv !== undefined && fromEnv !== '' ? fromEnv : fromFile;
  if (text === undefined || text === null) return [];
  const source = text === fromEnv ? ENCRYPTION_KEYS_ENV : `"${ENCRYPTION_KEYS_FILE_KEY}" in ${configPath}`;
  try {
    const keys = parseKeyringText(Array.isArray(text) ? text.join(',') : String(text));
    createKeyring(keys);
    return keys;
  } catch (error) {
    // The message names the entry and the rule, never the key material.
    throw new CliError('config', `invalid encryption keys (from ${source}): ${firstLine(error)}`);
  }
}

/** Reads one setting from its raw value (or its default), checking type and bounds. */
function readSetting(
  setting: Setting,
  raw: Raw | undefined,
  context: { cwd: string; defaultSqliteFile: string | undefined },
): unknown {
  const { name } = setting;
  if (setting.type === 'secrets') {
    if (raw === undefined) return [];
    if (typeof raw.value !== 'string' && !Array.isArray(raw.value)) throw invalid(name, raw, 'expected a string');
    const list = splitSecrets(raw.value as string | string[]);
    if (list.length === 0) throw invalid(name, raw, 'it is empty');
    return list;
  }
  if (setting.type === 'switch') {
    if (raw === undefined) return setting.default === 'on';
    const v = String(raw.value).toLowerCase();
    if (['1', 'true', 'on', 'yes'].includes(v)) return true;
    if (['0', 'false', 'off', 'no'].includes(v)) return false;
    throw invalid(name, raw, 'expected 1/0, true/false or on/off');
  }
  let text: string | undefined;
  if (raw !== undefined) {
    if (typeof raw.value === 'string') text = raw.value;
    else if (typeof raw.value === 'number') text = String(raw.value);
    else if (Array.isArray(raw.value) && raw.value.length > 0) text = raw.value[raw.value.length - 1] as string;
    else throw invalid(name, raw, 'expected a single value');
  }
  const given = raw as Raw;
  const bounded = (n: number | null, shown: (n: number) => string, what: string): number => {
    const min = setting.min ?? 0;
    const max = setting.max ?? Number.MAX_SAFE_INTEGER;
    if (n === null || n < min || n > max) {
      const hint = setting.hint === undefined ? '' : `: ${setting.hint}`;
      throw invalid(name, given, `expected ${what} from ${shown(min)} to ${shown(max)}${hint}`);
    }
    return n;
  };
  switch (setting.type) {
    case 'database': {
      if (text === undefined) {
        return { kind: 'sqlite', file: resolve(context.cwd, context.defaultSqliteFile ?? '.data/persona-webhooks.db') };
      }
      const parsed = parseDatabaseUrl(text, given.base);
      if (!parsed) throw invalid(name, given, 'expected postgres://user@host:5432/db, sqlite:./file.db or a file path');
      return parsed;
    }
    case 'schema': {
      if (text === undefined) return undefined;
      try {
        // The store's own rule for names (one place: the library), checked now rather than at connect time.
        migrationSql('postgres', { schema: text });
      } catch (error) {
        if (error instanceof PersonaWebhookError)
          throw invalid(name, given, 'expected a plain identifier (letters, digits, _; at most 48 characters)');
        throw error;
      }
      return text;
    }
    case 'text':
      return text ?? setting.default;
    case 'path': {
      const path = text ?? setting.default;
      if (!path.startsWith('/') || /[\s?#]/.test(path))
        throw invalid(name, given, 'expected a URL path starting with "/" (no query)');
      return path;
    }
    case 'file':
      return text === undefined ? null : resolve(given.base, text);
    case 'url': {
      if (text === undefined) return null;
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        throw invalid(name, given, 'expected an absolute http:// or https:// URL');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw invalid(name, given, 'expected an absolute http:// or https:// URL');
      return url.toString();
    }
    case 'choice': {
      const choice = text ?? setting.default;
      if (!setting.choices?.includes(choice)) throw invalid(name, given, `expected ${setting.choices?.join(', ')}`);
      return choice;
    }
    case 'integer': {
      const source = text ?? setting.default;
      const n = Number(source);
      return bounded(source.trim() !== '' && Number.isInteger(n) ? n : null, String, 'a whole number');
    }
    case 'size':
      return bounded(parseSize(text ?? setting.default), formatSize, 'a size (bytes, or with kb / mb)');
    case 'duration':
      return bounded(
        parseDuration(text ?? setting.default),
        formatDuration,
        'a duration with its unit (500ms, 30s, 5m, 1h, 2d)',
      );
  }
}

/**
 * Describes the database for humans without credentials.
 *
 * @example
 * ```ts
 * describeDatabase({ kind: 'postgres', url: 'postgres://u:pw@db/x' }) // 'PostgreSQL db/x'
 * ```
 */
export function describeDatabase(db: DatabaseConfig): string {
  if (db.kind === 'sqlite') return `SQLite ${db.file}`;
  try {
    const u = new URL(db.url);
    return `PostgreSQL ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}${db.schema ? ` (schema ${db.schema})` : ''}`;
  } catch {
    return 'PostgreSQL';
  }
}
