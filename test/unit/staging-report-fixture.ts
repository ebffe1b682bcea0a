// A realistic staging-check report (the incident migration, checked on staging) for the tests of
// everything that presents one: built per server/src/engine/staging/report.ts.
import type { CheckReport, OperationVerdict, RelationLabel, StatementResult, TracedLock } from '../../server/src/engine/staging/report';
import { LineIndex } from '../../server/src/engine/text/positions';

export const MIGRATION = [
  'BEGIN;',
  'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;',
  'CREATE INDEX orders_status_idx ON orders (status);',
  'COMMIT;',
  'CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);',
  '',
].join('\n');

const orders: RelationLabel = { name: 'public.orders', kind: 'table', table: 'public.orders' };
const statusIndex: RelationLabel = { name: 'public.orders_status_idx', kind: 'index', table: 'public.orders' };
const lock = (relation: RelationLabel, mode: TracedLock['mode'], createdByMigration = false): TracedLock => ({ relation, mode, createdByMigration });
const verdicts = (blocked: readonly string[], evidence: OperationVerdict['evidence']): OperationVerdict[] =>
  (['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'DDL'] as const).map((operation) => ({ operation, blocked: blocked.includes(operation), evidence }));

/** Where each statement of MIGRATION is, as the engine reports it. */
function located(index: number, label: string): Pick<StatementResult, 'index' | 'range' | 'start' | 'end' | 'text' | 'label'> {
  const lines = new LineIndex(MIGRATION);
  const text = MIGRATION.split('\n')[index]!.replace(/;$/, '');
  const start = MIGRATION.indexOf(text);
  const range = { start, end: start + text.length };
  return { index, range, start: lines.positionAt(range.start), end: lines.positionAt(range.end), text, label };
}

export function stagingReport(overrides: Partial<CheckReport> = {}): CheckReport {
  const allBlocked = verdicts(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'DDL'], 'measured');
  return {
    file: '/project/migrations/003_order_status.sql',
    target: { kind: 'staging', url: 'postgres://app@staging.internal:5432/shop?sslmode=require', serverVersion: '17.10', major: 17 },
    tables: [{ table: 'public.orders', staging: { rows: 200_000, bytes: 14_680_064, totalBytes: 22_020_096 }, production: { rows: 50_000_000, bytes: 3_670_016_000, source: 'row-counts' } }],
    statements: [
      { ...located(0, 'BEGIN'), status: 'not-run', reason: { kind: 'transaction-control', message: 'the check runs the file in its own transaction, which it rolls back' }, knownLocks: [] },
      {
        ...located(1, 'ALTER TABLE orders ADD COLUMN shipped_at'),
        status: 'traced',
        trace: {
          locksAcquired: [lock(orders, 'ACCESS EXCLUSIVE')],
          locksHeld: [lock(orders, 'ACCESS EXCLUSIVE')],
          rewritten: [],
          fullScans: [],
          rowsTouched: 0,
          duration: { kind: 'measured', ms: 4 },
          blocking: [{ table: 'public.orders', strongestMode: 'ACCESS EXCLUSIVE', operations: allBlocked }],
          estimate: { kind: 'not-estimated', reason: 'catalog-only change: its time does not grow with the table' },
        },
      },
      {
        ...located(2, 'CREATE INDEX orders_status_idx'),
        status: 'traced',
        trace: {
          locksAcquired: [lock(orders, 'SHARE'), lock(statusIndex, 'ACCESS EXCLUSIVE', true)],
          locksHeld: [lock(orders, 'ACCESS EXCLUSIVE'), lock(statusIndex, 'ACCESS EXCLUSIVE', true)],
          rewritten: [],
          fullScans: [{ table: 'public.orders', scans: 1, rowsRead: 200_000 }],
          rowsTouched: 0,
          duration: { kind: 'measured', ms: 1_240 },
          blocking: [{ table: 'public.orders', strongestMode: 'ACCESS EXCLUSIVE', operations: allBlocked }],
          estimate: {
            kind: 'estimated',
            table: 'public.orders',
            model: 'n-log-n',
            stagingRows: 200_000,
            productionRows: 50_000_000,
            lowMs: 155_000,
            pointMs: 310_000,
            highMs: 620_000,
            sentence: 'ACCESS EXCLUSIVE on public.orders for ~2.6–10 min at 50M rows: every read and write waits',
          },
        },
      },
      { ...located(3, 'COMMIT'), status: 'not-run', reason: { kind: 'transaction-control', message: 'the check never commits' }, knownLocks: [] },
      {
        ...located(4, 'CREATE INDEX CONCURRENTLY orders_customer_idx'),
        status: 'not-run',
        reason: {
          kind: 'non-transactional',
          form: 'CREATE INDEX CONCURRENTLY',
          equivalent: {
            text: 'CREATE INDEX orders_customer_idx ON orders (customer_id)',
            duration: { kind: 'measured', ms: 980 },
            estimate: { kind: 'estimated', table: 'public.orders', model: 'n-log-n', stagingRows: 200_000, productionRows: 50_000_000, lowMs: 180_000, pointMs: 360_000, highMs: 720_000, sentence: 'SHARE UPDATE EXCLUSIVE on public.orders for ~3–12 min at 50M rows: reads and writes continue' },
          },
        },
        knownLocks: [{ relation: 'public.orders', mode: 'SHARE UPDATE EXCLUSIVE', work: 'index-build', blocks: verdicts(['DDL'], 'inferred') }],
      },
    ],
    outcome: { kind: 'completed' },
    rolledBack: true,
    blocksTraffic: true,
    startedAt: '2026-11-25T10:50:00.000Z',
    elapsedMs: 1_930,
    ...overrides,
  };
}
