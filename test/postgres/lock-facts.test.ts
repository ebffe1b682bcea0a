/**
 * Checks every rule's lock and failure facts against a real PostgreSQL server: the lock mode the
 * statement takes (from pg_locks), the application operations it actually blocks (measured from a
 * second session), and the SQLSTATE of statements PostgreSQL rejects.
 */
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { LOCK_MODES, PG_LOCKS_NAME, type Operation } from '../../server/src/engine/locks/lock-modes';
import { ALL_RULES } from '../../server/src/engine/rules/registry';
import type { FailureFact, LockFact, VersionRange } from '../../server/src/engine/rules/rule';

/** SQLSTATE lock_not_available: the statement waited longer than lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';

/** The application traffic measured from the second session. */
const MEASURED = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const satisfies readonly Operation[];
type MeasuredOperation = (typeof MEASURED)[number];

/** Statements that succeed on the probes' seeded table `(id int PRIMARY KEY, customer_id int)` unless blocked. */
const OPERATION_SQL: Readonly<Record<MeasuredOperation, (table: string) => string>> = {
  SELECT: (table) => `SELECT * FROM ${table} WHERE id = 1`,
  INSERT: (table) => `INSERT INTO ${table} (id, customer_id) VALUES (-1, 0)`,
  UPDATE: (table) => `UPDATE ${table} SET customer_id = customer_id + 1 WHERE id = 1`,
  DELETE: (table) => `DELETE FROM ${table} WHERE id = 1`,
};

const url = inject('pgUrl');
const major = await serverMajorVersion();

for (const rule of ALL_RULES.filter((candidate) => candidate.facts.length > 0)) {
  describe(`${rule.id} on PostgreSQL ${major}`, () => {
    rule.facts.forEach((fact, index) => {
      it(fact.statement, async () => {
        expect(inRange(major, fact.versions), `the fact holds for ${JSON.stringify(fact.versions)}`).toBe(true);
        const schema = `lock_facts_${rule.id.replaceAll('-', '_')}_${index}`;
        await withSessions(schema, (a, b) => (fact.kind === 'lock' ? checkLock(fact, schema, a, b) : checkFailure(fact, a)));
      });
    });
  });
}

async function serverMajorVersion(): Promise<number> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    return Math.floor(Number(rows[0]!.server_version_num) / 10_000);
  } finally {
    await client.end();
  }
}

function inRange(version: number, { from, until }: VersionRange): boolean {
  return version >= from && (until === undefined || version <= until);
}

/** Runs `check` with two sessions in a fresh schema of their own, so facts never see each other's tables. */
async function withSessions(schema: string, check: (a: pg.Client, b: pg.Client) => Promise<void>): Promise<void> {
  const [a, b] = await Promise.all([connect(), connect()]);
  try {
    await a.query(`CREATE SCHEMA ${schema}`);
    for (const session of [a, b]) await session.query(`SET search_path TO ${schema}`);
    await check(a, b);
  } finally {
    await b.end();
    await a.query('ROLLBACK'); // releases the probe's locks if an assertion stopped the check midway
    await a.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await a.end();
  }
}

async function connect(): Promise<pg.Client> {
  const client = new pg.Client(url);
  await client.connect();
  return client;
}

async function runSetup(session: pg.Client, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await session.query(statement);
}

async function checkLock(fact: LockFact, schema: string, a: pg.Client, b: pg.Client): Promise<void> {
  await runSetup(a, fact.probe.setup);
  await a.query('BEGIN');
  await a.query(fact.probe.statement);
  // Soft: when the mode is wrong, the measured blocking still shows what the server really does.
  expect.soft(await strongestLock(a, schema, fact.probe.relation), `lock on ${fact.probe.relation}`).toBe(PG_LOCKS_NAME[fact.mode]);
  const expected = MEASURED.filter((operation) => fact.blocks.includes(operation));
  expect.soft(await blockedOperations(b, fact.probe.relation), 'operations blocked in another session').toEqual(expected);
  await a.query('ROLLBACK');
}

/** The strongest table-level lock this session holds on `relation`, as pg_locks names it. */
async function strongestLock(session: pg.Client, schema: string, relation: string): Promise<string | undefined> {
  const { rows } = await session.query<{ mode: string }>(
    `SELECT l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
     WHERE l.locktype = 'relation' AND l.granted AND l.pid = pg_backend_pid()
       AND c.relnamespace = $1::regnamespace AND c.relname = $2`,
    [schema, relation],
  );
  const strength = (mode: string) => LOCK_MODES.findIndex((candidate) => PG_LOCKS_NAME[candidate] === mode);
  return rows.map((row) => row.mode).sort((x, y) => strength(y) - strength(x))[0];
}

async function blockedOperations(session: pg.Client, table: string): Promise<MeasuredOperation[]> {
  await session.query(`SET lock_timeout = '300ms'`);
  const blocked: MeasuredOperation[] = [];
  for (const operation of MEASURED) {
    if (await isBlocked(session, OPERATION_SQL[operation](table))) blocked.push(operation);
  }
  return blocked;
}

/** Whether `sql` waits past lock_timeout; any other error means the probe SQL does not fit the table. */
async function isBlocked(session: pg.Client, sql: string): Promise<boolean> {
  await session.query('BEGIN');
  try {
    await session.query(sql);
    return false;
  } catch (error) {
    if (error instanceof pg.DatabaseError && error.code === LOCK_NOT_AVAILABLE) return true;
    throw error;
  } finally {
    await session.query('ROLLBACK');
  }
}

async function checkFailure(fact: FailureFact, a: pg.Client): Promise<void> {
  await runSetup(a, fact.probe.setup);
  await a.query('BEGIN');
  const error: unknown = await a.query(fact.probe.statement).then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  await a.query('ROLLBACK');
  expect(error, `${fact.probe.statement} must fail`).toBeInstanceOf(pg.DatabaseError);
  const { code, message } = error as pg.DatabaseError;
  expect({ code, message }).toEqual({ code: fact.sqlstate, message: fact.message });
}
