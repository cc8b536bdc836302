export { type MigrationSqlOptions, migrationSql } from '../migration-sql.js';
export {
  createSqliteStore,
  type SqliteDatabaseLike,
  type SqliteStatementLike,
  type SqliteStoreOptions,
  type SqliteSynchronous,
} from './sqlite-store.js';
