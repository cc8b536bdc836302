import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { PersonaApiError, rotateWebhookSecret } from 'persona-webhooks/api';
import { type CommandSpec, stringOption } from '../cli/command.js';
import { durationOption, formatDuration } from '../cli/duration.js';
import { CliError, EXIT_CODES } from '../cli/errors.js';
import { isApiDown, personaClientFromEnv } from '../cli/persona-api.js';

/** Default life of the previous secret after a rotation: Persona's own example value (7200 s). */
export const DEFAULT_ROTATION_EXPIRY_MS = 2 * 3600 * 1000;

/** Writes the secret so that only the owner can read it, replacing the file in one step (no half-written file). */
async function writeSecretFile(path: string, secret: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CliError(
      'input',
      `cannot write ${path}: ${code} (the rotation is done: read the new secret with persona-webhooks doctor or the Dashboard)`,
    );
  }
}

/** A remaining time, to the minute beyond two minutes, to the second below. */
function approximately(ms: number): string {
  const step = ms >= 120_000 ? 60_000 : 1000;
  return formatDuration(Math.max(step, Math.round(ms / step) * step));
}

/**
 * `persona-webhooks secrets rotate`: rotates a webhook's secret through Persona's API.
 *
 * @example
 * ```sh
 * PERSONA_API_KEY=persona_production_… persona-webhooks secrets rotate --webhook wbh_ABC123 --expires-in 2h --out /run/secrets/persona
 * ```
 */
export const secretsCommand: CommandSpec = {
  name: 'secrets',
  summary: "rotate a webhook's secret at Persona (the old one stays valid for --expires-in)",
  usage: 'persona-webhooks secrets rotate --webhook wbh_… [--expires-in 2h] [--out FILE] [--json]',
  description: [
    "Calls Persona's rotate-secret (PERSONA_API_KEY with webhook.write). From that moment Persona signs every",
    'delivery with the new secret and, until --expires-in has passed, with the old one too: a receiver that knows',
    'either verifies. Prints the new secret once (or writes it to --out with mode 0600 and prints nothing secret),',
    'and when the old one expires. With serve --webhook-id running nothing else is needed; with a secrets file,',
    'write it there and send serve SIGHUP; with PERSONA_WEBHOOK_SECRET, deploy the new value before the expiry.',
  ].join('\n'),
  positionals: 1,
  options: {
    webhook: { type: 'string', value: 'WBH', description: 'The webhook id (wbh_…).' },
    'expires-in': {
      type: 'string',
      value: 'DURATION',
      description: `How long the current secret stays valid, e.g. 30m, 2h, 1d (default ${formatDuration(DEFAULT_ROTATION_EXPIRY_MS)}).`,
    },
    out: {
      type: 'string',
      value: 'FILE',
      description: 'Write the new secret to FILE (mode 0600) instead of printing it.',
    },
  },
  examples: [
    '$ persona-webhooks secrets rotate --webhook wbh_ABC123',
    '$ persona-webhooks secrets rotate --webhook wbh_ABC123 --expires-in 30m --out ./secrets/persona && kill -HUP $(pidof persona-webhooks)',
  ],
  exitCodes: [
    [EXIT_CODES.ok, 'rotated'],
    [EXIT_CODES.failure, 'Persona refused: no such webhook, or the key lacks webhook.write'],
    [EXIT_CODES.usage, 'bad option'],
    [3, "Persona's API cannot be reached or refuses the key (or PERSONA_API_KEY is missing)"],
    [EXIT_CODES.input, 'rotated, but --out could not be written'],
  ],
  async run({ values, positionals, out, env, cwd }) {
    if (positionals[0] !== 'rotate')
      throw new CliError('usage', 'expected "secrets rotate" (see: persona-webhooks secrets --help)');
    const webhookId = stringOption(values, 'webhook');
    if (webhookId === undefined || !/^wbh_[\w-]+$/.test(webhookId))
      throw new CliError('usage', '--webhook wbh_… is required: the webhook whose secret to rotate');
    const text = stringOption(values, 'expires-in');
    const expiresMs =
      text === undefined
        ? DEFAULT_ROTATION_EXPIRY_MS
        : durationOption(text, '--expires-in', { min: 1000, max: 30 * 86_400_000 });
    const file = stringOption(values, 'out');
    const client = personaClientFromEnv(env, 'secrets rotate', 'webhook.write', { maxRetries: 2, timeoutMs: 15_000 });
    let rotated: Awaited<ReturnType<typeof rotateWebhookSecret>>;
    try {
      rotated = await rotateWebhookSecret(client, webhookId, { expiresInSeconds: Math.round(expiresMs / 1000) });
    } catch (error) {
      if (isApiDown(error)) throw new CliError('config', `not rotated: ${error.message}`);
      if (error instanceof PersonaApiError) throw new CliError('failure', `not rotated: ${error.message}`);
      throw error;
    }
    const fresh = rotated.secrets.find((s) => s.expiresAt === null) ?? rotated.secrets[0];
    if (fresh === undefined)
      throw new CliError(
        'failure',
        `Persona rotated ${webhookId} but its answer carried no secret: read it in the Dashboard`,
      );
    const expiries = rotated.secrets.filter((s) => s !== fresh && s.expiresAt !== null).map((s) => s.expiresAt as Date);
    const oldExpiresAt = expiries.length === 0 ? null : new Date(Math.max(...expiries.map((d) => d.getTime())));
    const path = file === undefined ? null : resolve(cwd, file);
    if (path !== null) await writeSecretFile(path, fresh.value);
    if (out.json) {
      out.data({
        webhook: webhookId,
        ...(path === null ? { secret: fresh.value } : { file: path }),
        previousExpiresAt: oldExpiresAt?.toISOString() ?? null,
      });
      return EXIT_CODES.ok;
    }
    out.line(`Rotated the secret of ${webhookId}.`);
    if (path === null) out.line(`New secret (shown once, store it now): ${fresh.value}`);
    else out.line(`New secret written to ${path} (mode 0600).`);
    out.line(
      oldExpiresAt === null
        ? 'The previous secret stopped working at once.'
        : `The previous secret stays valid until ${oldExpiresAt.toISOString()} (in ${approximately(oldExpiresAt.getTime() - Date.now())}); until then Persona signs every delivery with both.`,
    );
    out.line(
      'serve --webhook-id picks the new secret up by itself; with a secrets file, send serve SIGHUP; with PERSONA_WEBHOOK_SECRET, deploy the new value before the old one expires.',
    );
    return EXIT_CODES.ok;
  },
};
