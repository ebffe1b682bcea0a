/**
 * Checks every rule's lock and failure facts against a real PostgreSQL server: the lock mode the
 * statement takes (from pg_locks), the application operations it actually blocks (measured from a
 * second session), and the SQLSTATE of statements PostgreSQL rejects — and, for a form only some
 * versions reject, that the versions which accept it run it.
 */
import pg from 'pg';
import { describe, inject, it, type ExpectStatic } from 'vitest';
import type { Operation } from '../../server/src/engine/locks/lock-modes';
import { ALL_RULES } from '../../server/src/engine/rules/registry';
import type { FailureFact, LockFact, NoLockFact, VersionRange } from '../../server/src/engine/rules/rule';
import { probeStatements } from '../../server/src/engine/staging/probes';
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
        if (fact.kind === 'failure' && fact.accepted) {
          const accepted = fact.accepted;
          for (const { major, url } of servers.filter((server) => inRange(server.major, accepted))) {
            it(`PostgreSQL ${major} accepts it`, async ({ expect }) => {
              const schema = `lock_facts_${rule.id.replaceAll('-', '_')}_${index}_accepted`;
              await withSchemaSessions(url, schema, 1, (a) => checkAccepted(expect, fact, a));
            });
          }
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

async function checkLock(expect: ExpectStatic, fact: LockFact | NoLockFact, schema: string, a: pg.Client, b: pg.Client): Promise<void> {
  await runAll(a, fact.probe.setup);
  const probes = await probesFor(b, fact.probe.relation);
  await a.query('BEGIN');
  await a.query(fact.probe.statement);
  // Soft: when the mode is wrong, the measured blocking still shows what the server really does.
  expect.soft(await strongestLockOn(a, await relationOid(a, schema, fact.probe.relation)), `lock on ${fact.probe.relation}`).toBe(fact.mode === 'none' ? undefined : fact.mode);
  const expected = MEASURED.filter((operation) => fact.blocks.includes(operation));
  expect.soft(await blockedOperations(b, probes), 'operations blocked in another session').toEqual(expected);
  await a.query('ROLLBACK');
}

/**
 * The probe statements are the staging check's (server/src/engine/staging/probes.ts, which says why
 * they wait exactly when real DML does): SELECT, INSERT, UPDATE and DELETE that fit any table, change
 * nothing, and take the table lock real traffic takes.
 */
async function probesFor(session: pg.Client, relation: string): Promise<Probes> {
  const { SELECT, INSERT, UPDATE, DELETE } = await probeStatements(session, relation);
  if (SELECT === undefined || INSERT === undefined || UPDATE === undefined || DELETE === undefined) throw new Error(`the probe relation ${relation} needs a column for the UPDATE probe`);
  return { SELECT, INSERT, UPDATE, DELETE };
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

/** On a version that accepts the form, the probe runs (in autocommit: some forms refuse a transaction block). */
async function checkAccepted(expect: ExpectStatic, fact: FailureFact, a: pg.Client): Promise<void> {
  await runAll(a, fact.probe.setup);
  const error: unknown = await a.query(fact.probe.statement).then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error === undefined ? undefined : String(error), `${fact.probe.statement} must succeed`).toBeUndefined();
}
