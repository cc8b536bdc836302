#!/usr/bin/env node
// The `persona-webhooks` binary.
import { main } from './cli/main.js';
import { COMMANDS } from './commands/index.js';

process.exitCode = await main(process.argv.slice(2), COMMANDS);
