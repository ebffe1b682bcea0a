import type { Rule } from './rule';
import { GENERATED_SQL_NOTE, styleReports } from './support/generated-sql';
import { lengthLimitReport } from './support/length-limit';
import { baseTypeName, isArray, typeModifiers, typeSites } from './support/column-types';

/** A length limit in the type can only change with ALTER COLUMN TYPE; as a CHECK it can change without blocking. */
export const preferTextOverVarchar: Rule = {
  id: 'prefer-text-over-varchar',
  severity: 'info',
  category: 'style',
  docs: {
    summary: 'A column typed `varchar(n)`; `text` with a CHECK on its length is as fast and easier to change.',
    why:
      'In PostgreSQL `varchar(n)` and `text` are stored and processed the same way; the only difference is the length ' +
      'limit, and a limit in the type is hard to change: raising it takes a brief ACCESS EXCLUSIVE lock, and lowering ' +
      'it (or moving between char types) rewrites or scans the table under that lock. A `CHECK (char_length(col) <= n)` ' +
      'constraint can be replaced with `ADD CONSTRAINT … NOT VALID` and `VALIDATE CONSTRAINT`, which let reads and ' +
      'writes continue.',
    example: { bad: 'CREATE TABLE users (email varchar(255) NOT NULL);', good: 'CREATE TABLE users (email text CHECK (char_length(email) <= 255) NOT NULL);' },
    instead:
      'Use `text`, with a CHECK constraint when the limit matters. The quick fix rewrites a new table\'s column to ' +
      '`text CHECK (char_length(col) <= n)`. It is not applied automatically: an over-long value then fails the CHECK ' +
      '(SQLSTATE 23514) instead of the type (22001), and trailing spaces are no longer trimmed to fit. On an existing ' +
      'table, add the column as `text` and the CHECK as `NOT VALID` + `VALIDATE` (an inline CHECK would scan the table under ACCESS EXCLUSIVE).' +
      ` ${GENERATED_SQL_NOTE}`,
  },
  facts: [],
  fixChecks: [{ setup: [], migration: 'CREATE TABLE lockguard_users (id bigint, email character varying(255) NOT NULL, "Name" varchar(20));\n' }],
  check(statement, context) {
    return styleReports(
      context,
      typeSites(statement, context).flatMap((site) => {
        const [length] = typeModifiers(site.type);
        if (baseTypeName(site.type) !== 'varchar' || length === undefined || isArray(site.type)) return [];
        return [lengthLimitReport(site, `varchar(${length})`, length, 'its limit can only change with ALTER COLUMN TYPE, under an ACCESS EXCLUSIVE lock')];
      }),
    );
  },
};
