// The Persona API client the CLI and the service use: PERSONA_API_KEY and PERSONA_API_URL from the environment.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { KeyInflection } from 'persona-webhooks';
import { createPersonaClient, DEFAULT_PERSONA_API_URL, type PersonaClient } from 'persona-webhooks/api';
import { CliError } from '../cli/errors.js';

/** What a command that calls Persona's API needs from the environment. */
export interface ApiSettings {
  readonly apiKey: string;
  readonly apiUrl: string;
  /** `PERSONA_API_TIME_SCALE`: only to match `persona-webhooks simulate --time-scale` in tests. Default 1. */
  readonly timeScale: number;
  /** `PERSONA_API_VERSION`: set it to the webhook's `api-version` so recovered events look like delivered ones. */
  readonly apiVersion: string | undefined;
  /** `PERSONA_KEY_INFLECTION`: the webhook's `api-key-inflection` (kebab, camel or snake). */
  readonly keyInflection: KeyInflection | undefined;
}

/**
 * Reads PERSONA_API_KEY (required) and PERSONA_API_URL; one clear line (exit code 3) when they are wrong.
 *
 * @example
 * ```ts
 * const settings = apiSettings(process.env, 'reconcile')
 * ```
 */
export function apiSettings(env: NodeJS.ProcessEnv, command: string, permission = 'event.read'): ApiSettings {
  const apiKey = env.PERSONA_API_KEY?.trim() ?? '';
  if (apiKey === '') {
    throw new CliError(
      'config',
      `${command} needs PERSONA_API_KEY: a Persona API key with the ${permission} permission (Dashboard → API keys)`,
    );
  }
  const apiUrl = env.PERSONA_API_URL?.trim() || DEFAULT_PERSONA_API_URL;
  if (!/^https?:\/\/\S+$/.test(apiUrl)) {
    throw new CliError('config', `invalid PERSONA_API_URL: expected http(s)://… (got "${apiUrl.slice(0, 80)}")`);
  }
  const scaleText = env.PERSONA_API_TIME_SCALE;
  const timeScale = scaleText === undefined || scaleText === '' ? 1 : Number(scaleText);
  if (!(timeScale > 0 && timeScale <= 1)) {
    throw new CliError('config', `invalid PERSONA_API_TIME_SCALE: expected a number in (0, 1] (got "${scaleText}")`);
  }
  const apiVersion = env.PERSONA_API_VERSION?.trim() || undefined;
  if (apiVersion !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(apiVersion)) {
    throw new CliError(
      'config',
      `invalid PERSONA_API_VERSION: expected a date such as 2025-12-08 (got "${apiVersion.slice(0, 40)}")`,
    );
  }
  const inflection = env.PERSONA_KEY_INFLECTION?.trim() || undefined;
  if (inflection !== undefined && inflection !== 'kebab' && inflection !== 'camel' && inflection !== 'snake') {
    throw new CliError(
      'config',
      `invalid PERSONA_KEY_INFLECTION: expected kebab, camel or snake (got "${inflection.slice(0, 40)}")`,
    );
  }
  return { apiKey, apiUrl, timeScale, apiVersion, keyInflection: inflection };
}

/**
 * A client within `share` of the environment's rate limit.
 *
 * @example
 * ```ts
 * const client = apiClient(apiSettings(env, 'listen'), 0.5)
 * ```
 */
export function apiClient(
  settings: ApiSettings,
  share: number,
  onRequest?: Parameters<typeof createPersonaClient>[0]['onRequest'],
): PersonaClient {
  try {
    return createPersonaClient({
      apiKey: settings.apiKey,
      baseUrl: settings.apiUrl,
      rateLimitShare: share,
      timeScale: settings.timeScale,
      ...(settings.apiVersion === undefined ? {} : { apiVersion: settings.apiVersion }),
      ...(settings.keyInflection === undefined ? {} : { keyInflection: settings.keyInflection }),
      userAgent: 'persona-webhooks-server',
      ...(onRequest ? { onRequest } : {}),
    });
  } catch (error) {
    throw new CliError('config', error instanceof Error ? error.message : String(error));
  }
}

/** Random part of this process's owner name, drawn once. */
const PROCESS_NONCE = randomBytes(6).toString('hex');

/**
 * Names this process in lock and run records: `host:pid:random`. The random part keeps two containers apart
 * that share a host name and run as pid 1: the reconcile lock takes a renewal by the same owner for its own.
 * @example
 * ```ts
 * processOwner() // 'web-1:4242:9f3c2a7b01de'
 * ```
 */
export function processOwner(): string {
  return `${hostname()}:${process.pid}:${PROCESS_NONCE}`;
}

/**
 * Turns a failure of an API-backed command into its one-line CLI error: a refused key is configuration (exit 3),
 * a store that is down is the database (exit 4), the rest is a failure (exit 1).
 *
 * @example
 * ```ts
 * try { await reconcile(options) } catch (error) { throw apiFailure(error, 'reconcile failed') }
 * ```
 */
export function apiFailure(error: unknown, prefix: string): unknown {
  if (error instanceof CliError) return error;
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message.replace(/\s+/g, ' ') : String(error);
  if (code === 'api_unauthorized' || code === 'api_forbidden' || code === 'invalid_options')
    return new CliError('config', `${prefix}: ${message}`, { cause: error });
  if (code === 'store_unavailable') return new CliError('database', `${prefix}: ${message}`, { cause: error });
  if (typeof code === 'string') return new CliError('failure', `${prefix}: ${message}`, { cause: error });
  return error;
}
