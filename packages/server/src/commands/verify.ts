import { parseEvent, type VerificationErrorCode, verifySignature, WebhookVerificationError } from 'persona-webhooks';
import { type CommandSpec, flag, type OptionValues, stringList, stringOption } from '../cli/command.js';
import { CliError, EXIT_CODES } from '../cli/errors.js';
import { readBody } from '../cli/input.js';
import { parseDuration } from '../config.js';
import { secretsFrom } from './secrets.js';

/** Which check failed, and what usually causes it: the human half of `verify`'s answer. */
export const VERIFY_EXPLANATIONS: Readonly<Record<VerificationErrorCode, { check: string; cause: string }>> = {
  missing_header: {
    check: 'header present',
    cause: 'no Persona-Signature header reached you: a proxy may strip it, or the request did not come from Persona.',
  },
  malformed_header: {
    check: 'header format',
    cause:
      'the header is not "t=<unix seconds>,v1=<hex>" sets separated by spaces: it was probably truncated or edited.',
  },
  no_signatures: {
    check: 'header format',
    cause: 'the header has timestamps but no v1 signature.',
  },
  signature_mismatch: {
    check: 'signature',
    cause:
      "the body is not the exact bytes that were signed (re-serialised JSON, changed whitespace or line endings), or the secret is another webhook's or another environment's (sandbox vs production).",
  },
  timestamp_too_old: {
    check: 'timestamp',
    cause:
      'the signature is authentic but older than the tolerance: a replayed delivery, or this clock is behind. Use --tolerance to widen it.',
  },
  timestamp_in_future: {
    check: 'timestamp',
    cause: 'the signature is authentic but its timestamp is ahead of this clock: check the system time.',
  },
  body_not_raw: { check: 'body', cause: 'the body is not raw bytes.' },
  no_secret: { check: 'secret', cause: 'a secret is empty: check the variable it comes from.' },
  invalid_json: {
    check: 'body is JSON',
    cause: 'the signature is valid, but the body is not JSON: it is not a Persona event.',
  },
  invalid_event: {
    check: 'event envelope',
    cause:
      'the signature is valid, but the body is not a Persona event envelope ({ data: { type: "event", id, attributes } }).',
  },
};

/**
 * `persona-webhooks verify`: checks a header against a body and explains a failure.
 *
 * @example
 * ```sh
 * persona-webhooks verify --secret wbhsec_test --header 't=1764686826,v1=…' event.json
 * ```
 */
