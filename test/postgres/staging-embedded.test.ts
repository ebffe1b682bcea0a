/**
 * The embedded default: with no staging URL, `checkMigration` replays the earlier migrations of the
 * folder into PGlite (in a worker) and traces the file there — locks, rewrites, scans and inferred
 * blocking, no timings — on the bundled example folder.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMigration } from '../../server/src/engine/staging/check';
import type { CheckReport, CheckResult } from '../../server/src/engine/staging/report';

const examples = join(__dirname, '..', '..', 'examples', 'migrations');

async function checkExample(name: string, signal?: AbortSignal): Promise<CheckResult> {
  const file = join(examples, name);
  return checkMigration({ file, text: readFileSync(file, 'utf8') }, { signal });
}

function reportOf(result: CheckResult): CheckReport {
  if (result.kind !== 'report') throw new Error(`expected a report, got ${JSON.stringify(result.problem)}`);
  return result.report;
}

describe('embedded check (PGlite)', () => {
  it('replays 001 and traces 002: SHARE on orders blocks writes, inferred; no timing', async () => {
    const report = reportOf(await checkExample('002_index_orders_by_customer.sql'));
    expect(report.target).toMatchObject({ kind: 'embedded', engine: 'PGlite', major: 18, replayedMigrations: ['001_create_orders.sql'] });
    expect(report.outcome).toEqual({ kind: 'completed' });
    expect(report.rolledBack).toBe(true);
    const [statement] = report.statements;
    if (statement?.status !== 'traced') throw new Error(`not traced: ${JSON.stringify(statement)}`);
    expect(statement.label).toBe('CREATE INDEX');
    expect(statement.trace.locksAcquired.map((lock) => [lock.relation.name, lock.mode, lock.createdByMigration])).toEqual([
      ['public.orders', 'SHARE', false],
      ['public.orders_customer_id_idx', 'ACCESS EXCLUSIVE', true],
    ]);
    expect(statement.trace.fullScans).toEqual([]); // no rows: the build reads none
    expect(statement.trace.duration.kind).toBe('not-measured');
    expect(statement.trace.blocking).toEqual([
      {
        table: 'public.orders',
        strongestMode: 'SHARE',
        operations: [
          { operation: 'SELECT', blocked: false, evidence: 'inferred' },
          { operation: 'INSERT', blocked: true, evidence: 'inferred' },
          { operation: 'UPDATE', blocked: true, evidence: 'inferred' },
          { operation: 'DELETE', blocked: true, evidence: 'inferred' },
          { operation: 'DDL', blocked: true, evidence: 'inferred' },
        ],
      },
    ]);
    expect(report.blocksTraffic).toBe(true);
  });

  it('003: skips BEGIN/COMMIT, and the index built after ADD COLUMN runs with reads and writes blocked until commit', async () => {
    const report = reportOf(await checkExample('003_order_status_in_transaction.sql'));
    expect(report.target).toMatchObject({ replayedMigrations: ['001_create_orders.sql', '002_index_orders_by_customer.sql'] });
    expect(report.statements.map((statement) => [statement.label, statement.status])).toEqual([
      ['BEGIN', 'not-run'],
      ['ALTER TABLE', 'traced'],
      ['CREATE INDEX', 'traced'],
      ['COMMIT', 'not-run'],
    ]);
    const index = report.statements[2];
    if (index?.status !== 'traced') throw new Error('not traced');
    expect(index.trace.locksHeld.find((lock) => lock.relation.name === 'public.orders')?.mode).toBe('ACCESS EXCLUSIVE');
    expect(index.trace.blocking[0]?.operations.filter((verdict) => verdict.blocked).map((verdict) => verdict.operation)).toEqual(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'DDL']);
  });

  it('replays earlier migrations statement by statement (CONCURRENTLY, BEGIN … COMMIT, psql meta-commands), in version order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockguard-replay-'));
    try {
      writeFileSync(join(dir, 'V1__accounts.sql'), 'CREATE TABLE accounts (id int PRIMARY KEY, email text);\n\\set ON_ERROR_STOP on\n');
      writeFileSync(join(dir, 'V2__index.sql'), 'CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);\n');
      writeFileSync(join(dir, 'V10__later.sql'), 'BEGIN;\nALTER TABLE accounts ADD COLUMN name text;\nCOMMIT;\n');
      const file = join(dir, 'V11__check.sql');
      const text = 'ALTER TABLE accounts ALTER COLUMN name SET NOT NULL;\nDROP INDEX accounts_email_idx;\n';
      writeFileSync(file, text);
      const report = reportOf(await checkMigration({ file, text }));
      expect(report.target).toMatchObject({ replayedMigrations: ['V1__accounts.sql', 'V2__index.sql', 'V10__later.sql'] });
      expect(report.outcome).toEqual({ kind: 'completed' });
      const drop = report.statements[1];
      if (drop?.status !== 'traced') throw new Error(JSON.stringify(drop));
      // The index built CONCURRENTLY by V2 exists; accounts is already ACCESS EXCLUSIVE since SET NOT NULL.
      expect(drop.trace.locksAcquired.map((lock) => [lock.relation.name, lock.mode])).toEqual([['public.accounts_email_idx', 'ACCESS EXCLUSIVE']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cancelling ends the worker and reports a cancelled check', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const report = reportOf(await checkExample('003_order_status_in_transaction.sql', controller.signal));
    expect(report.outcome.kind).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(1_300);
  });
});
