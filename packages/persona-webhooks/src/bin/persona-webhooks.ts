#!/usr/bin/env node
// The `persona-webhooks` command. The CLI lives in persona-webhooks-server (it brings a logger, metrics and
// database drivers the zero-dependency library must not carry); this shim lets `npx persona-webhooks …` work
// wherever both packages are installed, and says what to install where only the library is.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const SERVER = 'persona-webhooks-server';

/** The server's package.json, looked up from the project first (pnpm keeps it out of our own reach), then from here. */
function findServerManifest(): string | undefined {
  for (const base of [join(process.cwd(), 'package.json'), import.meta.url]) {
    try {
      return createRequire(base).resolve(`${SERVER}/package.json`);
    } catch {
      // Not installed where this base looks: try the next one.
    }
  }
  return undefined;
}

const manifestPath = findServerManifest();
if (manifestPath === undefined) {
  process.stderr.write(
    [
      `persona-webhooks: the command line lives in the ${SERVER} package, which is not installed here.`,
      `  npm install ${SERVER}          then: npx persona-webhooks --help`,
      `  npx ${SERVER} --help           or run it without installing`,
      '',
    ].join('\n'),
  );
  process.exitCode = 1;
} else {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: Record<string, string> };
  const entry = manifest.bin[SERVER];
  if (entry === undefined) throw new Error(`${SERVER}'s package.json declares no ${SERVER} binary`);
  // The server's entry reads process.argv itself, so the arguments pass through unchanged.
  await import(pathToFileURL(join(dirname(manifestPath), entry)).href);
}
