import { PersonaWebhookError, WebhookVerificationError } from '../errors.js';
import { type NumberRule, numberOption } from '../options.js';
import { type RawBody, toSignedBytes } from './body.js';
import { parseSignatureHeader, type SignatureSet } from './header.js';
import { type HmacEngine, isHexSha256, type SignedBytes } from './hmac.js';

/** Persona documents no replay window; five minutes is the common choice for this scheme. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
/** Clock skew allowed into the future: smaller, since a sender cannot sign ahead of its own clock. */
export const DEFAULT_FUTURE_TOLERANCE_SECONDS = 60;

/**
 * The secret(s) to verify or sign with: one string, or an array while you rotate (the result of a
 * verification says which one matched; signing makes one signature set per secret, as Persona does).
 */
export interface SecretOptions {
  /** The webhook's secret (`wbhsec_…`), used as-is; an array of them during a rotation. */
  secret: string | readonly string[];
}

/** How far a signature's `t` may be from now. */
export interface TimestampOptions {
  /** Oldest accepted `t`, in seconds before now. Default 300. Must be > 0: use `disableTimestampCheck` to turn the check off. */
  toleranceSeconds?: number;
  /** Newest accepted `t`, in seconds after now (clock skew). Default 60. */
  futureToleranceSeconds?: number;
  /** Explicitly skip the replay window (for instance when re-verifying a stored delivery). Default false. */
  disableTimestampCheck?: boolean;
  /** The time to check against, as a `Date` or milliseconds since the epoch. Default: now. */
  now?: Date | number;
}

export interface VerifySignatureOptions extends SecretOptions, TimestampOptions {
  /** The raw request body. */
  body: RawBody;
  /** The `Persona-Signature` header value (see `getSignatureHeader`). */
  header: string | readonly string[] | null | undefined;
}

export interface VerifiedSignature {
  /** The matching set's `t`, in unix seconds. */
  timestamp: number;
  /** Which secret matched: 0 for a single secret, else its index in the `secret` array. */
  secretIndex: number;
}

/**
 * Turns the `secret` option into a checked list.
 * @internal
 * @example
 * ```ts
 * collectSecrets({ secret: ['wbhsec_new', 'wbhsec_old'] }) // ['wbhsec_new', 'wbhsec_old']
 * ```
 */
export function collectSecrets(options: SecretOptions): readonly string[] {
  const { secret } = options;
  if ((options as { secrets?: unknown }).secrets !== undefined) {
    throw new PersonaWebhookError(
      'invalid_options',
      'The `secrets` option was removed: pass `secret: [newSecret, oldSecret]` (an array during a rotation).',
    );
  }
  // The common case, one secret string, without building a list.
  if (typeof secret === 'string' && secret.trim() !== '') return [secret];
  const list: readonly unknown[] = Array.isArray(secret) ? secret : secret === undefined ? [] : [secret];
  if (list.length === 0) {
    throw new WebhookVerificationError(
      'no_secret',
      'No webhook secret was given: pass `secret` (the wbhsec_… value from the Persona dashboard, under Webhooks).',
    );
  }
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    if (typeof s !== 'string' || s.trim() === '') {
      throw new WebhookVerificationError(
        'no_secret',
        `Secret #${i + 1} is empty or not a string: check the environment variable it comes from.`,
      );
    }
  }
  return list as readonly string[];
}

function checkNow(now: Date | number | undefined): Date | number | undefined {
  if (now === undefined) return undefined;
  const ms = now instanceof Date ? now.getTime() : now;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new PersonaWebhookError('invalid_options', 'now must be a valid Date or milliseconds since the epoch.');
  }
  return ms;
}

function toSeconds(now: Date | number | undefined): number {
  if (now === undefined) return Date.now() / 1000;
  if (now instanceof Date) return now.getTime() / 1000;
  return now / 1000;
}

