import pg from 'pg';
import { LOCK_MODES, PG_LOCKS_NAME, type LockMode } from '../../server/src/engine/locks/lock-modes';

export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client(url);
  await client.connect();
  return client;
}

/** Runs `check` with `count` sessions in a fresh schema of their own, dropped afterwards. */
export async function withSchemaSessions(url: string, schema: string, count: number, check: (...sessions: pg.Client[]) => Promise<void>): Promise<void> {
  const sessions = await Promise.all(Array.from({ length: count }, () => connect(url)));
  const [owner] = sessions as [pg.Client];
  try {
    await owner.query(`CREATE SCHEMA ${schema}`);
    for (const session of sessions) await session.query(`SET search_path TO ${schema}`);
    await check(...sessions);
  } finally {
    for (const session of sessions.slice(1)) await session.end();
    await owner.query('ROLLBACK'); // releases locks if an assertion stopped the check midway
    await owner.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await owner.end();
  }
}

export async function runAll(session: pg.Client, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await session.query(statement);
}

const strength = (mode: string) => LOCK_MODES.findIndex((candidate) => PG_LOCKS_NAME[candidate] === mode);

/** The strongest table-level lock this session holds on the relation with `oid`, as a LockMode. */
export async function strongestLockOn(session: pg.Client, oid: number): Promise<LockMode | undefined> {
  const { rows } = await session.query<{ mode: string }>(
    `SELECT mode FROM pg_locks WHERE locktype = 'relation' AND granted AND pid = pg_backend_pid() AND relation = $1`,
    [oid],
  );
  const strongest = rows.map((row) => row.mode).sort((x, y) => strength(y) - strength(x))[0];
  return strongest === undefined ? undefined : LOCK_MODES[strength(strongest)];
}

export async function relationOid(session: pg.Client, schema: string, relation: string): Promise<number> {
  const { rows } = await session.query<{ oid: number }>(`SELECT $1::regclass::oid AS oid`, [`${schema}.${relation}`]);
  return rows[0]!.oid;
}
