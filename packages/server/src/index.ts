// Programmatic surface of persona-webhooks-server (the CLI is dist/cli.js): what a handlers module imports.
// The dashboard has its own subpath, persona-webhooks-server/dashboard.
export { defineHandlers, type HandlerMap, type HandlersModule } from './service/handlers-module.js';
