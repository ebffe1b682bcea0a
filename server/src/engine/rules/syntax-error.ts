import type { Rule } from './rule';

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
  check(statement) {
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
    return [{ message: `Syntax error: ${statement.message}. PostgreSQL will reject this statement and the migration will stop here.`, range: statement.errorRange }];
  },
};
