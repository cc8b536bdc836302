// persona-webhooks-server/dashboard: the operator dashboard as a Web fetch handler to mount anywhere, and a
// node:http server for it (re-exports only).
export type { DashboardAuth } from './auth.js';
export {
  createDashboard,
  type DashboardAuditEntry,
  type DashboardHandler,
  type DashboardOptions,
} from './dashboard.js';
export { type FetchServer, serveFetchHandler } from './node-server.js';
export type { ReconcileRunSummary } from './overview-page.js';
