export { type MigrationSqlOptions, migrationSql } from '../migration-sql.js';
export {
  createPostgresStore,
  type PgClientLike,
  type PgPoolLike,
  type PgQueryResultLike,
  type PostgresStoreOptions,
} from './postgres-store.js';