export const verifyCommand: CommandSpec = {
  name: 'verify',
  summary: 'check a Persona-Signature header against a body, and explain why it fails',
  usage: 'persona-webhooks verify --secret S [--secret S2] --header H [--tolerance DURATION] [FILE|-]',
  description:
    'Verifies the exact bytes of FILE (or stdin). On success prints the event id and name; on failure prints\nthe error code, which check failed and the likely cause. Secrets default to PERSONA_WEBHOOK_SECRET.',
  positionals: 1,
  options: {
    secret: {
      type: 'string',
      multiple: true,
      value: 'S',
      description: 'Webhook secret (wbhsec_…); several while rotating.',
    },
    header: {
      type: 'string',
      multiple: true,
      value: 'H',
      description: 'The Persona-Signature header value, quoted (repeat it for a header that arrived twice).',
    },
    tolerance: {
      type: 'string',
      value: 'DURATION',
      description: 'Oldest accepted timestamp, e.g. 300s or 2h (default 300s).',
    },
    'future-tolerance': {
      type: 'string',
      value: 'DURATION',
      description: 'Newest accepted timestamp ahead of now, e.g. 60s (default 60s).',
    },
    'skip-timestamp-check': { type: 'boolean', description: 'Do not check the timestamp (an old saved delivery).' },
    'signature-only': {
      type: 'boolean',
      description: 'Check the signature only; do not require a Persona event body.',
    },
    now: { type: 'string', value: 'T', description: 'Verify as if it were unix second T (default: now).' },
  },
  examples: [
    "$ persona-webhooks verify --secret wbhsec_test --header 't=1764686826,v1=5f0c…' event.json",
    '$ pbpaste | persona-webhooks verify --header "$SIG" --skip-timestamp-check -',
    '$ persona-webhooks verify --secret wbhsec_new --secret wbhsec_old --header "$SIG" body.json --json',
  ],
  exitCodes: [
    [EXIT_CODES.ok, 'the signature is valid and the body is a Persona event'],
    [EXIT_CODES.failure, 'verification failed (the code and the reason are printed)'],
    [EXIT_CODES.usage, 'bad option or argument (e.g. no --header)'],
    [EXIT_CODES.config, 'no secret given'],
    [EXIT_CODES.input, 'the body could not be read'],
  ],
  async run({ values, positionals, out, env, cwd, stdin }) {
    const headers = stringList(values, 'header');
    const header = headers.length === 1 ? headers[0] : headers;
    if (headers.length === 0 || header === undefined) {
      throw new CliError('usage', 'missing --header: the Persona-Signature value, e.g. --header "t=…,v1=…"');
    }
    const secrets = secretsFrom(values, env);
    const toleranceSeconds = seconds(values, 'tolerance');
    const futureToleranceSeconds = seconds(values, 'future-tolerance');
    const nowText = stringOption(values, 'now');
    let now: number | undefined;
    if (nowText !== undefined) {
      if (!/^\d+$/.test(nowText)) throw new CliError('usage', `--now must be whole unix seconds (got "${nowText}")`);
      now = Number(nowText) * 1000;
    }
    const body = await readBody(positionals[0], { cwd, stdin });
    try {
      const verified = await verifySignature({
        body,
        header,
        secret: secrets,
        ...(toleranceSeconds === undefined ? {} : { toleranceSeconds }),
        ...(futureToleranceSeconds === undefined ? {} : { futureToleranceSeconds }),
        ...(now === undefined ? {} : { now }),
        disableTimestampCheck: flag(values, 'skip-timestamp-check'),
      });
      if (flag(values, 'signature-only')) {
        out.data({ valid: true, timestamp: verified.timestamp, secretIndex: verified.secretIndex });
        out.line(
          `${out.green('valid signature')}  t=${verified.timestamp}, secret #${verified.secretIndex + 1} of ${secrets.length}`,
        );
        return EXIT_CODES.ok;
      }
      const event = parseEvent(body);
      out.data({
        valid: true,
        id: event.id,
        name: event.name,
        createdAt: event.createdAt.toISOString(),
        timestamp: verified.timestamp,
        secretIndex: verified.secretIndex,
      });
      out.line(`${out.green('valid')}  ${event.id}  ${out.bold(event.name)}`);
      out.line(
        out.dim(
          `signed at t=${verified.timestamp} with secret #${verified.secretIndex + 1} of ${secrets.length}; created ${event.createdAt.toISOString()}`,
        ),
      );
      return EXIT_CODES.ok;
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) {
        if (error instanceof Error && 'code' in error && error.code === 'invalid_options') {
          throw new CliError('usage', error.message);
        }
        throw error;
      }
      const explain = VERIFY_EXPLANATIONS[error.code];
      out.data({ valid: false, code: error.code, check: explain.check, message: error.message, cause: explain.cause });
      out.line(`${out.red('invalid')}  ${out.bold(error.code)}  (failed check: ${explain.check})`);
      out.line(`  ${error.message}`);
      out.line(`  ${out.dim(`likely cause: ${explain.cause}`)}`);
      return EXIT_CODES.failure;
    }
  },
};

function seconds(values: OptionValues, name: string): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) {
    throw new CliError(
      'usage',
      `--${name} must be a positive duration with its unit, e.g. 300s or 2h (got "${text}"); to skip the check use --skip-timestamp-check`,
    );
  }
  return ms / 1000;
}
