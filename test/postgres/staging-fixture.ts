/**
 * A staging database for the check's tests: its own database on a test server, seeded with
 * `orders` (200k rows, an index, a text column) and `customers` (1k rows), plus checksums of its
 * schema and data to prove a check changed nothing.
 */
import pg from 'pg';
import { connect } from './pg-sessions';

export const ORDERS_ROWS = 200_000;

export interface StagingDatabase {
  url: string;
  /** A connection of its own, for holding conflicting locks or reading pg_locks. */
  session(): Promise<pg.Client>;
  checksums(): Promise<{ schema: string; data: string }>;
  drop(): Promise<void>;
}

export async function createStagingDatabase(serverUrl: string, name: string, rows = ORDERS_ROWS): Promise<StagingDatabase> {
  const admin = await connect(serverUrl);
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = databaseUrl(serverUrl, name);
  const sessions: pg.Client[] = [];
  const session = async () => {
    const client = await connect(url);
    sessions.push(client);
    return client;
  };
  const seed = await session();
  await seed.query(`
    CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
    INSERT INTO customers SELECT i, 'customer ' || i FROM generate_series(1, 1000) AS i;
    CREATE TABLE orders (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      customer_id int NOT NULL,
      status      text NOT NULL DEFAULT 'new',
      note        varchar(50),
      created_at  timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO orders (customer_id, status, note, created_at)
      SELECT 1 + i % 1000, (ARRAY['new', 'paid', 'shipped'])[1 + i % 3], 'note ' || i, timestamptz '2026-01-01' + i * interval '1 minute'
      FROM generate_series(1, ${rows}) AS i;
    CREATE INDEX orders_status_idx ON orders (status);
  `);
  await seed.query('VACUUM ANALYZE customers');
  await seed.query('VACUUM ANALYZE orders');
  return {
    url,
    session,
    checksums: () => checksums(seed),
    drop: async () => {
      for (const client of sessions) await client.end().catch(() => {});
      const cleanup = await connect(serverUrl);
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Schema (relations with their files, columns, constraints, indexes, sequences) and every row of every table. */
async function checksums(session: pg.Client): Promise<{ schema: string; data: string }> {
  const schema = await session.query<{ sum: string }>(`
    SELECT md5(string_agg(item, ',' ORDER BY item)) AS sum FROM (
      SELECT c.relname || ':' || c.relkind::text || ':' || c.relfilenode || ':' || COALESCE(pg_get_indexdef(c.oid), '') AS item
        FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
      UNION ALL SELECT a.attrelid::regclass || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' || a.attnotnull || ':' || COALESCE(pg_get_expr(d.adbin, d.adrelid), '')
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
      UNION ALL SELECT conname || ':' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
      UNION ALL SELECT tgname FROM pg_trigger WHERE NOT tgisinternal
    ) AS items`);
  const data = await session.query<{ sum: string }>(`
    SELECT md5(
      (SELECT string_agg(o::text, ',' ORDER BY id) FROM orders o) ||
      (SELECT string_agg(c::text, ',' ORDER BY id) FROM customers c) ||
      (SELECT string_agg(sequencename || ':' || COALESCE(last_value, 0), ',') FROM pg_sequences WHERE schemaname = 'public')
    ) AS sum`);
  return { schema: schema.rows[0]!.sum, data: data.rows[0]!.sum };
}
