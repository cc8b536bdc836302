import { type OptionValues, stringList } from '../cli/command.js';
import { CliError } from '../cli/errors.js';
import { splitSecrets } from '../config.js';

/**
 * Secrets for sign/verify/trigger: `--secret` flags exactly as typed (so a stray space is diagnosed, not
 * hidden), else PERSONA_WEBHOOK_SECRET split on commas and whitespace.
 * @internal
 */
export function secretsFrom(values: OptionValues, env: NodeJS.ProcessEnv, flagName = 'secret'): string[] {
  const flags = stringList(values, flagName);
  if (flags.length > 0) return flags;
  const fromEnv = env.PERSONA_WEBHOOK_SECRET ? splitSecrets(env.PERSONA_WEBHOOK_SECRET) : [];
  if (fromEnv.length > 0) return fromEnv;
  throw new CliError(
    'config',
    `no secret: pass --${flagName} wbhsec_… or set PERSONA_WEBHOOK_SECRET (the webhook's secret from the Persona dashboard)`,
  );
}
