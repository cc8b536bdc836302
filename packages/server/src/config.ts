// Configuration of the service and the CLI: flags > environment variables > JSON config file > defaults.
// Every problem becomes one line that names the setting and where its value came from.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createKeyring, type EncryptionKey, parseKeyringText, RETENTION_DEFAULTS } from 'persona-webhooks';
import { CliError } from './cli/errors.js';
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
  /** Experimental: SQLite runs in a worker thread so its fsyncs do not stall HTTP (PERSONA_SQLITE_THREAD=1). Default off. */
  readonly sqliteThread: boolean;
  /** Keys that encrypt stored payloads, oldest first (the last one encrypts new writes); empty: stored in clear. */
  readonly encryptionKeys: readonly EncryptionKey[];
  /** Apply `*.redacted` events: tombstones and the scrub cascade (default on). */
  readonly redaction: boolean;
  /** `--dev`: a generated secret is allowed. */
  readonly dev: boolean;
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

interface Field {
  readonly key: keyof ServiceConfig | 'config' | 'dbSchema';
  readonly flag: string;
  readonly env?: string;
  readonly file: string;
}

/** Each setting: its flag, its environment variable and its key in the config file. */
export const CONFIG_FIELDS: readonly Field[] = [
  { key: 'secrets', flag: 'secret', env: 'PERSONA_WEBHOOK_SECRET', file: 'secret' },
  { key: 'database', flag: 'database-url', env: 'DATABASE_URL', file: 'databaseUrl' },
  { key: 'dbSchema', flag: 'db-schema', env: 'PERSONA_DB_SCHEMA', file: 'dbSchema' },
  { key: 'host', flag: 'host', env: 'HOST', file: 'host' },
  { key: 'port', flag: 'port', env: 'PORT', file: 'port' },
  { key: 'path', flag: 'path', env: 'PERSONA_WEBHOOK_PATH', file: 'path' },
  { key: 'role', flag: 'role', env: 'PERSONA_ROLE', file: 'role' },
  { key: 'handlers', flag: 'handlers', env: 'PERSONA_HANDLERS', file: 'handlers' },
  { key: 'forwardTo', flag: 'forward-to', env: 'PERSONA_FORWARD_TO', file: 'forwardTo' },
  { key: 'forwardSecrets', flag: 'forward-secret', env: 'PERSONA_FORWARD_SECRET', file: 'forwardSecret' },
  { key: 'forwardTimeoutMs', flag: 'forward-timeout', env: 'PERSONA_FORWARD_TIMEOUT', file: 'forwardTimeout' },
  { key: 'bodyLimit', flag: 'body-limit', env: 'PERSONA_BODY_LIMIT', file: 'bodyLimit' },
  { key: 'requestTimeoutMs', flag: 'request-timeout', env: 'PERSONA_REQUEST_TIMEOUT', file: 'requestTimeout' },
  { key: 'maxConnections', flag: 'max-connections', env: 'PERSONA_MAX_CONNECTIONS', file: 'maxConnections' },
  { key: 'toleranceSeconds', flag: 'tolerance', env: 'PERSONA_TOLERANCE', file: 'tolerance' },
  { key: 'concurrency', flag: 'concurrency', env: 'PERSONA_CONCURRENCY', file: 'concurrency' },
  { key: 'maxAttempts', flag: 'max-attempts', env: 'PERSONA_MAX_ATTEMPTS', file: 'maxAttempts' },
  { key: 'shutdownTimeoutMs', flag: 'shutdown-timeout', env: 'PERSONA_SHUTDOWN_TIMEOUT', file: 'shutdownTimeout' },
  { key: 'retryBaseMs', flag: 'retry-base-ms', env: 'PERSONA_RETRY_BASE_MS', file: 'retryBaseMs' },
  { key: 'pollIntervalMs', flag: 'poll-interval-ms', env: 'PERSONA_POLL_INTERVAL_MS', file: 'pollIntervalMs' },
  {
    key: 'recordRetentionDays',
    flag: 'record-retention-days',
    env: 'PERSONA_RECORD_RETENTION_DAYS',
    file: 'recordRetentionDays',
  },
  {
    key: 'payloadRetentionDays',
    flag: 'payload-retention-days',
    env: 'PERSONA_PAYLOAD_RETENTION_DAYS',
    file: 'payloadRetentionDays',
  },
  { key: 'pruneIntervalMs', flag: 'prune-interval', env: 'PERSONA_PRUNE_INTERVAL', file: 'pruneInterval' },
  { key: 'logLevel', flag: 'log-level', env: 'LOG_LEVEL', file: 'logLevel' },
  { key: 'sqliteThread', flag: 'sqlite-thread', env: 'PERSONA_SQLITE_THREAD', file: 'sqliteThread' },
  // No command-line flag on purpose: a key in argv lands in shell history and in `ps` output.
  { key: 'encryptionKeys', flag: '', env: 'PERSONA_ENCRYPTION_KEYS', file: 'encryptionKeys' },
  { key: 'redaction', flag: 'redaction', env: 'PERSONA_REDACTION', file: 'redaction' },
  { key: 'config', flag: 'config', env: 'PERSONA_CONFIG', file: '' },
];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

