import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** @type {import('next').NextConfig} */
export default {
  // The workspace root holds node_modules and the persona-webhooks package.
  turbopack: { root },
  outputFileTracingRoot: root,
};
