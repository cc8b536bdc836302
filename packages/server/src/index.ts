// Programmatic surface of persona-webhooks-server (the CLI is dist/cli.js).
export { type CommandSpec, formatHelp } from './cli/command.js';
export { CliError, EXIT_CODES, type ExitCode } from './cli/errors.js';
export { main } from './cli/main.js';
export {
  type DatabaseConfig,
  describeDatabase,
  loadConfig,
  parseDatabaseUrl,
  parseSize,
  type ServiceConfig,
  type ServiceRole,
  splitSecrets,
} from './config.js';
export {
  createDashboard,
  type DashboardAuditEntry,
  type DashboardAuth,
  type DashboardHandler,
  type DashboardOptions,
} from './dashboard/index.js';
export { defineHandlers, type HandlerMap, type HandlersModule } from './service/handlers-module.js';
