import * as assert from 'node:assert/strict';
import pg from 'pg';
import * as vscode from 'vscode';
import type { CheckCommandResult } from '../../../client/src/staging/check-command';
import type { OperationVerdict, ProbedOperation, StatementResult } from '../../../server/src/engine/staging/report';
import { skip, test } from './harness';
import { openMigration, ruleOf, waitForDiagnostics, withRule } from './editor';

const CHECK_COMMAND = 'lockguard.checkMigration';
const RULE = 'create-index-without-concurrently';

test('"Check migration against staging" runs the migration on the test PostgreSQL, reports measured locks and blocking, enriches the diagnostics and changes nothing', async () => {
  if (!(await vscode.commands.getCommands(true)).includes(CHECK_COMMAND)) skip(`the extension does not register ${CHECK_COMMAND}`);
  const url = process.env.LOCKGUARD_E2E_STAGING_URL;
  assert.ok(url, 'LOCKGUARD_E2E_STAGING_URL is not set: the runner starts a PostgreSQL with an orders table and passes its URL');
  // CREATE INDEX orders_status_idx ON orders (status); ALTER TABLE orders ADD COLUMN note text;
  const editor = await openMigration('migrations/006_staging_check.sql');
  const { uri } = editor.document;
  await waitForDiagnostics(uri, withRule(RULE), `the ${RULE} diagnostic before the check`);

  const result = await vscode.commands.executeCommand<CheckCommandResult>(CHECK_COMMAND, uri, { url, reveal: false });
  assert.equal(result.kind, 'report', `the check did not report: ${JSON.stringify(result)}`);
  const { report } = result;
  assert.equal(report.target.kind, 'staging');
  assert.deepEqual(report.outcome, { kind: 'completed' });
  assert.equal(report.rolledBack, true);
  assert.equal(report.blocksTraffic, true);
  assert.equal(report.statements.length, 2);
  // The report view shows the checklist `lockguard check --format markdown` prints: the same four sections, from the engine.
  for (const heading of ['Estimated run time on production volume:', 'Lock analysis:', 'Rollback procedure:', 'Monitoring while it runs (run from another session):']) {
    assert.ok(result.checklist.includes(`\n${heading}\n  `), `the report view's checklist has the CLI's "${heading}" section, filled in`);
  }
  assert.ok(result.checklist.includes('public.orders: SHARE during statement 1, blocks INSERT, UPDATE, DELETE, DDL (measured)'), result.checklist);
  const [createIndex, addColumn] = report.statements as [StatementResult, StatementResult];

  // PostgreSQL docs (CREATE INDEX, ALTER TABLE; §13.3.1): CREATE INDEX takes SHARE, which lets reads
  // through and makes writes wait; ADD COLUMN then takes ACCESS EXCLUSIVE, which makes reads wait too.
  // A second session measured both while the check's transaction held the locks.
  assertTraced(createIndex, 'SHARE', { SELECT: false, INSERT: true, UPDATE: true, DELETE: true });
  assertTraced(addColumn, 'ACCESS EXCLUSIVE', { SELECT: true, INSERT: true, UPDATE: true, DELETE: true });

  const [enriched] = await waitForDiagnostics(
    uri,
    (diagnostics) => diagnostics.some((diagnostic) => ruleOf(diagnostic) === RULE && diagnostic.message.includes('Measured on staging')),
    'the diagnostic to gain the measured facts',
  );
  const measured = enriched!.message.split('\n').find((line) => line.startsWith('Measured on staging'));
  assert.match(measured ?? '', /^Measured on staging \(PostgreSQL \d+\.\d+.*\): took SHARE on public\.orders; ran .*; blocked until COMMIT: public\.orders: /);

  assert.deepEqual(await stagingSchema(url), { noteColumns: 0, statusIndexes: 0 }, 'the check must roll back: the column and index may not exist afterwards');
});

function assertTraced(statement: StatementResult, mode: string, blocked: Partial<Record<ProbedOperation, boolean>>): void {
  assert.equal(statement.status, 'traced', `statement ${statement.index + 1} (${statement.text}) was not traced: ${JSON.stringify(statement)}`);
  if (statement.status !== 'traced') return;
  const { trace } = statement;
  assert.ok(
    trace.locksAcquired.some((lock) => lock.relation.name === 'public.orders' && lock.mode === mode),
    `${statement.text}: expected ${mode} on public.orders, got ${trace.locksAcquired.map((lock) => `${lock.mode} on ${lock.relation.name}`).join(', ')}`,
  );
  assert.equal(trace.duration.kind, 'measured');
  const orders = trace.blocking.find((table) => table.table === 'public.orders');
  assert.ok(orders, `${statement.text}: no blocking measured on public.orders`);
  for (const [operation, waits] of Object.entries(blocked)) {
    const verdict: OperationVerdict | undefined = orders.operations.find((candidate) => candidate.operation === operation);
    // Measured where a probe can tell; inferred from the lock where an earlier transaction's lock, still held in the
    // check's one rolled-back transaction, would make the probe wait by itself (docs/staging-check.md).
    assert.deepEqual({ operation: verdict?.operation, blocked: verdict?.blocked }, { operation, blocked: waits }, `${statement.text}: ${operation} on orders`);
    assert.ok(verdict?.evidence === 'measured' || verdict?.evidence === 'inferred', `${statement.text}: ${operation} on orders: evidence ${verdict?.evidence}`);
  }
}

async function stagingSchema(url: string): Promise<{ noteColumns: number; statusIndexes: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ note_columns: number; status_indexes: number }>(
      `SELECT (SELECT count(*)::int FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'note') AS note_columns,
              (SELECT count(*)::int FROM pg_indexes WHERE indexname = 'orders_status_idx') AS status_indexes`,
    );
    return { noteColumns: rows[0]!.note_columns, statusIndexes: rows[0]!.status_indexes };
  } finally {
    await client.end();
  }
}
