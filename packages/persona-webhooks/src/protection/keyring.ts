// Encryption at rest of stored payloads: AES-256-GCM through Web Crypto (Node ≥ 20, Deno, Bun, Workers: one
// implementation everywhere the library runs), a keyring with key ids so keys rotate without downtime.
import { PersonaWebhookError } from '../errors.js';

/** One key: a short id stored with every payload it encrypts, and 32 bytes (raw or base64). */
export interface EncryptionKey {
  /** Letters, digits, `_` and `-`, at most 32 characters; stored in clear with each payload. */
  readonly id: string;
  /** 32 bytes, or their base64 / base64url text. */
  readonly key: Uint8Array | string;
}

/**
 * A set of keys: new writes use the newest (last) one, reads use the key id stored with the payload.
 *
 * @example
 * ```ts
 * const keyring: Keyring = createKeyring([{ id: 'k2026', key: process.env.PERSONA_ENCRYPTION_KEY }])
 * ```
 */
export interface Keyring {
  /** Ids of all keys, oldest first. */
  readonly ids: readonly string[];
  /** The id new payloads are encrypted with. */
  readonly currentId: string;
  /** Encrypts a payload of event `eventId` (bound to it: a ciphertext moved to another row does not decrypt). */
  encrypt(eventId: string, plaintext: string): Promise<string>;
  /** Decrypts what `encrypt` produced; text that is not an encrypted payload is returned as it is (rows stored before encryption was turned on). */
  decrypt(eventId: string, stored: string): Promise<string>;
}

/** Prefix of an encrypted payload: `pwenc1.<key id>.<iv>.<ciphertext and tag>` (base64url). */
export const ENCRYPTED_PREFIX = 'pwenc1.';

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function invalid(message: string): PersonaWebhookError {
  return new PersonaWebhookError('invalid_options', message);
}

function fromBase64(text: string): Uint8Array {
  const normal = text.trim().replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(normal)) return new Uint8Array(0);
  const binary = atob(normal.padEnd(Math.ceil(normal.length / 4) * 4, '='));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The key id an encrypted payload was written with, or null for a payload stored in clear.
 *
 * @example
 * ```ts
 * encryptedKeyId('pwenc1.k2026.…') // 'k2026'
 * ```
 */
export function encryptedKeyId(stored: string): string | null {
  if (!stored.startsWith(ENCRYPTED_PREFIX)) return null;
  const end = stored.indexOf('.', ENCRYPTED_PREFIX.length);
  return end === -1 ? null : stored.slice(ENCRYPTED_PREFIX.length, end);
}

/**
 * Parses `PERSONA_ENCRYPTION_KEYS`-style text: `id:base64key`, several separated by commas or spaces, oldest
 * first (the last is used for new writes).
 *
 * @throws PersonaWebhookError `invalid_options` naming the entry (never its key)
 * @example
 * ```ts
 * parseKeyringText('k2025:3q2+7w…,k2026:Zm9v…') // [{ id: 'k2025', key: '3q2+7w…' }, { id: 'k2026', key: 'Zm9v…' }]
 * ```
 */
export function parseKeyringText(text: string): EncryptionKey[] {
  const entries = text.split(/[\s,]+/).filter((e) => e !== '');
  return entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw invalid(`encryption key #${i + 1}: expected id:base64key`);
    return { id: entry.slice(0, colon), key: entry.slice(colon + 1) };
  });
}

/**
 * Creates a keyring for encrypting stored payloads with AES-256-GCM. Keys are given oldest first; new writes
 * use the last one. Generate a key with `openssl rand -base64 32`.
 *
 * @throws PersonaWebhookError `invalid_options`: no key, a key that is not 32 bytes, a bad or repeated id
 * @example
 * ```ts
 * const keyring = createKeyring([
 *   { id: 'k2025', key: process.env.OLD_KEY },
 *   { id: 'k2026', key: process.env.NEW_KEY }, // new writes
 * ])
 * const store = createProtectedStore(createSqliteStore({ database }), { keyring })
 * ```
 */
export function createKeyring(keys: readonly EncryptionKey[]): Keyring {
  if (!Array.isArray(keys) || keys.length === 0) throw invalid('createKeyring: pass at least one { id, key }');
  const material = new Map<string, Uint8Array>();
  for (const [i, k] of keys.entries()) {
    if (typeof k?.id !== 'string' || !KEY_ID.test(k.id)) {
      throw invalid(`encryption key #${i + 1}: the id must be 1-32 letters, digits, "_" or "-"`);
    }
    if (material.has(k.id)) throw invalid(`encryption key id "${k.id}" is given twice`);
    const bytes = typeof k.key === 'string' ? fromBase64(k.key) : k.key;
    if (!(bytes instanceof Uint8Array) || bytes.byteLength !== 32) {
      throw invalid(`encryption key "${k.id}" must be 32 bytes (base64 of 32 random bytes: openssl rand -base64 32)`);
    }
    material.set(k.id, new Uint8Array(bytes));
  }
  const ids = [...material.keys()];
  const currentId = ids[ids.length - 1] as string;
  const imported = new Map<string, Promise<CryptoKey>>();
  const cryptoKey = (id: string): Promise<CryptoKey> => {
    let key = imported.get(id);
    if (key === undefined) {
      const raw = material.get(id);
      if (raw === undefined) {
        throw new PersonaWebhookError(
          'invalid_options',
          `a stored payload is encrypted with key "${id}", which is not in the keyring: add it back (keys can only be retired after "persona-webhooks keys rotate")`,
        );
      }
      key = crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, 'AES-GCM', false, ['encrypt', 'decrypt']);
      imported.set(id, key);
    }
    return key;
  };

  return {
    ids,
    currentId,
    async encrypt(eventId, plaintext) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: encoder.encode(eventId) },
        await cryptoKey(currentId),
        encoder.encode(plaintext),
      );
      return `${ENCRYPTED_PREFIX}${currentId}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
    },
    async decrypt(eventId, stored) {
      const id = encryptedKeyId(stored);
      if (id === null) return stored;
      const rest = stored.slice(ENCRYPTED_PREFIX.length + id.length + 1);
      const dot = rest.indexOf('.');
      const iv = fromBase64(rest.slice(0, dot));
      const sealed = fromBase64(rest.slice(dot + 1));
      try {
        const plain = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: iv as Uint8Array<ArrayBuffer>, additionalData: encoder.encode(eventId) },
          await cryptoKey(id),
          sealed as Uint8Array<ArrayBuffer>,
        );
        return decoder.decode(plain);
      } catch (error) {
        if (error instanceof PersonaWebhookError) throw error;
        throw new PersonaWebhookError(
          'invalid_options',
          `the stored payload of ${eventId} does not decrypt with key "${id}" (wrong key material, or the row was tampered with)`,
        );
      }
    },
  };
}
