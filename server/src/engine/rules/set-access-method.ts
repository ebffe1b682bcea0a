import type { Rule } from './rule';
import { accessExclusiveOn, commandRange, commandsOfType } from './support/alter-table';
import { alterOfTableThatMayBeLarge, FEW_ROWS_EXEMPTION } from './support/tables-with-rows';
import { rewriteFact, rewriteMessage } from './support/table-rewrites';

const DOCS_SET_ACCESS_METHOD = 'https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-SET-ACCESS-METHOD';
const INSTEAD = 'Create the table with the access method it needs, or switch it in a maintenance window.';

/** SET ACCESS METHOD (PostgreSQL 15+) rewrites the table into the new storage format. */
export const setAccessMethod: Rule = {
  id: 'set-access-method',
  severity: 'error',
  category: 'rewrites',
  docs: {
    summary: 'ALTER TABLE … SET ACCESS METHOD (PostgreSQL 15+) rewrites the table while reads and writes wait.',
    why:
      'Changing a table\'s access method (its storage format, e.g. heap to a columnar method) rewrites every row into ' +
      'the new format and rebuilds every index under an ACCESS EXCLUSIVE lock: no read or write on the table until it ' +
      'is done.',
    example: {
      bad: 'ALTER TABLE events SET ACCESS METHOD columnar;',
      good: '-- new tables: choose it up front\nCREATE TABLE events_2026 (LIKE events) USING columnar;',
    },
    instead: `${INSTEAD} Tables created earlier in the same migration are exempt. ${FEW_ROWS_EXEMPTION}`,
  },
  facts: [rewriteFact('ALTER TABLE table SET ACCESS METHOD method', 'ALTER TABLE lock_probe SET ACCESS METHOD heap', { from: 15 }, DOCS_SET_ACCESS_METHOD)],
  fixChecks: [],
  check(statement, context) {
    const alter = alterOfTableThatMayBeLarge(statement, context, 'AT_SetAccessMethod');
    if (!alter) return [];
    return commandsOfType(alter, 'AT_SetAccessMethod').map((command) => ({
      message: rewriteMessage(`SET ACCESS METHOD ${command.name ?? 'DEFAULT'}`, alter.table, 'every row is rewritten in the new storage format', INSTEAD),
      range: commandRange(alter, command),
      lock: accessExclusiveOn(alter.table),
      noFixReason: 'PostgreSQL has no online form of SET ACCESS METHOD: a maintenance window, or a new table filled in batches.',
      safeAlternative: 'Choose the access method at CREATE TABLE, or switch in a maintenance window.',
    }));
  },
};
