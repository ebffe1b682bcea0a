import { nodeAs, type ParsedStatement } from '../model/statement';
import type { Rule, RuleContext } from './rule';
import { isRevertingMigration } from './support/breaking-changes';
import { namesOf } from './support/constraints';
import { renameClause } from './support/renames';
import { isTypeNewInFile, sameTypeName } from './support/types';

const DOCS_ALTER_TYPE = 'https://www.postgresql.org/docs/current/sql-altertype.html';
const PROBE_ENUM_SETUP = ["CREATE TYPE lock_probe_mood AS ENUM ('sad', 'happy')", 'CREATE TABLE lock_probe_moods (id int, mood lock_probe_mood)', "INSERT INTO lock_probe_moods VALUES (1, 'sad')"];

/** ALTER TYPE … RENAME VALUE: the running application still writes and compares the old label. */
export const renameEnumValue: Rule = {
  id: 'rename-enum-value',
  severity: 'error',
  category: 'breaking-changes',
  docs: {
    summary: "ALTER TYPE … RENAME VALUE of an existing enum value: the running application's queries that use the old label fail.",
    why:
      'Renaming an enum value is instant, but the code running in production still sends the old label: from the commit ' +
      "on, every insert, update or comparison with it fails with `invalid input value for enum` until the new code runs " +
      'everywhere. Rows keep their value under the new label, so code that reads the label (or maps it to a constant) ' +
      'sees a value it does not know.',
    example: {
      bad: "ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled';",
      good:
        "-- expand: add the new label; deploy code that accepts both and writes the new one\nALTER TYPE order_status ADD VALUE IF NOT EXISTS 'cancelled';\n" +
        "-- later, in batches: UPDATE orders SET status = 'cancelled' WHERE status = 'canceled';",
    },
    instead:
      'Use expand/contract: add the new label with `ALTER TYPE … ADD VALUE`, release code that reads both labels and ' +
      'writes the new one, move the rows over in batches, and leave the old label unused (an enum value cannot be ' +
      'dropped without recreating the type). When no running code uses the old label any more, say so on the statement: ' +
      '`-- lockguard-ignore rename-enum-value: <reason>`. Enum types created, and values added, earlier in the same ' +
      'migration are exempt, and so are down/revert migrations.',
  },
  facts: [
    {
      kind: 'failure',
      statement: "ALTER TYPE type RENAME VALUE 'old' TO 'new', then a query using 'old' (as the running application does)",
      sqlstate: '22P02',
      message: 'invalid input value for enum lock_probe_mood: "sad"',
      versions: { from: 10 },
      source: DOCS_ALTER_TYPE,
      probe: { setup: PROBE_ENUM_SETUP, statement: "ALTER TYPE lock_probe_mood RENAME VALUE 'sad' TO 'unhappy'; SELECT count(*) FROM lock_probe_moods WHERE mood = 'sad'" },
    },
  ],
  fixChecks: [],
  check(statement, context) {
    const alter = nodeAs(statement, 'AlterEnumStmt');
    if (statement.kind !== 'parsed' || alter?.oldVal === undefined || alter.newVal === undefined) return [];
    const type = namesOf(alter.typeName);
    if (isRevertingMigration(statement, context) || isTypeNewInFile(context, type, statement.index) || isValueNewInFile(statement, context, type, alter.oldVal)) return [];
    return [
      {
        message:
          `Renaming value '${alter.oldVal}' of enum ${type.join('.')} to '${alter.newVal}' breaks the application running now: its inserts, updates ` +
          `and comparisons with '${alter.oldVal}' fail (invalid input value for enum) as soon as this commits. Add '${alter.newVal}' with ADD VALUE ` +
          'and move the code and rows over first (expand/contract).',
        range: renameClause(statement),
        noFixReason: 'Which labels the running code sends is not in the migration: add the new value and migrate with expand/contract.',
        safeAlternative: `ALTER TYPE … ADD VALUE '${alter.newVal}', deploy code using it, then move the rows.`,
      },
    ];
  },
};

/** Whether an earlier statement of the file added the value (or renamed another one to it): no running code knows it. */
function isValueNewInFile(statement: ParsedStatement, context: RuleContext, type: readonly string[], value: string): boolean {
  return context.statements.slice(0, statement.index).some((earlier) => {
    const alter = nodeAs(earlier, 'AlterEnumStmt');
    return alter?.newVal === value && sameTypeName(namesOf(alter.typeName), type);
  });
}
