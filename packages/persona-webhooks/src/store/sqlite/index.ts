export { migrationSql } from '../migration-sql.js';
export { type Migration, sqliteMigrations } from './migrations.js';
export {
  createSqliteStore,
  type SqliteDatabaseLike,
  type SqliteStatementLike,
  type SqliteStoreOptions,
  type SqliteSynchronous,
} from './sqlite-store.js';
