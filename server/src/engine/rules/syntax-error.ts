import { sectionOf } from '../model/migration';
import type { InvalidStatement } from '../model/statement';
import type { Rule, RuleContext } from './rule';
import { lineOf } from './support/lines';

/** A statement PostgreSQL's own grammar rejects: the migration would fail there. */
export const syntaxError: Rule = {
  id: 'syntax-error',
  severity: 'error',
  category: 'hygiene',
  docs: {
    summary: 'A statement PostgreSQL cannot parse: the migration fails at that statement.',
    why:
      "Lockguard parses every statement with PostgreSQL's own grammar (libpg_query, PostgreSQL 18). A statement " +
      'it rejects will be rejected by the server too, and the migration stops there. The rest of the file is ' +
      'still analysed. Statements with template placeholders (`{{ .Schema }}`, `${schema}`, psql `:var`) cannot be ' +
      'checked until the migration tool fills them in; they are reported as a warning.',
    example: { bad: 'CREATE INDX orders_idx ON orders (id);', good: 'CREATE INDEX CONCURRENTLY orders_idx ON orders (id);' },
    instead: 'Fix the statement at the marked token. For templated SQL, lint the rendered migration.',
  },
  facts: [],
  fixChecks: [],
  check(statement, context) {
    if (statement.kind !== 'invalid') return [];
    if (statement.templated) {
      return [
        {
          message: `This statement uses template placeholders that only your migration tool fills in, so PostgreSQL's grammar rejects it as written (${statement.message}). Lint the rendered SQL to check its locks.`,
          range: statement.errorRange,
          severity: 'warning',
        },
      ];
    }
    return [{ message: `Syntax error: ${statement.message}. ${consequence(statement, context)}`, range: statement.errorRange }];
  },
};

/**
 * What the error does to the run: a runner that sends the section as one query has PostgreSQL parse it whole
 * first, so none of it runs; otherwise the run stops at the first statement PostgreSQL rejects.
 */
function consequence(statement: InvalidStatement, context: RuleContext): string {
  const section = sectionOf(context.migration, statement);
  const what = statement.section === 'down' ? 'rollback' : 'migration';
  const first = context.statements.find(
    (other) => other.kind === 'invalid' && !other.templated && other.index < statement.index && section !== undefined && sectionOf(context.migration, other) === section,
  );
  if (section?.wrapping === 'one-query') {
    return (
      `${context.migration.runner.name} sends this ${what} to PostgreSQL as one query, which PostgreSQL parses whole before running any of it: ` +
      `it rejects the ${what} ${first ? `already at line ${lineOf(first, context)}` : 'here'}, and none of its statements run.`
    );
  }
  return first ? `PostgreSQL will reject this statement; the ${what} already stops at line ${lineOf(first, context)}.` : `PostgreSQL will reject this statement and the ${what} will stop here.`;
}
