import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import { blockingOf, describeBlocked, describeDuration, describeEstimate, fillChecklist, findChecklistBlock, type CheckReport, type Finding, type LineIndex, type Statement, type StatementResult } from '../engine';
import { toRange } from './convert';

/** A quick fix sub-kind: offered with the light bulb and Ctrl+., like the rule fixes, without a new capability. */
export const FILL_CHECKLIST_KIND = `${CodeActionKind.QuickFix}.lockguard.checklist`;

/**
 * The latest staging check per document. Findings gain its measured facts while their statement's text
 * is the one that was checked: edits elsewhere keep them, editing the statement drops them.
 */
export class StagingResults {
  private readonly reports = new Map<string, CheckReport>();

  set(uri: string, report: CheckReport): void {
    this.reports.set(uri, report);
  }

  forget(uri: string): void {
    this.reports.delete(uri);
  }

  /** The diagnostic of `finding` with what the check measured for its statement appended. */
  enrich(uri: string, finding: Finding, statements: readonly Statement[], diagnostic: Diagnostic): Diagnostic {
    const statement = statements[finding.statementIndex];
    const measured = statement && this.measuredFor(uri, statement.text);
    if (!measured) return diagnostic;
    const report = this.reports.get(uri)!;
    return { ...diagnostic, message: `${diagnostic.message}\n${checkName(report)}: ${measuredFacts(measured)}` };
  }

  /** "Write measured values into the checklist": fills the file's checklist block, or adds one at the top. */
  checklistAction(uri: string, text: string, lines: LineIndex): CodeAction | undefined {
    const report = this.reports.get(uri);
    if (!report) return undefined;
    const block = findChecklistBlock(text);
    const filled = fillChecklist(report, block && text.slice(block.start, block.end));
    const range = block ?? { start: 0, end: 0 };
    return {
      title: block ? 'Write measured values into the checklist' : 'Add the migration checklist with the measured values',
      kind: FILL_CHECKLIST_KIND,
      edit: { changes: { [uri]: [{ range: toRange(lines, range), newText: block ? filled : `${filled}\n\n` }] } },
    };
  }

  private measuredFor(uri: string, statementText: string): StatementResult | undefined {
    // Asked for every diagnostic of every analysis: nothing to do for a file never checked.
    const report = this.reports.get(uri);
    if (!report) return undefined;
    const key = normalise(statementText);
    return report.statements.find((result) => normalise(result.text) === key && result.status !== 'not-reached');
  }
}

const normalise = (sql: string) => sql.replace(/\s+/g, ' ').trim();

const checkName = (report: CheckReport) =>
  report.target.kind === 'staging' ? `Measured on staging (PostgreSQL ${report.target.serverVersion})` : `Traced on the embedded ${report.target.engine} database (no timing)`;

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
      const why = statement.reason.kind === 'non-transactional' ? `${statement.reason.form} cannot run in the check's rolled-back transaction` : statement.reason.message;
      return `not run (${why})${equivalent ? `; its non-concurrent equivalent took ${describeDuration(equivalent.duration)}, production ${describeEstimate(equivalent.estimate)}` : ''}`;
    }
    case 'failed':
      return `failed: ${statement.error.message}${statement.error.hint ? ` (${statement.error.hint})` : ''}`;
    case 'not-reached':
      return 'not reached';
  }
}
