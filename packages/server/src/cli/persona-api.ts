// The Persona API client of the commands that read or change webhooks (doctor, secrets rotate, serve --webhook-id).
import {
  createPersonaClient,
  PersonaApiError,
  type PersonaClient,
  type PersonaClientOptions,
} from 'persona-webhooks/api';
import { apiSettings } from '../service/persona-api.js';
import { CliError } from './errors.js';

/**
 * Builds a client from PERSONA_API_KEY / PERSONA_API_URL (read by {@link apiSettings}) with the retry and timeout
 * a one-shot command wants.
 *
 * @throws CliError `config` when PERSONA_API_KEY is missing or PERSONA_API_URL is not a URL.
 * @example
 * ```ts
 * const client = personaClientFromEnv(process.env, 'doctor', 'webhook.read', { maxRetries: 1 })
 * ```
 */
export function personaClientFromEnv(
  env: NodeJS.ProcessEnv,
  needs: string,
  permission: string,
  options: Omit<PersonaClientOptions, 'apiKey' | 'baseUrl' | 'timeScale'> = {},
): PersonaClient {
  const settings = apiSettings(env, needs, permission);
  try {
    return createPersonaClient({
      apiKey: settings.apiKey,
      baseUrl: settings.apiUrl,
      timeScale: settings.timeScale,
      userAgent: 'persona-webhooks-server',
      ...options,
    });
  } catch (error) {
    throw new CliError('config', error instanceof Error ? error.message : String(error));
  }
}

/** Whether an API failure means Persona cannot be used at all (unreachable, key refused) rather than one call. */
export function isApiDown(error: unknown): error is PersonaApiError {
  return (
    error instanceof PersonaApiError &&
    (error.code === 'api_unreachable' ||
      error.code === 'api_unauthorized' ||
      error.code === 'api_server_error' ||
      error.code === 'api_rate_limited' ||
      error.code === 'api_bad_response')
  );
}
