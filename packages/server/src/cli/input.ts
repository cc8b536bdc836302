import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError } from './errors.js';

/**
 * Reads a body from a file, or from stdin for `-` (or when no file is given and stdin is piped).
 * Returns the exact bytes: nothing is decoded, so the HMAC covers what was sent.
 *
 * @example
 * ```ts
 * const body = await readBody('event.json', { cwd: process.cwd(), stdin: process.stdin })
 * ```
 */
export async function readBody(
  file: string | undefined,
  context: { cwd: string; stdin: NodeJS.ReadableStream & { isTTY?: boolean } },
): Promise<Buffer> {
  if (file === undefined || file === '-') {
    if (file === undefined && context.stdin.isTTY === true) {
      throw new CliError('usage', 'no body: pass a FILE, or pipe the body on stdin (use "-" to read stdin explicitly)');
    }
    const chunks: Buffer[] = [];
    for await (const chunk of context.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(resolve(context.cwd, file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable');
    throw new CliError('input', `cannot read ${file}: ${why}`);
  }
}