// One rule object for every call: verification is the hot path, so nothing is allocated for the check.
const TOLERANCE_RULE: NumberRule = {
  unit: 'seconds',
  hint: 'To skip the timestamp check, pass disableTimestampCheck: true.',
};

function checkTolerance(name: string, value: number | undefined, fallback: number): number {
  return value === undefined ? fallback : numberOption('verifySignature', name, value, fallback, TOLERANCE_RULE);
}

/**
 * Checks the replay-window options once (the receiver calls it at creation, so a bad value is refused then,
 * not at every delivery).
 * @internal
 * @example
 * ```ts
 * checkTimestampOptions({ toleranceSeconds: 300 })
 * ```
 */
export function checkTimestampOptions(options: TimestampOptions): void {
  if (options.disableTimestampCheck === true) return;
  checkTolerance('toleranceSeconds', options.toleranceSeconds, DEFAULT_TOLERANCE_SECONDS);
  checkTolerance('futureToleranceSeconds', options.futureToleranceSeconds, DEFAULT_FUTURE_TOLERANCE_SECONDS);
  checkNow(options.now);
}

function mismatch(
  secrets: readonly string[],
  sets: readonly SignatureSet[],
  body: SignedBytes,
): WebhookVerificationError {
  const hints: string[] = [];
  secrets.forEach((s, i) => {
    if (s !== s.trim()) hints.push(`secret #${i + 1} has leading or trailing whitespace (trim it)`);
    else if (!s.startsWith('wbhsec_'))
      hints.push(`secret #${i + 1} does not start with "wbhsec_" as Persona webhook secrets do`);
  });
  if (!sets.some((set) => set.signatures.some(isHexSha256))) {
    hints.push('no v1 value is 64 hex digits, as an HMAC-SHA256 in hex is (truncated, or base64?)');
  }
  const hint = hints.length > 0 ? ` Hint: ${hints.join('; ')}.` : '';
  const timestamps = sets.map((set) => `t=${set.timestampText}`).join(', ');
  return new WebhookVerificationError(
    'signature_mismatch',
    `No signature matched: tried ${sets.length} signature set(s) (${timestamps}) against ${secrets.length} secret(s) over a body of ${body.length} ${typeof body === 'string' ? 'characters' : 'bytes'}. ` +
      `Likely causes: the body was parsed and re-serialised (verify the raw bytes), the secret belongs to another webhook or environment (sandbox vs production), or the body was changed in transit.${hint}`,
    {
      details: {
        bodyLength: body.length,
        signatureSets: sets.length,
        secretsTried: secrets.length,
        timestamp: (sets[0] as SignatureSet).timestamp,
      },
    },
  );
}

/** The replay-window error for a matching set's `t`, or undefined when it is inside the window. */
function timestampError(timestamp: number, replay: ReplayWindow, sets: number): WebhookVerificationError | undefined {
  if (replay.disabled) return undefined;
  const { past, future } = replay;
  const now = toSeconds(replay.now);
  const age = now - timestamp;
  if (age > past) {
    return new WebhookVerificationError(
      'timestamp_too_old',
      `The signature is valid but its timestamp t=${timestamp} is ${Math.round(age)} s old (tolerance ${past} s): a replayed or long-delayed delivery, or this server's clock is behind.`,
      { details: { timestamp, now: Math.floor(now), toleranceSeconds: past, signatureSets: sets } },
    );
  }
  if (-age > future) {
    return new WebhookVerificationError(
      'timestamp_in_future',
      `The signature is valid but its timestamp t=${timestamp} is ${Math.round(-age)} s in the future (tolerance ${future} s): this server's clock is probably behind.`,
      { details: { timestamp, now: Math.floor(now), toleranceSeconds: future, signatureSets: sets } },
    );
  }
  return undefined;
}

/** The outcome of a check: a result at once (node:crypto) or later (Web Crypto). Throws synchronously. */
type CheckResult = VerifiedSignature | Promise<VerifiedSignature>;

