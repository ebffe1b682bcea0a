/** Words for a check report's parts, shared by the CLI's text and Markdown formats. */
import { formatBytes, formatDuration, formatRows } from './format';
export { formatBytes } from './format';
import type { CheckOutcome, CheckReport, CheckTarget, Duration, KnownLock, StatementResult, TableBlocking, TracedLock } from './report';

export function describeTarget(target: CheckTarget): string {
  if (target.kind === 'staging') return `staging ${target.url} (PostgreSQL ${target.serverVersion})`;
  const replayed = target.replayedMigrations.length === 0 ? 'no earlier migrations' : `schema from ${target.replayedMigrations.join(', ')}`;
  return `embedded PostgreSQL ${target.serverVersion.split(' ')[0]} (PGlite; ${replayed}; locks, rewrites and scans only — no timings)`;
}

export function describeOutcome(outcome: CheckOutcome, statements: readonly StatementResult[]): string {
  const where = (index: number | undefined) => {
    const statement = statements.find((candidate) => candidate.index === index);
    return statement ? `statement ${index! + 1} (line ${statement.start.line + 1})` : 'the start';
  };
  switch (outcome.kind) {
    case 'completed':
      return 'completed; rolled back, nothing was changed';
    case 'failed':
      return `failed at ${where(outcome.statementIndex)}: ${outcome.message}; rolled back, nothing was changed`;
    case 'cancelled':
      return `cancelled at ${where(outcome.statementIndex)}; rolled back, nothing was changed`;
  }
}

export const describeDuration = (duration: Duration) => (duration.kind === 'measured' ? formatDuration(duration.ms) : 'not measured');

export function describeLocks(locks: readonly TracedLock[]): string {
  if (locks.length === 0) return 'none';
  return locks.map((lock) => `${lock.relation.name} ${lock.mode}${lock.createdByMigration ? ' (new)' : ''}`).join(', ');
}

export function describeKnownLocks(locks: readonly KnownLock[]): string {
  return locks.length === 0 ? 'none' : locks.map((lock) => `${lock.relation} ${lock.mode}`).join(', ');
}

/** `public.orders: INSERT, UPDATE, DELETE, DDL wait (measured); SELECT runs`. */
export function describeBlocking(blocking: readonly TableBlocking[]): string[] {
  return blocking.map((table) => {
    const blocked = table.operations.filter((verdict) => verdict.blocked);
    const free = table.operations.filter((verdict) => !verdict.blocked);
    const evidence = [...new Set(table.operations.map((verdict) => verdict.evidence))].join(' and ');
    const waits = blocked.length === 0 ? 'nothing waits' : `${blocked.map((verdict) => verdict.operation).join(', ')} wait`;
    const runs = free.length === 0 ? '' : `; ${free.map((verdict) => verdict.operation).join(', ')} ${free.length === 1 ? 'runs' : 'run'}`;
    return `${table.table} (${table.strongestMode}): ${waits}${runs} (${evidence})`;
  });
}

export function describeTables(report: CheckReport): string[] {
  return report.tables.map((table) => {
    const production = table.production ? `, production ${formatRows(table.production.rows)} rows${table.production.bytes === undefined ? '' : ` (${formatBytes(table.production.bytes)})`} from ${table.production.source}` : '';
    return `${table.table}: staging ${formatRows(table.staging.rows)} rows (${formatBytes(table.staging.bytes)})${production}`;
  });
}

