/**
 * Checks every rule's lock and failure facts against a real PostgreSQL server: the lock mode the
 * statement takes (from pg_locks), the application operations it actually blocks (measured from a
 * second session), and the SQLSTATE of statements PostgreSQL rejects.
 */
import pg from 'pg';
import { describe, inject, it, type ExpectStatic } from 'vitest';
import type { Operation } from '../../server/src/engine/locks/lock-modes';
import { ALL_RULES } from '../../server/src/engine/rules/registry';
import type { FailureFact, LockFact, VersionRange } from '../../server/src/engine/rules/rule';
import { relationOid, runAll, strongestLockOn, withSchemaSessions } from './pg-sessions';

/** SQLSTATE lock_not_available: the statement waited longer than lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';

/** The application traffic measured from the second session. */
const MEASURED = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const satisfies readonly Operation[];
type MeasuredOperation = (typeof MEASURED)[number];
type Probes = Readonly<Record<MeasuredOperation, string>>;

const servers = inject('pgServers');

for (const rule of ALL_RULES.filter((candidate) => candidate.facts.length > 0)) {
  // Concurrent: every test has its own server or its own schema, and a probe that is not blocked
  // never waits, so lock_timeout only ever fires on a real conflict.
  describe.concurrent(rule.id, () => {
    rule.facts.forEach((fact, index) => {
      describe(fact.statement, () => {
        for (const { major, url } of servers) {
          const applies = inRange(major, fact.versions);
          const name = applies ? `PostgreSQL ${major}` : `PostgreSQL ${major} (skipped: the fact holds for ${describeRange(fact.versions)})`;
          it.skipIf(!applies)(name, async ({ expect }) => {
            const schema = `lock_facts_${rule.id.replaceAll('-', '_')}_${index}`;
            await withSchemaSessions(url, schema, 2, (a, b) => (fact.kind === 'lock' ? checkLock(expect, fact, schema, a, b) : checkFailure(expect, fact, a)));
          });
        }
      });
    });
  });
}

function inRange(version: number, { from, until }: VersionRange): boolean {
  return version >= from && (until === undefined || version <= until);
}

function describeRange({ from, until }: VersionRange): string {
  if (until === undefined) return `PostgreSQL ${from} and later`;
  return from === until ? `PostgreSQL ${from} only` : `PostgreSQL ${from} to ${until}`;
}

async function checkLock(expect: ExpectStatic, fact: LockFact, schema: string, a: pg.Client, b: pg.Client): Promise<void> {
  await runAll(a, fact.probe.setup);
  const probes = await probeStatements(b, fact.probe.relation);
  await a.query('BEGIN');
  await a.query(fact.probe.statement);
  // Soft: when the mode is wrong, the measured blocking still shows what the server really does.
  expect.soft(await strongestLockOn(a, await relationOid(a, schema, fact.probe.relation)), `lock on ${fact.probe.relation}`).toBe(fact.mode);
  const expected = MEASURED.filter((operation) => fact.blocks.includes(operation));
  expect.soft(await blockedOperations(b, probes), 'operations blocked in another session').toEqual(expected);
  await a.query('ROLLBACK');
}

/**
 * The four operations as statements that fit any table, so a fact can probe any relation (an FK
 * parent, a table with identity or generated columns, …) without knowing its columns or data:
 *
 * - SELECT: `SELECT * FROM t LIMIT 1`, a real read.
 * - INSERT: `INSERT INTO t SELECT FROM t WHERE false` inserts no row and sets no column (all take
 *   their defaults, so identity and generated columns are fine).
 * - UPDATE: `UPDATE t SET <first column> = DEFAULT WHERE false` (DEFAULT is valid for every kind of column).
 * - DELETE: `DELETE FROM t WHERE false`.
 *
 * They wait exactly when real DML does: PostgreSQL takes a statement's table lock when it parses the
 * statement (ACCESS SHARE for SELECT, ROW EXCLUSIVE for INSERT, UPDATE and DELETE; measured in
 * pg_locks on PostgreSQL 13 to 18), before it looks at a single row, and the planner opens every
 * index of the table. On all six majors they were blocked by exactly the same locks as row-changing
 * DML (`… WHERE id = 1`): each of the 8 table lock modes, CREATE INDEX, ANALYZE, REINDEX INDEX,
 * ALTER TABLE ADD COLUMN, ADD FOREIGN KEY (probing the parent) and an ACCESS EXCLUSIVE lock on an
 * index alone (ALTER INDEX SET TABLESPACE). Since PostgreSQL 14, INSERT opens the table's indexes
 * only when it inserts a row, so INSERT also reads `t` in its SELECT to make the planner open them.
 *
 * What they leave out, on purpose, is what depends on the rows: row locks (a real UPDATE of a row
 * another session holds FOR UPDATE waits for it) and foreign-key triggers (a real DELETE on an FK
 * parent also locks the referencing table). A fact is about the lock on its probe relation, which
 * is what these isolate.
 */
async function probeStatements(session: pg.Client, relation: string): Promise<Probes> {
  const { rows } = await session.query<{ name: string }>(
    `SELECT quote_ident(attname) AS name FROM pg_attribute
     WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum LIMIT 1`,
    [relation],
  );
  const column = rows[0]?.name;
  if (column === undefined) throw new Error(`the probe relation ${relation} needs a column for the UPDATE probe`);
  return {
    SELECT: `SELECT * FROM ${relation} LIMIT 1`,
    INSERT: `INSERT INTO ${relation} SELECT FROM ${relation} WHERE false`,
    UPDATE: `UPDATE ${relation} SET ${column} = DEFAULT WHERE false`,
    DELETE: `DELETE FROM ${relation} WHERE false`,
  };
}

async function blockedOperations(session: pg.Client, probes: Probes): Promise<MeasuredOperation[]> {
  await session.query(`SET lock_timeout = '300ms'`);
  const blocked: MeasuredOperation[] = [];
  for (const operation of MEASURED) {
    if (await isBlocked(session, probes[operation])) blocked.push(operation);
  }
  return blocked;
}

/** Whether `sql` waits past lock_timeout; any other error is a broken probe and fails the test. */
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

async function checkFailure(expect: ExpectStatic, fact: FailureFact, a: pg.Client): Promise<void> {
  await runAll(a, fact.probe.setup);
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