/**
 * Builds the signature check on one HMAC engine, answering synchronously when the engine does, so that
 * the package's `verifySignature`/`verifyWebhook` add a single promise on top, not one per step.
 * @internal
 * @example
 * ```ts
 * const check = createSignatureCheck(hmacEngine)
 * const result = check({ body, header, secret }) // VerifiedSignature or a Promise of it; throws on failure
 * ```
 */
export function createSignatureCheck(engine: HmacEngine): (options: VerifySignatureOptions) => CheckResult {
  return function checkSignature(options: VerifySignatureOptions): CheckResult {
    const secrets = collectSecrets(options);
    const body = toSignedBytes(options.body);
    const sets = parseSignatureHeader(options.header);
    // Validate tolerance options before any HMAC, so a bad option never hides behind a mismatch.
    const disabled = options.disableTimestampCheck === true;
    const replay: ReplayWindow = {
      disabled,
      past: disabled ? 0 : checkTolerance('toleranceSeconds', options.toleranceSeconds, DEFAULT_TOLERANCE_SECONDS),
      future: disabled
        ? 0
        : checkTolerance('futureToleranceSeconds', options.futureToleranceSeconds, DEFAULT_FUTURE_TOLERANCE_SECONDS),
      now: disabled ? undefined : checkNow(options.now),
    };
    // A matching set outside the replay window is remembered, not thrown at once: during a rotation
    // another set (another t) may match inside the window, and any in-window match is enough.
    let stale: WebhookVerificationError | undefined;
    for (let s = 0; s < secrets.length; s++) {
      for (let k = 0; k < sets.length; k++) {
        const set = sets[k] as SignatureSet;
        const result = engine.matches(secrets[s] as string, set.timestampText, body, set.signatures);
        if (result === false) continue;
        if (result !== true) return continueAsync(engine, result, s, k, secrets, sets, body, replay, stale);
        const error = timestampError(set.timestamp, replay, sets.length);
        if (error === undefined) return { timestamp: set.timestamp, secretIndex: s };
        stale ??= error;
      }
    }
    throw stale ?? mismatch(secrets, sets, body);
  };
}

interface ReplayWindow {
  readonly disabled: boolean;
  readonly past: number;
  readonly future: number;
  readonly now: Date | number | undefined;
}

// Web Crypto answers asynchronously: walk the rest of the (secret × set) pairs with await.
async function continueAsync(
  engine: HmacEngine,
  first: Promise<boolean>,
  s0: number,
  k0: number,
  secrets: readonly string[],
  sets: readonly SignatureSet[],
  body: SignedBytes,
  replay: ReplayWindow,
  staleSoFar: WebhookVerificationError | undefined,
): Promise<VerifiedSignature> {
  let stale = staleSoFar;
  let pending: Promise<boolean> | undefined = first;
  for (let s = s0; s < secrets.length; s++) {
    for (let k = s === s0 ? k0 : 0; k < sets.length; k++) {
      const set = sets[k] as SignatureSet;
      const matched = await (pending ?? engine.matches(secrets[s] as string, set.timestampText, body, set.signatures));
      pending = undefined;
      if (!matched) continue;
      const error = timestampError(set.timestamp, replay, sets.length);
      if (error === undefined) return { timestamp: set.timestamp, secretIndex: s };
      stale ??= error;
    }
  }
  throw stale ?? mismatch(secrets, sets, body);
}

/**
 * Builds `verifySignature` on one HMAC engine. The package exports it built on the runtime's
 * best engine; tests build one per engine to run the same suite against both.
 * @internal
 * @example
 * ```ts
 * import { hmacEngine } from './hmac-web.js'
 * const verifySignature = createSignatureVerifier(hmacEngine)
 * ```
 */
export function createSignatureVerifier(
  engine: HmacEngine,
): (options: VerifySignatureOptions) => Promise<VerifiedSignature> {
  const check = createSignatureCheck(engine);
  return function verifySignature(options: VerifySignatureOptions): Promise<VerifiedSignature> {
    try {
      return Promise.resolve(check(options));
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
