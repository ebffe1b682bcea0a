import pg from 'pg';
import { installedMajors, startPostgres, type PostgresServer } from '../../postgres/pg-server';

/** Rows in the staging table: enough for measurable statements, quick to load. */
const ORDERS_ROWS = 20_000;

/**
 * The staging database of the "check migration" tests: the newest PostgreSQL the project installs,
 * with the `orders` table the fixture migrations change (as 001_create_orders.sql creates it).
 */
export async function startStagingDatabase(): Promise<PostgresServer> {
  const major = installedMajors().at(-1);
  if (major === undefined) throw new Error('No PostgreSQL for the staging check tests: run npm ci in the repository (it installs pg-bin-13 … pg-bin-18).');
  const server = await startPostgres({ major });
  const client = new pg.Client({ connectionString: server.url });
  try {
    await client.connect();
    await client.query(`
      CREATE TABLE orders (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id bigint NOT NULL,
        status      text   NOT NULL DEFAULT 'new'
      );
      INSERT INTO orders (customer_id, status) SELECT n % 1000, (ARRAY['new', 'paid', 'shipped'])[n % 3 + 1] FROM generate_series(1, ${ORDERS_ROWS}) AS n;
      ANALYZE orders;`);
  } catch (error) {
    await server.stop();
    throw error;
  } finally {
    await client.end();
  }
  return server;
}
