import type { CommandSpec } from '../cli/command.js';
import { doctorCommand } from './doctor.js';
import { eventsCommand } from './events.js';
import { keysCommand } from './keys.js';
import { listenCommand } from './listen.js';
import { migrateCommand } from './migrate.js';
import { reconcileCommand } from './reconcile.js';
import { secretsCommand } from './secrets-rotate.js';
import { serveCommand } from './serve.js';
import { signCommand } from './sign.js';
import { simulateCommand } from './simulate.js';
import { triggerCommand } from './trigger.js';
import { verifyCommand } from './verify.js';

/** Every subcommand, in the order `--help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  serveCommand,
  triggerCommand,
  eventsCommand,
  reconcileCommand,
  listenCommand,
  migrateCommand,
  keysCommand,
  signCommand,
  verifyCommand,
  simulateCommand,
  doctorCommand,
  secretsCommand,
];
