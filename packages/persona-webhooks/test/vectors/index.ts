import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of the shared vectors file (for tools that read it themselves). */
export const SIGNATURE_VECTORS_PATH: string = fileURLToPath(new URL('./signatures.json', import.meta.url));

/** The verifySignature options a vector sets, beyond secrets, body, header and now. */
export interface SignatureVectorOptions {
  readonly toleranceSeconds?: number;
  readonly futureToleranceSeconds?: number;
  readonly disableTimestampCheck?: boolean;
}

/** What verifying the vector must give. `code` may be `invalid_options`, which is not a verification code. */
export type SignatureVectorExpectation =
  | { readonly ok: true; readonly timestamp: number; readonly secretIndex: number }
  | { readonly ok: false; readonly code: string };

/** One shared Persona-Signature vector, decoded. */
export interface SignatureVector {
  /** A sentence, unique in the file: usable as a test name. */
  readonly name: string;
  /** The secrets to verify with, in order (may be empty, to test `no_secret`). */
  readonly secrets: readonly string[];
  /** The exact body bytes, or the object a framework parsed the body into (`body_not_raw`). */
  readonly body: Uint8Array | Readonly<Record<string, unknown>>;
  /** The body as a string, when its bytes are valid UTF-8 (a BOM included); otherwise undefined. */
  readonly bodyText: string | undefined;
  /** The `Persona-Signature` value: a string, the values of a repeated header, or null when absent. */
  readonly header: string | readonly string[] | null;
  /** The time to verify at, in unix seconds. */
  readonly now: number;
  readonly options: SignatureVectorOptions;
  readonly expected: SignatureVectorExpectation;
}

interface VectorFile {
  vectors: {
    name: string;
    secrets: string[];
    bodyBase64?: string;
    bodyJson?: Record<string, unknown>;
    header: string | string[] | null;
    now: number;
    options?: SignatureVectorOptions;
    expected: SignatureVectorExpectation;
  }[];
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function utf8OrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Reads `signatures.json`: the Persona-Signature vectors signed by Python's `hmac` module, shared by the
 * library's tests and the CLI's tests.
 *
 * @example
 * ```ts
 * for (const v of loadSignatureVectors()) {
 *   it(v.name, async () => { ... verifySignature({ body: v.body, header: v.header, secret: v.secrets, now: v.now * 1000 }) })
 * }
 * ```
 */
export function loadSignatureVectors(): SignatureVector[] {
  const file = JSON.parse(readFileSync(SIGNATURE_VECTORS_PATH, 'utf8')) as VectorFile;
  return file.vectors.map((v) => {
    const bytes = v.bodyBase64 === undefined ? undefined : new Uint8Array(Buffer.from(v.bodyBase64, 'base64'));
    return {
      name: v.name,
      secrets: v.secrets,
      body: bytes ?? v.bodyJson ?? {},
      bodyText: bytes === undefined ? undefined : utf8OrUndefined(bytes),
      header: v.header,
      now: v.now,
      options: v.options ?? {},
      expected: v.expected,
    };
  });
}
