/**
 * The staging check's trace on real PostgreSQL 13–18, on a seeded staging database (200k orders):
 * the locks it reports are the ones pg_locks shows for the same statement in another session; the
 * rewrite and scan flags and the MEASURED blocking match the validated table of docs/postgres-locks.md;
 * and the database's schema and data are identical before and after every check.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkMigration } from '../../server/src/engine/staging/check';
import type { CheckReport, ProbedOperation, StatementResult } from '../../server/src/engine/staging/report';
import { createStagingDatabase, type StagingDatabase } from './staging-fixture';

interface Case {
  sql: string;
  /** Strongest lock per existing relation, as the validated table lists it. */
  locks: Record<string, string>;
  rewritten: string[];
  scanned: string[];
  /** Operations of other sessions measured blocked, per table. */
  blocked: Record<string, ProbedOperation[]>;
}

const ALL: ProbedOperation[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'DDL'];
const WRITES: ProbedOperation[] = ['INSERT', 'UPDATE', 'DELETE', 'DDL'];

const CASES: Case[] = [
  { sql: 'CREATE INDEX orders_customer_idx ON orders (customer_id)', locks: { 'public.orders': 'SHARE' }, rewritten: [], scanned: ['public.orders'], blocked: { 'public.orders': WRITES } },
  { sql: 'ALTER TABLE orders ADD COLUMN shipped_at timestamptz', locks: { 'public.orders': 'ACCESS EXCLUSIVE' }, rewritten: [], scanned: [], blocked: { 'public.orders': ALL } },
  {
    sql: 'ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid()',
    locks: { 'public.orders': 'ACCESS EXCLUSIVE', 'public.orders_pkey': 'ACCESS EXCLUSIVE', 'public.orders_status_idx': 'ACCESS EXCLUSIVE' },
    rewritten: ['public.orders', 'public.orders_pkey', 'public.orders_status_idx'],
    scanned: ['public.orders'],
    blocked: { 'public.orders': ALL },
  },
  { sql: 'ALTER TABLE orders ALTER COLUMN note SET NOT NULL', locks: { 'public.orders': 'ACCESS EXCLUSIVE' }, rewritten: [], scanned: ['public.orders'], blocked: { 'public.orders': ALL } },
  {
    sql: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)',
    locks: { 'public.orders': 'SHARE ROW EXCLUSIVE', 'public.customers': 'SHARE ROW EXCLUSIVE', 'public.customers_pkey': 'ACCESS SHARE' },
    rewritten: [],
    scanned: ['public.customers', 'public.orders'],
    blocked: { 'public.customers': WRITES, 'public.orders': WRITES },
  },
  { sql: "ALTER TABLE orders ADD CONSTRAINT orders_status_chk CHECK (status <> '') NOT VALID", locks: { 'public.orders': 'ACCESS EXCLUSIVE' }, rewritten: [], scanned: [], blocked: { 'public.orders': ALL } },
  {
    sql: 'ALTER TABLE orders ALTER COLUMN customer_id TYPE bigint',
    locks: { 'public.orders': 'ACCESS EXCLUSIVE', 'public.orders_pkey': 'ACCESS EXCLUSIVE', 'public.orders_status_idx': 'ACCESS EXCLUSIVE' },
    rewritten: ['public.orders', 'public.orders_pkey', 'public.orders_status_idx'],
    scanned: ['public.orders'],
    blocked: { 'public.orders': ALL },
  },
  { sql: 'REINDEX INDEX orders_status_idx', locks: { 'public.orders': 'SHARE', 'public.orders_status_idx': 'ACCESS EXCLUSIVE' }, rewritten: ['public.orders_status_idx'], scanned: ['public.orders'], blocked: { 'public.orders': ALL } },
  { sql: 'ALTER TABLE orders SET (fillfactor = 70)', locks: { 'public.orders': 'SHARE UPDATE EXCLUSIVE' }, rewritten: [], scanned: [], blocked: { 'public.orders': ['DDL'] } },
  { sql: "UPDATE orders SET status = 'paid' WHERE id <= 1000", locks: { 'public.orders': 'ROW EXCLUSIVE', 'public.orders_pkey': 'ROW EXCLUSIVE', 'public.orders_status_idx': 'ROW EXCLUSIVE' }, rewritten: [], scanned: [], blocked: { 'public.orders': ['DDL'] } },
];

const servers = inject('pgServers');

