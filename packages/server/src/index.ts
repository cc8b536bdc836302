// Programmatic surface of persona-webhooks-server (the CLI is dist/cli.js): what a handlers module imports.
export { defineHandlers, type HandlerMap, type HandlersModule } from './service/handlers-module.js';
