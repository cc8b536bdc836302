import type { CommandSpec } from '../cli/command.js';
import { eventsCommand } from './events.js';
import { keysCommand } from './keys.js';
import { migrateCommand } from './migrate.js';
import { serveCommand } from './serve.js';
import { signCommand } from './sign.js';
import { triggerCommand } from './trigger.js';
import { verifyCommand } from './verify.js';

/** Every subcommand, in the order `--help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  serveCommand,
  triggerCommand,
  eventsCommand,
  migrateCommand,
  keysCommand,
  signCommand,
  verifyCommand,
];
