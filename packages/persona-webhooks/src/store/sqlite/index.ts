export { type MigrationSqlOptions, migrationSql } from '../migration-sql.js';
export {
  createSqliteStatusReader,
  type SqliteStatusReader,
  type SqliteStatusReaderOptions,
} from './sqlite-status-reader.js';
export {
  createSqliteStore,
  type SqliteDatabaseLike,
  type SqliteStatementLike,
  type SqliteStore,
  type SqliteStoreOptions,
  type SqliteSynchronous,
} from './sqlite-store.js';
