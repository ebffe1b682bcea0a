/**
 * The staging check runs a migration as its runner does — transaction by transaction — without ever
 * committing: on real PostgreSQL 13–18, each transaction of the file is reported with the locks it
 * holds until its own COMMIT (the NOT VALID / COMMIT / VALIDATE pattern comes out safe), dropped and
 * renamed tables are probed by oid, a failed statement leaves no verdict, and the database's schema
 * and data are identical after every check.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkMigration } from '../../server/src/engine/staging/check';
import type { CheckReport, StatementResult, TableBlocking } from '../../server/src/engine/staging/report';
import { createStagingDatabase, type StagingDatabase } from './staging-fixture';

const servers = inject('pgServers');

const traced = (statement: StatementResult | undefined) => {
  if (statement?.status !== 'traced') throw new Error(`expected a traced statement, got ${JSON.stringify(statement)}`);
  return statement.trace;
};
const blockedOn = (blocking: readonly TableBlocking[], table: string) => blocking.find((entry) => entry.table === table)?.operations.filter((verdict) => verdict.blocked).map((verdict) => verdict.operation);
const heldOn = (statement: StatementResult | undefined, table: string) => traced(statement).locksHeld.filter((lock) => lock.relation.table === table && lock.relation.kind !== 'index').map((lock) => lock.mode);

describe.each(servers)('PostgreSQL $major', ({ major, url }) => {
  let staging: StagingDatabase;
  beforeAll(async () => {
    staging = await createStagingDatabase(url, `staging_segments_${major}`, 20_000);
  });
  afterAll(async () => staging?.drop());

  async function check(file: string, text: string): Promise<CheckReport> {
    const before = await staging.checksums();
    const result = await checkMigration({ file, text, staging: { url: staging.url }, lockTimeoutMs: 5_000 });
    if (result.kind !== 'report') throw new Error(JSON.stringify(result.problem));
    expect(await staging.checksums(), 'schema and data after the check').toEqual(before);
    return result.report;
  }

  const NOT_VALID = "ALTER TABLE orders ADD CONSTRAINT orders_status_chk CHECK (status <> '') NOT VALID";
  const VALIDATE = 'ALTER TABLE orders VALIDATE CONSTRAINT orders_status_chk';

  it.each([
    ['explicit BEGIN … COMMIT blocks', 'migration.sql', `BEGIN;\n${NOT_VALID};\nCOMMIT;\nBEGIN;\n${VALIDATE};\nCOMMIT;\n`, 1, 4],
    ['autocommit, as psql runs a file', 'migration.sql', `${NOT_VALID};\n${VALIDATE};\n`, 0, 1],
    ["a runner's transaction ended by the file's COMMIT (dbmate)", 'db/migrations/20260101000000_check.sql', `-- migrate:up\n${NOT_VALID};\nCOMMIT;\n${VALIDATE};\n\n-- migrate:down\nALTER TABLE orders DROP CONSTRAINT orders_status_chk;\n`, 0, 2],
  ])('NOT VALID, COMMIT, VALIDATE (%s): VALIDATE holds only its own SHARE UPDATE EXCLUSIVE, and the migration is safe', async (_style, file, text, notValidAt, validateAt) => {
    const report = await check(file, text);
    expect(report.outcome).toEqual({ kind: 'completed' });
    const notValid = report.statements[notValidAt];
    const validate = report.statements[validateAt];
    expect(heldOn(notValid, 'public.orders')).toEqual(['ACCESS EXCLUSIVE']);
    expect(traced(notValid).segment).not.toBe(traced(validate).segment);
    // In production the NOT VALID transaction has committed: VALIDATE's transaction holds SHARE UPDATE EXCLUSIVE only.
    expect(heldOn(validate, 'public.orders')).toEqual(['SHARE UPDATE EXCLUSIVE']);
    expect(blockedOn(traced(validate).blocking, 'public.orders')).toEqual(['DDL']);
    expect(traced(validate).fullScans.map((scan) => scan.table)).toEqual(['public.orders']);
    expect(report.blocksTraffic).toBe(false);
    // A down section does not run on apply.
    if (file.includes('db/migrations')) expect(report.statements.at(-1)).toMatchObject({ status: 'not-run', reason: { kind: 'not-applied' } });
  });

  it('the same statements in one transaction: ACCESS EXCLUSIVE is held while VALIDATE scans, and the migration blocks traffic', async () => {
    const report = await check('migration.sql', `BEGIN;\n${NOT_VALID};\n${VALIDATE};\nCOMMIT;\n`);
    const validate = report.statements[2];
    expect(heldOn(validate, 'public.orders')).toEqual(['ACCESS EXCLUSIVE']);
    expect(blockedOn(traced(validate).blocking, 'public.orders')).toEqual(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'DDL']);
    expect(report.blocksTraffic).toBe(true);
  });

  it('a lock an earlier transaction still holds on staging is reported for the later one too (from the documentation)', async () => {
    const report = await check('migration.sql', 'ALTER TABLE orders ADD COLUMN a int;\nALTER TABLE orders ADD COLUMN b int;\n');
    const second = traced(report.statements[1]);
    expect(second.locksHeld).toContainEqual({ relation: { name: 'public.orders', kind: 'table', table: 'public.orders' }, mode: 'ACCESS EXCLUSIVE', createdByMigration: false, evidence: 'documentation' });
    expect(blockedOn(second.blocking, 'public.orders')).toEqual(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'DDL']);
    // Catalog-only changes, each in its own transaction: held for milliseconds.
    expect(report.blocksTraffic).toBe(false);
  });

  it('CREATE INDEX CONCURRENTLY, then a constraint USING that index: the index is built (plain, in a savepoint) so the next statement runs', async () => {
    const report = await check('migration.sql', 'CREATE UNIQUE INDEX CONCURRENTLY orders_note_key ON orders (note);\nALTER TABLE orders ADD CONSTRAINT orders_note_key UNIQUE USING INDEX orders_note_key;\n');
    expect(report.statements[0]).toMatchObject({ status: 'not-run', reason: { kind: 'non-transactional', form: 'CREATE INDEX CONCURRENTLY', equivalent: { text: 'CREATE UNIQUE INDEX orders_note_key ON orders (note)' } } });
    expect(report.outcome).toEqual({ kind: 'completed' });
    expect(heldOn(report.statements[1], 'public.orders')).toContain('ACCESS EXCLUSIVE');
  });

  it('RENAME: no 42P01; the table is probed by its oid under the name other sessions still see, and the report says it was renamed', async () => {
    const report = await check('migration.sql', 'ALTER TABLE customers RENAME TO clients;\n');
    expect(report.outcome).toEqual({ kind: 'completed' });
    const rename = traced(report.statements[0]);
    expect(rename.renamed).toEqual([{ from: { name: 'public.customers', kind: 'table', table: 'public.customers' }, to: { name: 'public.clients', kind: 'table', table: 'public.clients' } }]);
    const customers = rename.blocking.find((table) => table.table === 'public.customers');
    expect(customers?.operations.every((verdict) => verdict.blocked && verdict.evidence === 'measured')).toBe(true);
  });

  it('DROP TABLE: no 42P01; the dropped table is probed by its oid and reported as dropped', async () => {
    const report = await check('migration.sql', 'BEGIN;\nDROP TABLE customers;\nSELECT 1;\nCOMMIT;\n');
    expect(report.outcome).toEqual({ kind: 'completed' });
    const drop = traced(report.statements[1]);
    expect(drop.dropped).toContainEqual({ name: 'public.customers', kind: 'table', table: 'public.customers' });
    expect(drop.blocking.find((table) => table.table === 'public.customers')?.operations.every((verdict) => verdict.blocked && verdict.evidence === 'measured')).toBe(true);
    // The next statement of the same transaction still names the lock by the table's old name.
    expect(heldOn(report.statements[2], 'public.customers')).toEqual(['ACCESS EXCLUSIVE']);
  });

  it('TRUNCATE counts no negative rows', async () => {
    const report = await check('migration.sql', 'BEGIN;\nTRUNCATE customers;\nCOMMIT;\n');
    expect(traced(report.statements[1]).rowsTouched).toBeGreaterThanOrEqual(0);
  });
});
