import { randomBytes } from 'node:crypto';
import type { CommandSpec } from '../cli/command.js';
import { CliError, EXIT_CODES } from '../cli/errors.js';
import { loadConfig } from '../config.js';
import { migrateDatabase, openDatabase } from '../service/database.js';
import { DATABASE_OPTIONS } from './serve.js';

/**
 * `persona-webhooks keys`: make an encryption key, and re-encrypt stored payloads with the newest key.
 *
 * @example
 * ```sh
 * PERSONA_ENCRYPTION_KEYS="k2025:…,k2026:…" persona-webhooks keys rotate
 * ```
 */
export const keysCommand: CommandSpec = {
  name: 'keys',
  summary: 'generate an encryption key, or re-encrypt stored payloads with the newest one',
  usage: 'persona-webhooks keys generate [--id ID] | keys rotate [--database-url URL]',
  description: [
    'Payloads are encrypted at rest with AES-256-GCM when PERSONA_ENCRYPTION_KEYS is set: "id:base64key",',
    'several separated by commas, oldest first; new writes use the last one, reads use the id stored with each',
    'payload. To rotate: append a new key, restart, then run "keys rotate" (serve also does it in the background);',
    'once it reports nothing left, the old key can be removed. rotate is safe to interrupt and run again.',
  ].join('\n'),
  positionals: 1,
  options: {
    ...DATABASE_OPTIONS,
    id: { type: 'string', value: 'ID', description: 'generate: the key id (default k<yyyymmdd>).' },
  },
  examples: [
    '$ persona-webhooks keys generate',
    '$ PERSONA_ENCRYPTION_KEYS="k20260101:…,k20261206:…" persona-webhooks keys rotate',
  ],
  exitCodes: [
    [EXIT_CODES.ok, 'done'],
    [EXIT_CODES.usage, 'unknown subcommand'],
    [EXIT_CODES.config, 'no or invalid encryption keys'],
    [EXIT_CODES.database, 'the database is unreachable or cannot be migrated'],
  ],
  async run({ positionals, values, out, env, cwd }) {
    const sub = positionals[0];
    if (sub === 'generate') {
      const id =
        typeof values.id === 'string' ? values.id : `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
      const entry = `${id}:${randomBytes(32).toString('base64')}`;
      out.data({ key: entry });
      out.line(entry);
      out.note('append it to PERSONA_ENCRYPTION_KEYS (comma-separated, newest last); keep it in your secret store');
      return EXIT_CODES.ok;
    }
    if (sub !== 'rotate') {
      throw new CliError(
        'usage',
        `${sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`}: use generate or rotate`,
      );
    }
    const config = loadConfig({ flags: values as never, env, cwd });
    if (config.encryptionKeys.length === 0) {
      throw new CliError('config', 'no encryption keys: set PERSONA_ENCRYPTION_KEYS="id:base64key,…" (newest last)');
    }
    const db = await openDatabase(config.database, {
      protection: { encryptionKeys: config.encryptionKeys, redaction: config.redaction },
    });
    try {
      await migrateDatabase(db);
      const report = await db.store.rotateKeys({
        onProgress: (r) => out.note(`examined ${r.examined}, re-encrypted ${r.reencrypted}`),
      });
      out.data({ ...report, key: db.store.keyring?.currentId });
      out.line(
        `${report.reencrypted} payload(s) re-encrypted with key "${db.store.keyring?.currentId}" (${report.examined} examined)`,
      );
      out.line(out.dim('every stored payload now uses the newest key: older keys can be removed'));
      return EXIT_CODES.ok;
    } finally {
      await db.close().catch(() => undefined);
    }
  },
};
