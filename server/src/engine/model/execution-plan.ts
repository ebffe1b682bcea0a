import type { Section } from './frameworks/framework';
import type { MigrationModel } from './migration';
import type { Statement } from './statement';
import { transactionControlOf } from './transaction-control';
import { sentByRunner } from './transactions';

/**
 * What the migration runner sends to PostgreSQL when the migration is applied, in order: the
 * transactions it opens and commits itself, and each query with the statements it carries. Sections
 * that do not run on apply are left out. The staging check and the tests that run fixed migrations
 * execute this plan, so they see the migration as production will.
 */
export type ExecutionStep =
  /** The runner opens its own transaction (or its driver does, before the next statement). */
  | { kind: 'begin' }
  /** The runner commits what it opened. */
  | { kind: 'commit' }
  /** One query: a single statement, or a whole section sent as one multi-statement query. */
  | { kind: 'query'; text: string; statements: readonly Statement[] };

export function executionPlan(source: string, statements: readonly Statement[], model: MigrationModel): ExecutionStep[] {
  const steps: ExecutionStep[] = [];
  for (const section of model.sections) {
    if (section.kind !== 'up') continue;
    const members = statements.filter((statement) => statement.range.start >= section.start && statement.range.start < section.end && sentByRunner(statement));
    if (members.length === 0) continue;
    steps.push(...sectionSteps(source, section, members, model));
  }
  return steps;
}

function sectionSteps(source: string, section: Section, members: readonly Statement[], model: MigrationModel): ExecutionStep[] {
  const query = (statement: Statement): ExecutionStep => ({ kind: 'query', text: source.slice(statement.range.start, statement.range.end), statements: [statement] });
  switch (section.wrapping) {
    case 'none':
      return members.map(query);
    case 'one-query':
      return [{ kind: 'query', text: source.slice(members[0]!.range.start, members[members.length - 1]!.range.end), statements: members }];
    case 'transaction': {
      const steps: ExecutionStep[] = [{ kind: 'begin' }];
      members.forEach((statement, i) => {
        steps.push(query(statement));
        // A COMMIT of the file ended the runner's transaction: runners that send the section as one
        // query, or whose driver opens a transaction before each statement, run the rest in a new one.
        if (transactionControlOf(statement) === 'close' && model.framework?.afterCommit === 'new-transaction' && i < members.length - 1) steps.push({ kind: 'begin' });
      });
      steps.push({ kind: 'commit' });
      return steps;
    }
  }
}
