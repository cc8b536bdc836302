// The operator dashboard: a Web fetch handler to mount anywhere, and its parts that others may reuse.
export { type DashboardAuth, generateDashboardToken } from './auth.js';
export {
  createDashboard,
  type DashboardAuditEntry,
  type DashboardHandler,
  type DashboardOptions,
} from './dashboard.js';
export { type FetchServer, serveFetchHandler } from './node-server.js';
export type { ReconcileRunSummary } from './overview-page.js';
export { isPersonalKey, MASKED, maskPersonalData } from './personal-data-mask.js';
