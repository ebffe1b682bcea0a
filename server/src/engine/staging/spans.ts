/**
 * How long each existing table's traffic waits, transaction by transaction: within one of the
 * migration's transactions (a segment), a lock that makes reads or writes wait is held from the
 * statement that takes it until that transaction commits. It matters when work that grows with the
 * table runs while it is held (a rewrite, a scan, an index build, rows written); a catalog-only
 * change holds it for milliseconds, as in ADD CONSTRAINT … NOT VALID; COMMIT; VALIDATE CONSTRAINT.
 */
import { isSlow } from '../locks/statement-locks';
import { LOCK_MODES, type LockMode } from '../locks/lock-modes';
import type { CheckTarget, OperationVerdict, StatementResult, StatementTrace } from './report';

export interface LockSpan {
  table: string;
  /** The strongest mode the transaction holds on the table (or its indexes). */
  mode: LockMode;
  /** What waits, as the last statement of the span measured (or inferred) it. */
  operations: OperationVerdict[];
  /** Statement indexes: the first that held the blocking lock, and the last of its transaction that the check ran. */
  from: number;
  until: number;
  /** Whether work that grows with the table ran while the lock was held. */
  slow: boolean;
  /** The staging time of the statements under the lock, when measured. */
  stagingMs: number | undefined;
  /** The production estimate of the statements under the lock that have one. */
  production: { lowMs: number; highMs: number } | undefined;
}

type Traced = Extract<StatementResult, { status: 'traced' }>;

/** Reads, or writes, of another session wait: DDL alone does not count (it is rare and queues anyway). */
export const blocksReadsOrWrites = (operations: readonly OperationVerdict[]) => operations.some((verdict) => verdict.blocked && verdict.operation !== 'DDL');

/** Every span of a blocking lock on an existing table, in statement order. */
export function lockSpans(statements: readonly StatementResult[], target: CheckTarget): LockSpan[] {
  const spans: LockSpan[] = [];
  let open = new Map<string, LockSpan>();
  let segment: number | undefined;
  for (const statement of statements) {
    if (statement.status !== 'traced') continue;
    const id = statement.trace.segment ?? 0;
    if (id !== segment) {
      open = new Map();
      segment = id;
    }
    const slow = doesWork(statement.trace, target);
    for (const table of statement.trace.blocking) {
      if (!blocksReadsOrWrites(table.operations)) continue;
      let span = open.get(table.table);
      if (!span) {
        span = { table: table.table, mode: table.strongestMode, operations: table.operations, from: statement.index, until: statement.index, slow: false, stagingMs: undefined, production: undefined };
        open.set(table.table, span);
        spans.push(span);
      }
      span.until = statement.index;
      span.operations = table.operations;
      if (LOCK_MODES.indexOf(table.strongestMode) > LOCK_MODES.indexOf(span.mode)) span.mode = table.strongestMode;
      span.slow ||= slow;
      add(span, statement);
    }
  }
  return spans;
}

function add(span: LockSpan, { trace }: Traced): void {
  if (trace.duration.kind === 'measured') span.stagingMs = (span.stagingMs ?? 0) + trace.duration.ms;
  if (trace.estimate.kind === 'estimated') span.production = { lowMs: (span.production?.lowMs ?? 0) + trace.estimate.lowMs, highMs: (span.production?.highMs ?? 0) + trace.estimate.highMs };
}

/**
 * Work that grows with a table, as the trace saw it; on the embedded database, whose tables are empty,
 * as the PostgreSQL documentation describes the statement.
 */
export function doesWork(trace: StatementTrace, target: CheckTarget): boolean {
  const builtIndex = trace.locksAcquired.some((lock) => lock.relation.kind === 'index' && lock.createdByMigration && lock.relation.table !== lock.relation.name && trace.locksHeld.some((held) => held.relation.name === lock.relation.table && !held.createdByMigration));
  const seen = trace.rewritten.length > 0 || trace.fullScans.some((scan) => scan.rowsRead > 0) || trace.rowsTouched > 0 || builtIndex;
  if (seen) return true;
  return target.kind === 'embedded' && trace.documentedWork !== undefined && isSlow(trace.documentedWork);
}

/** Per table, the whole migration: the strongest blocking mode and the time its traffic waits in total. */
export interface TableTotal {
  table: string;
  /**
   * The strongest mode held while work ran (a slow span); a catalog change's stronger lock, held for
   * milliseconds, is not what the traffic waits on for that time. Of all spans when none is slow.
   */
  mode: LockMode;
  spans: number;
  stagingMs: number | undefined;
  production: { lowMs: number; highMs: number } | undefined;
}

export function tableTotals(spans: readonly LockSpan[]): TableTotal[] {
  const totals = new Map<string, TableTotal>();
  const anySlow = new Set(spans.filter((span) => span.slow).map((span) => span.table));
  for (const span of spans) {
    const counts = span.slow || !anySlow.has(span.table);
    const total = totals.get(span.table) ?? { table: span.table, mode: span.mode, spans: 0, stagingMs: undefined, production: undefined };
    if (!totals.has(span.table) && !counts) total.mode = 'ACCESS SHARE';
    total.spans++;
    if (counts && LOCK_MODES.indexOf(span.mode) > LOCK_MODES.indexOf(total.mode)) total.mode = span.mode;
    if (span.stagingMs !== undefined) total.stagingMs = (total.stagingMs ?? 0) + span.stagingMs;
    if (span.production) total.production = { lowMs: (total.production?.lowMs ?? 0) + span.production.lowMs, highMs: (total.production?.highMs ?? 0) + span.production.highMs };
    totals.set(span.table, total);
  }
  return [...totals.values()].sort((a, b) => a.table.localeCompare(b.table));
}
