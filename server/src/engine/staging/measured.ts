import { blockingOf, describeBlocked, describeDuration, describeEstimate } from './format';
import type { CheckReport, StatementResult } from './report';

/**
 * What a staging check measured for a statement of the file, matched by the statement's text
 * (whitespace folded), so edits elsewhere keep it and editing the statement drops it. Undefined when
 * the check did not reach the statement.
 */
export function measuredFor(report: CheckReport, statementText: string): StatementResult | undefined {
  const key = foldWhitespace(statementText);
  return report.statements.find((result) => foldWhitespace(result.text) === key && result.status !== 'not-reached');
}

const foldWhitespace = (sql: string) => sql.replace(/\s+/g, ' ').trim();

/** Where the facts come from, as the diagnostic introduces them. */
export const describeMeasuredOn = (report: CheckReport): string =>
  report.target.kind === 'staging'
    ? `Measured on staging (PostgreSQL ${report.target.serverVersion})`
    : `Traced on the embedded ${report.target.engine} database (no timing)`;

/** One line of what the check saw a statement do: locks, time, rewrites, what it blocked, the production estimate. */
export function measuredFacts(statement: StatementResult): string {
  switch (statement.status) {
    case 'traced': {
      const { trace } = statement;
      const locks = trace.locksAcquired.filter((lock) => !lock.createdByMigration).map((lock) => `${lock.mode} on ${lock.relation.name}`);
      const blocking = blockingOf(statement).map((table) => `${table.table}: ${describeBlocked(table.operations)}`);
      const alreadyHeld = trace.locksHeld.some((lock) => !lock.createdByMigration);
      return [
        `took ${locks.join(', ') || (alreadyHeld ? 'no new lock (the locks it needs were already held)' : 'no lock on an existing relation')}`,
        trace.duration.kind === 'measured' ? `ran ${describeDuration(trace.duration)}` : undefined,
        trace.rewritten.length > 0 ? `rewrote ${trace.rewritten.map((relation) => relation.name).join(', ')}` : undefined,
        `blocked until COMMIT: ${blocking.join('; ') || 'nothing'}`,
        trace.estimate.kind === 'estimated' ? `production: ${trace.estimate.sentence}` : undefined,
      ]
        .filter((part) => part !== undefined)
        .join('; ');
    }
    case 'not-run': {
      const equivalent = statement.reason.kind === 'non-transactional' ? statement.reason.equivalent : undefined;
      const why =
        statement.reason.kind === 'non-transactional'
          ? `${statement.reason.form} cannot run in the check's rolled-back transaction`
          : statement.reason.message;
      return `not run (${why})${equivalent ? `; its non-concurrent equivalent took ${describeDuration(equivalent.duration)}, production ${describeEstimate(equivalent.estimate)}` : ''}`;
    }
    case 'failed':
      return `failed: ${statement.error.message}${statement.error.hint ? ` (${statement.error.hint})` : ''}`;
    case 'not-reached':
      return 'not reached';
  }
}
