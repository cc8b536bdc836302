import { signPayload } from 'persona-webhooks';
import { type CommandSpec, stringOption } from '../cli/command.js';
import { CliError, EXIT_CODES } from '../cli/errors.js';
import { readBody } from '../cli/input.js';
import { secretsFrom } from './secrets.js';

/**
 * `persona-webhooks sign`: prints the Persona-Signature header for a body, as Persona would send it.
 *
 * @example
 * ```sh
 * persona-webhooks sign --secret wbhsec_test event.json
 * ```
 */
export const signCommand: CommandSpec = {
  name: 'sign',
  summary: 'print the Persona-Signature header for a body',
  usage: 'persona-webhooks sign --secret S [--secret S2] [--timestamp T] [FILE|-]',
  description:
    'Signs the exact bytes of FILE (or stdin) with HMAC-SHA256 over "<t>.<body>", one t=…,v1=… set per secret,\nspace-separated, as Persona does while a secret rotates. Secrets default to PERSONA_WEBHOOK_SECRET.',
  positionals: 1,
  options: {
    secret: { type: 'string', multiple: true, value: 'S', description: 'Webhook secret (wbhsec_…).' },
    timestamp: { type: 'string', value: 'T', description: 'Unix seconds to sign with (default: now).' },
  },
  examples: [
    '$ persona-webhooks sign --secret wbhsec_test event.json',
    '$ cat event.json | persona-webhooks sign --secret wbhsec_new --secret wbhsec_old -',
    '$ persona-webhooks sign --secret wbhsec_test --timestamp 1764686826 event.json --json',
  ],
  exitCodes: [
    [EXIT_CODES.ok, 'the header was printed'],
    [EXIT_CODES.usage, 'bad option or argument'],
    [EXIT_CODES.config, 'no secret given'],
    [EXIT_CODES.input, 'the body could not be read'],
  ],
  async run({ values, positionals, out, env, cwd, stdin }) {
    const secrets = secretsFrom(values, env);
    for (const [i, s] of secrets.entries()) {
      if (s.trim() === '') throw new CliError('config', `secret #${i + 1} is empty`);
    }
    const tsText = stringOption(values, 'timestamp');
    let timestamp: number | undefined;
    if (tsText !== undefined) {
      timestamp = Number(tsText);
      if (!/^\d+$/.test(tsText) || !Number.isSafeInteger(timestamp)) {
        throw new CliError('usage', `--timestamp must be whole unix seconds (got "${tsText}")`);
      }
    }
    const body = await readBody(positionals[0], { cwd, stdin });
    const header = await signPayload({ body, secret: secrets, ...(timestamp === undefined ? {} : { timestamp }) });
    out.data({ header, bodyLength: body.length });
    out.line(header);
    return EXIT_CODES.ok;
  },
};
