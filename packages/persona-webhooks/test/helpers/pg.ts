// Shared set-up for tests against a real PostgreSQL server.
//
//   const pg = postgresForTests('store-conformance')
//   describe('…', { skip: pg.skip }, () => {
//     before(() => pg.setUp()); after(() => pg.tearDown())
//     it('…', async () => { const pool = pg.pool(); … pg.schema … })
//   })
//
// Without PERSONA_TEST_DATABASE_URL the suites skip with a message naming it; with
// PERSONA_REQUIRE_POSTGRES=1 (CI) a missing URL makes setUp() throw, so the suites fail instead.
import pg from 'pg';

export const POSTGRES_URL_VARIABLE = 'PERSONA_TEST_DATABASE_URL';
export const REQUIRE_POSTGRES_VARIABLE = 'PERSONA_REQUIRE_POSTGRES';

export interface PostgresForTests {
  /** false when the tests should run; otherwise the visible skip message. */
  readonly skip: string | false;
  /** The connection string (throws when unset). */
  readonly url: string;
  /** A schema unique to this test file and process, created by setUp and dropped by tearDown. */
  readonly schema: string;
  /** Creates the pool and the schema. */
  setUp(): Promise<void>;
  /** Drops the schema and ends every pool this helper made. */
  tearDown(): Promise<void>;
  /** The shared pool (after setUp). */
  pool(): pg.Pool;
  /** An extra pool with its own options (ended by tearDown). */
  newPool(config?: pg.PoolConfig): pg.Pool;
}

let warned = false;

export function postgresForTests(label: string): PostgresForTests {
  const url = process.env[POSTGRES_URL_VARIABLE];
  const required = process.env[REQUIRE_POSTGRES_VARIABLE] === '1';
  const skip =
    url === undefined || url === ''
      ? required
        ? false
        : `PostgreSQL tests skipped: set ${POSTGRES_URL_VARIABLE}=postgres://postgres@127.0.0.1:5432/test to run them`
      : false;
  if (skip !== false && !warned) {
    warned = true;
    process.stderr.write(`\n# ${skip}\n`);
  }
  const schema =
    `t_${label.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.slice(
      0,
      48,
    );
  const pools: pg.Pool[] = [];
  let shared: pg.Pool | undefined;
  const requireUrl = (): string => {
    if (url === undefined || url === '') {
      throw new Error(
        `${REQUIRE_POSTGRES_VARIABLE}=1 but ${POSTGRES_URL_VARIABLE} is not set: cannot run the PostgreSQL tests`,
      );
    }
    return url;
  };
  const newPool = (config: pg.PoolConfig = {}): pg.Pool => {
    const pool = new pg.Pool({ connectionString: requireUrl(), max: 10, ...config });
    // An idle client that loses its connection must not crash the test process.
    pool.on('error', () => {});
    pools.push(pool);
    return pool;
  };
  return {
    skip,
    get url() {
      return requireUrl();
    },
    schema,
    async setUp() {
      shared = newPool();
      await shared.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    },
    async tearDown() {
      try {
        if (shared !== undefined) await shared.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await Promise.all(pools.splice(0).map((p) => p.end().catch(() => {})));
        shared = undefined;
      }
    },
    pool() {
      if (shared === undefined) throw new Error('call setUp() first');
      return shared;
    },
    newPool,
  };
}