interface Raw {
  readonly value: string | readonly string[] | number | boolean;
  /** e.g. `--port`, `PORT`, `port in ./persona.json` */
  readonly source: string;
  /** Relative paths resolve against this directory. */
  readonly base: string;
}

function invalid(field: string, raw: Raw, why: string): CliError {
  const shown = Array.isArray(raw.value) ? raw.value.join(',') : String(raw.value);
  // Never echo a secret back, even an invalid one.
  const value = /secret/i.test(field) ? '' : ` (got "${maskCredentials(shown).slice(0, 80)}" from ${raw.source})`;
  return new CliError('config', `invalid ${field}: ${why}${value || ` (from ${raw.source})`}`);
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
  const known = new Set(CONFIG_FIELDS.map((f) => f.file).filter((k) => k !== ''));
  known.add('secrets');
  known.add('forwardSecrets');
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) {
      throw new CliError('config', `unknown setting "${key}" in ${path} (known: ${[...known].sort().join(', ')})`);
    }
  }
  return parsed as Record<string, unknown>;
}

/**
 * Loads and validates the configuration. Throws `CliError` (exit code 3) with one clear line on any problem.
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

  const get = (field: Field): Raw | undefined => {
    const f = flags[field.flag];
    if (f !== undefined && f !== false && !(Array.isArray(f) && f.length === 0)) {
      return { value: f as string | readonly string[], source: `--${field.flag}`, base: cwd };
    }
    if (field.env && env[field.env] !== undefined && env[field.env] !== '') {
      return { value: env[field.env] as string, source: field.env, base: cwd };
    }
    const alt = field.key === 'secrets' ? 'secrets' : field.key === 'forwardSecrets' ? 'forwardSecrets' : null;
    const fromFile = file[field.file] ?? (alt ? file[alt] : undefined);
    if (fromFile !== undefined && fromFile !== null) {
      return { value: fromFile as Raw['value'], source: `"${field.file}" in ${configPath}`, base: fileBase };
    }
    return undefined;
  };
  const field = (key: Field['key']) => CONFIG_FIELDS.find((f) => f.key === key) as Field;

  const text = (key: Field['key'], name: string): { text: string; raw: Raw } | undefined => {
    const raw = get(field(key));
    if (raw === undefined) return undefined;
    if (typeof raw.value === 'string') return { text: raw.value, raw };
    if (typeof raw.value === 'number') return { text: String(raw.value), raw };
    throw invalid(name, raw, 'expected a single value');
  };
  const int = (key: Field['key'], name: string, fallback: number, min: number, max: number, unit = ''): number => {
    const t = text(key, name);
    if (!t) return fallback;
    const n = Number(t.text);
    if (t.text.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw invalid(name, t.raw, `expected a whole number${unit} from ${min} to ${max}`);
    }
    return n;
  };
  const secretsOf = (key: Field['key'], name: string): string[] => {
    const raw = get(field(key));
    if (!raw) return [];
    if (typeof raw.value !== 'string' && !Array.isArray(raw.value)) throw invalid(name, raw, 'expected a string');
    const list = splitSecrets(raw.value as string | string[]);
    if (list.length === 0) throw invalid(name, raw, 'it is empty');
    return list;
  };

  const secrets = secretsOf('secrets', 'secret');
  const forwardSecrets = secretsOf('forwardSecrets', 'forward secret');

  const dbText = text('database', 'database URL');
  let database: DatabaseConfig;
  if (dbText) {
    const parsed = parseDatabaseUrl(dbText.text, dbText.raw.base);
    if (!parsed) {
      throw invalid(
        'database URL',
        dbText.raw,
        'expected postgres://user@host:5432/db, sqlite:./file.db or a file path',
      );
    }
    database = parsed;
    const schemaText = text('dbSchema', 'PostgreSQL schema');
    if (schemaText) {
      if (parsed.kind !== 'postgres')
        throw invalid('PostgreSQL schema', schemaText.raw, 'it only applies to a postgres:// database');
      if (!/^[a-z_][a-z0-9_]{0,62}$/i.test(schemaText.text)) {
        throw invalid('PostgreSQL schema', schemaText.raw, 'expected a plain identifier (letters, digits, _)');
      }
      database = { ...parsed, schema: schemaText.text };
    }
  } else {
    database = { kind: 'sqlite', file: resolve(cwd, options.defaultSqliteFile ?? '.data/persona-webhooks.db') };
  }

  const host = text('host', 'host')?.text ?? '127.0.0.1';
  const port = int('port', 'port', 8787, 0, 65535);

  const pathText = text('path', 'path');
  const path = pathText?.text ?? '/webhooks/persona';
  if (!path.startsWith('/') || /[\s?#]/.test(path)) {
    throw invalid('path', pathText?.raw as Raw, 'expected a URL path starting with "/" (no query)');
  }

  const roleText = text('role', 'role');
  const role = (roleText?.text ?? 'all') as ServiceRole;
  if (!['web', 'worker', 'all'].includes(role))
    throw invalid('role', roleText?.raw as Raw, 'expected web, worker or all');

  const handlersText = text('handlers', 'handlers module');
  const handlers = handlersText ? resolve(handlersText.raw.base, handlersText.text) : null;

  const forwardText = text('forwardTo', 'forward URL');
  let forwardTo: string | null = null;
  if (forwardText) {
    let url: URL;
    try {
      url = new URL(forwardText.text);
    } catch {
      throw invalid('forward URL', forwardText.raw, 'expected an absolute http:// or https:// URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw invalid('forward URL', forwardText.raw, 'expected an absolute http:// or https:// URL');
    }
    forwardTo = url.toString();
    if (forwardSecrets.length === 0) {
      throw new CliError(
        'config',
        `forwarding to ${url.origin} needs a forwarding secret: set --forward-secret or PERSONA_FORWARD_SECRET (the receiving app verifies with it)`,
      );
    }
  }

  const limitText = text('bodyLimit', 'body limit');
  let bodyLimit = 1024 * 1024;
  if (limitText) {
    const size = parseSize(limitText.text);
    if (size === null || size < 1024 || size > 64 * 1024 * 1024) {
      throw invalid('body limit', limitText.raw, 'expected a size from 1kb to 64mb, e.g. 1048576, 512kb or 2mb');
    }
    bodyLimit = size;
  }

  const logText = text('logLevel', 'log level');
  const logLevel = (logText?.text ?? 'info') as ServiceConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel))
    throw invalid('log level', logText?.raw as Raw, `expected ${LOG_LEVELS.join(', ')}`);

  const days = (key: Field['key'], name: string, fallback: number, min: number, max: number, why: string): number => {
    const t = text(key, name);
    if (!t) return fallback;
    const n = Number(t.text);
    if (t.text.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw invalid(name, t.raw, why);
    return n;
  };
  const recordRetentionDays = days(
    'recordRetentionDays',
    'record retention',
    RETENTION_DEFAULTS.recordDays,
    RETENTION_DEFAULTS.minRecordDays,
    36_500,
    `expected a whole number of days from ${RETENTION_DEFAULTS.minRecordDays} to 36500: Persona retries for ~51 h and a record pruned sooner lets a late retry run again`,
  );
  const payloadRetentionDays = days(
    'payloadRetentionDays',
    'payload retention',
    Math.min(RETENTION_DEFAULTS.payloadDays, recordRetentionDays),
    0,
    recordRetentionDays,
    `expected a whole number of days from 0 to the record retention (${recordRetentionDays})`,
  );

  function onOff(key: Field['key'], name: string, fallback: boolean): boolean {
    const raw = get(field(key));
    if (raw === undefined) return fallback;
    const v = String(raw.value).toLowerCase();
    if (['1', 'true', 'on', 'yes'].includes(v)) return true;
    if (['0', 'false', 'off', 'no'].includes(v)) return false;
    throw invalid(name, raw, 'expected 1/0, true/false or on/off');
  }

  function encryptionKeys(): EncryptionKey[] {
    const raw = get(field('encryptionKeys'));
    if (raw === undefined) return [];
    try {
      const keys = parseKeyringText(Array.isArray(raw.value) ? raw.value.join(',') : String(raw.value));
      createKeyring(keys);
      return keys;
    } catch (error) {
      // The message names the entry and the rule, never the key material.
      const why = error instanceof Error ? error.message : 'invalid';
      throw new CliError('config', `invalid encryption keys (from ${raw.source}): ${why}`);
    }
  }

  return {
    secrets,
    database,
    host,
    port,
    path,
    role,
    handlers,
    forwardTo,
    forwardSecrets,
    forwardTimeoutMs: int('forwardTimeoutMs', 'forward timeout', 10, 1, 300, ' of seconds') * 1000,
    bodyLimit,
    requestTimeoutMs: int('requestTimeoutMs', 'request timeout', 10, 1, 300, ' of seconds') * 1000,
    maxConnections: int('maxConnections', 'max connections', 1024, 16, 100_000),
    toleranceSeconds: int('toleranceSeconds', 'tolerance', 300, 1, 7 * 24 * 3600, ' of seconds'),
    concurrency: int('concurrency', 'concurrency', 8, 1, 256),
    maxAttempts: int('maxAttempts', 'max attempts', 8, 1, 100),
    shutdownTimeoutMs: int('shutdownTimeoutMs', 'shutdown timeout', 10, 1, 600, ' of seconds') * 1000,
    retryBaseMs: int('retryBaseMs', 'retry base', 5000, 10, 3_600_000, ' of milliseconds'),
    pollIntervalMs: int('pollIntervalMs', 'poll interval', 1000, 10, 60_000, ' of milliseconds'),
    recordRetentionDays,
    payloadRetentionDays,
    pruneIntervalMs: int('pruneIntervalMs', 'prune interval', 3600, 1, 7 * 24 * 3600, ' of seconds') * 1000,
    logLevel,
    sqliteThread: onOff('sqliteThread', 'SQLite thread switch', false),
    encryptionKeys: encryptionKeys(),
    redaction: onOff('redaction', 'redaction switch', true),
    dev: flags.dev === true,
  };
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
