// The Persona API client of the commands that call Persona (doctor, secrets rotate, serve --webhook-id), built
// from PERSONA_API_KEY and PERSONA_API_URL, and their API failures turned into one CLI line.
import {
  createPersonaClient,
  PersonaApiError,
  type PersonaClient,
  type PersonaClientOptions,
} from 'persona-webhooks/api';
import { CliError } from './errors.js';

/**
 * Builds a client from the environment.
 *
 * @throws CliError `config` when PERSONA_API_KEY is missing or PERSONA_API_URL is not a URL.
 * @example
 * ```ts
 * const client = personaClientFromEnv(process.env, 'doctor', { maxRetries: 1 })
 * ```
 */
export function personaClientFromEnv(
  env: NodeJS.ProcessEnv,
  needs: string,
  options: Omit<PersonaClientOptions, 'apiKey' | 'baseUrl'> = {},
): PersonaClient {
  const apiKey = env.PERSONA_API_KEY;
  if (apiKey === undefined || apiKey.trim() === '')
    throw new CliError(
      'config',
      `${needs} needs PERSONA_API_KEY: a Persona API key of this environment with webhook.read`,
    );
  try {
    return createPersonaClient({
      apiKey,
      ...(env.PERSONA_API_URL ? { baseUrl: env.PERSONA_API_URL } : {}),
      userAgent: 'persona-webhooks-cli',
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
