export { migrationSql } from '../migration-sql.js';
export {
  COUNT_SLOTS,
  type PostgresMigration,
  type PostgresQualifiedNames,
  type PostgresTableNames,
  postgresMigrations,
  postgresQualifiedNames,
} from './migrations.js';
export {
  createPostgresStore,
  type PgClientLike,
  type PgPoolLike,
  type PgQueryResultLike,
  type PostgresStoreOptions,
} from './postgres-store.js';
