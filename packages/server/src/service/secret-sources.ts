// Where serve's webhook secrets come from: the configuration (fixed), a secrets file reloaded on SIGHUP, and
// Persona's Webhooks API (--webhook-id). All of them count at once; each change is logged once.
import { readFile } from 'node:fs/promises';
import type { SecretProvider } from 'persona-webhooks';
import { createWebhookSecretSource, type PersonaClient, type SecretSourceState } from 'persona-webhooks/api';
import { CliError } from '../cli/errors.js';
import { splitSecrets } from '../config.js';
import type { Logger } from './logger.js';

/** serve's secrets: one provider for the receiver, plus what the process does with them. */
export interface ServiceSecrets {
  /** The configured list itself when there is no file and no webhook id (checked once, no work per delivery). */
  readonly provider: SecretProvider | readonly string[];
  /** Re-reads the secrets file (SIGHUP). Keeps the current secrets when the file cannot be read. */
  reloadFile(): Promise<void>;
  stop(): void;
}

/** What {@link createServiceSecrets} needs. */
export interface ServiceSecretsOptions {
  /** From --secret / PERSONA_WEBHOOK_SECRET / the config file. */
  readonly configured: readonly string[];
  /** --secrets-file: one secret per line (or comma-separated), several while rotating. */
  readonly file: string | null;
  /** --webhook-id with the client built from PERSONA_API_KEY. */
  readonly persona: { readonly webhookId: string; readonly client: PersonaClient; readonly refreshMs: number } | null;
  readonly logger: Logger;
}

async function readSecretsFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `cannot read the secrets file ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`,
    );
  }
  const secrets = splitSecrets(text);
  if (secrets.length === 0) throw new Error(`the secrets file ${path} holds no secret`);
  return secrets;
}

function logChange(log: Logger, s: SecretSourceState): void {
  const facts = {
    webhookId: s.webhookId,
    accepted: s.accepted,
    fetched: s.fetched,
    ...(s.nextExpiry ? { nextExpiry: s.nextExpiry.toISOString() } : {}),
    ...(s.error ? { code: s.error.code, error: s.error.message } : {}),
    reason: s.reason,
  };
  if (s.change === 'loaded') log.info(facts, 'webhook secrets read from Persona');
  else if (s.change === 'changed')
    log.info(facts, 'webhook secrets changed at Persona (rotation): verifying with the new set');
  else if (s.change === 'recovered') log.info(facts, "Persona's API answers again: webhook secrets up to date");
  else if (s.change === 'configured-expired')
    log.warn(
      facts,
      'a configured secret has expired at Persona and is no longer accepted: remove it from the configuration',
    );
  else if (s.accepted === 0)
    log.error(
      facts,
      "cannot read the webhook's secrets from Persona and none is known: deliveries answer 500 (Persona retries) until it answers",
    );
  else log.warn(facts, `cannot read the webhook's secrets from Persona: verifying with the ${s.accepted} known`);
}

/**
 * Builds serve's secret provider and starts reading Persona when --webhook-id is set. A Persona API that is down
 * never stops the service: it starts with what it knows and keeps reading in the background.
 *
 * @throws CliError `config` when the secrets file cannot be read at start.
 * @example
 * ```ts
 * const secrets = await createServiceSecrets({ configured: config.secrets, file: null, persona: null, logger })
 * createWebhookReceiver({ secret: secrets.provider, store })
 * ```
 */
export async function createServiceSecrets(options: ServiceSecretsOptions): Promise<ServiceSecrets> {
  const log = options.logger;
  let fromFile: string[] = [];
  if (options.file !== null) {
    try {
      fromFile = await readSecretsFile(options.file);
    } catch (error) {
      throw new CliError('config', (error as Error).message);
    }
    log.info({ file: options.file, secrets: fromFile.length }, 'secrets file read');
  }
  const source =
    options.persona === null
      ? null
      : createWebhookSecretSource({
          client: options.persona.client,
          webhookId: options.persona.webhookId,
          secret: options.configured,
          refreshIntervalMs: options.persona.refreshMs,
          mismatchRefreshMs: Math.min(30_000, options.persona.refreshMs),
          onChange: (state) => logChange(log, state),
        });
  if (source !== null) await source.start();
  const configured = [...options.configured];
  const provider: SecretProvider | readonly string[] =
    options.file === null && source === null
      ? configured
      : {
          // The Persona source already counts the configured secrets (and drops those Persona says expired).
          secrets: () => (source === null ? [...configured, ...fromFile] : [...source.secrets(), ...fromFile]),
          ...(source === null ? {} : { onMismatch: () => source.onMismatch?.() }),
        };
  return {
    provider,
    async reloadFile() {
      if (options.file === null) {
        log.info('SIGHUP: no secrets file to reload (--secrets-file)');
        return;
      }
      try {
        const next = await readSecretsFile(options.file);
        const changed = next.join('\n') !== fromFile.join('\n');
        fromFile = next;
        log.info({ file: options.file, secrets: next.length, changed }, 'secrets file reloaded');
      } catch (error) {
        log.warn(
          { file: options.file, error: (error as Error).message, secrets: fromFile.length },
          'secrets file not reloaded: keeping the current secrets',
        );
      }
    },
    stop: () => source?.stop(),
  };
}