describe.each(servers)('PostgreSQL $major', ({ major, url }) => {
  let staging: StagingDatabase;
  beforeAll(async () => {
    staging = await createStagingDatabase(url, `staging_trace_${major}`);
  });
  afterAll(async () => staging?.drop());

  async function check(text: string): Promise<CheckReport> {
    const before = await staging.checksums();
    const result = await checkMigration({ file: 'migration.sql', text, staging: { url: staging.url }, lockTimeoutMs: 5_000 });
    if (result.kind !== 'report') throw new Error(JSON.stringify(result.problem));
    expect(await staging.checksums(), 'schema and data after the check').toEqual(before);
    return result.report;
  }

  /** The same statement in a plain session: pg_locks' strongest mode per existing relation. */
  async function pgLocksOf(sql: string): Promise<Record<string, string>> {
    const session = await staging.session();
    await session.query('BEGIN');
    try {
      const existing = await session.query<{ oid: number }>(`SELECT oid::int8 AS oid FROM pg_class WHERE relnamespace = 'public'::regnamespace`);
      await session.query(sql);
      const { rows } = await session.query<{ name: string; mode: string; oid: string }>(
        `SELECT 'public.' || c.relname AS name, l.mode, c.oid::int8 AS oid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
         WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND c.relnamespace = 'public'::regnamespace`,
      );
      const modes: Record<string, string> = {};
      const order = ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];
      const known = new Set(existing.rows.map((row) => Number(row.oid)));
      for (const row of rows.filter((candidate) => known.has(Number(candidate.oid)))) {
        if (modes[row.name] === undefined || order.indexOf(row.mode) > order.indexOf(modes[row.name]!)) modes[row.name] = row.mode;
      }
      return Object.fromEntries(Object.entries(modes).map(([name, mode]) => [name, mode.replace(/Lock$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase()]));
    } finally {
      await session.query('ROLLBACK');
    }
  }

  for (const fact of CASES) {
    it(fact.sql, async () => {
      const report = await check(`${fact.sql};`);
      expect(report.outcome).toEqual({ kind: 'completed' });
      const traced = traceOf(report.statements[0]);
      const reported = Object.fromEntries(traced.locksHeld.filter((lock) => !lock.createdByMigration).map((lock) => [lock.relation.name, lock.mode]));
      expect(reported, 'locks reported').toEqual(await pgLocksOf(fact.sql));
      expect(reported, 'locks in docs/postgres-locks.md').toMatchObject(fact.locks);
      expect(traced.rewritten.map((relation) => relation.name).sort()).toEqual(fact.rewritten);
      expect(traced.fullScans.map((scan) => scan.table)).toEqual(fact.scanned);
      expect(traced.duration.kind).toBe('measured');
      const measured = Object.fromEntries(traced.blocking.map((table) => [table.table, table.operations.filter((verdict) => verdict.blocked).map((verdict) => verdict.operation)]));
      expect(measured, 'operations measured blocked').toEqual(fact.blocked);
      expect(traced.blocking.flatMap((table) => table.operations.map((verdict) => verdict.evidence))).not.toContain('inferred');
    });
  }

  // In separate transactions (autocommit, COMMIT between them) VALIDATE holds only its own lock: staging-segments.test.ts.
  it('locks accumulate within one transaction: VALIDATE after ADD … NOT VALID still blocks every read and write until COMMIT', async () => {
    const report = await check(`BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_status_chk CHECK (status <> '') NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_status_chk;\nCOMMIT;`);
    const validate = traceOf(report.statements[2]);
    expect(validate.locksAcquired).toEqual([]); // SHARE UPDATE EXCLUSIVE is weaker than the ACCESS EXCLUSIVE already held
    expect(validate.fullScans.map((scan) => scan.table)).toEqual(['public.orders']);
    expect(validate.blocking[0]?.operations.filter((verdict) => verdict.blocked).map((verdict) => verdict.operation)).toEqual(ALL);
    expect(report.statements[2]?.start).toEqual({ line: 2, character: 0 });
    expect(report.blocksTraffic).toBe(true);
  });

  it('CREATE INDEX CONCURRENTLY is never run: reported from the knowledge base, timed through its plain form in a savepoint', async () => {
    const report = await check('CREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at);\nALTER TABLE orders SET (fillfactor = 80);');
    const [concurrent, next] = report.statements;
    if (concurrent?.status !== 'not-run' || concurrent.reason.kind !== 'non-transactional') throw new Error(JSON.stringify(concurrent));
    expect(concurrent.reason.form).toBe('CREATE INDEX CONCURRENTLY');
    expect(concurrent.knownLocks.map((lock) => [lock.relation, lock.mode])).toEqual([['orders', 'SHARE UPDATE EXCLUSIVE']]);
    expect(concurrent.reason.equivalent?.text).toBe('CREATE INDEX orders_created_idx ON orders (created_at)');
    expect(concurrent.reason.equivalent?.duration.kind).toBe('measured');
    // The savepoint released the plain build's SHARE lock: the next statement holds only its own.
    expect(traceOf(next).locksHeld.map((lock) => [lock.relation.name, lock.mode])).toEqual([['public.orders', 'SHARE UPDATE EXCLUSIVE']]);
  });
});

function traceOf(result: StatementResult | undefined) {
  if (result?.status !== 'traced') throw new Error(`not traced: ${JSON.stringify(result)}`);
  return result.trace;
}
