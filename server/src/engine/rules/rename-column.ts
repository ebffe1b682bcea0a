import { blockedOperations } from '../locks/lock-modes';
import { displayRelation } from '../model/relations';
import { nodeAs } from '../model/statement';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Rule } from './rule';
import { addsColumn, EXPAND_CONTRACT, isColumnNewInFile, isRevertingMigration, renamesColumnTo, replacesTableLater, sectionEnd } from './support/breaking-changes';
import { quoteIdentifier } from './support/constraints';
import { renameClause } from './support/renames';

const DOCS_ALTER_TABLE = 'https://www.postgresql.org/docs/current/sql-altertable.html';

/** ALTER TABLE … RENAME COLUMN of a column the running application uses by its old name. */
export const renameColumn: Rule = {
  id: 'rename-column',
  severity: 'error',
  category: 'breaking-changes',
  docs: {
    summary: 'ALTER TABLE … RENAME COLUMN of an existing column: the running application\'s queries, which use the old name, fail.',
    why:
      'The code running in production names the column by its old name: from the commit on, each query that mentions ' +
      'it fails with `column "…" does not exist` (and ORMs that list every column fail on any query of the table) ' +
      'until the new code runs everywhere. The rename takes an ACCESS EXCLUSIVE lock on the table (instant, but reads ' +
      'and writes queue behind it while it waits for running queries).',
    example: {
      bad: 'ALTER TABLE users RENAME COLUMN name TO full_name;',
      good:
        '-- expand: add the new column, write both (trigger or code), backfill, move reads; contract later:\n' +
        'ALTER TABLE users ADD COLUMN full_name text;',
    },
    instead:
      `${EXPAND_CONTRACT} A rename whose old name is given back later in the same migration (a new column with that ` +
      'name, or another column renamed to it) is not reported: running queries still find the name. Nor is a column of a ' +
      'table the migration drops or renames afterwards: drop-table or rename-table reports that the running code loses ' +
      'the whole table, and a column of a table being replaced cannot be moved by expand/contract.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ALTER TABLE table RENAME COLUMN column TO new_name',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 10 },
      source: DOCS_ALTER_TABLE,
      probe: { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe RENAME COLUMN customer_id TO client_id', relation: 'lock_probe' },
    },
  ],
  fixChecks: [],
  check(statement, context) {
    const rename = nodeAs(statement, 'RenameStmt');
    if (rename?.renameType !== 'OBJECT_COLUMN' || rename.relationType !== 'OBJECT_TABLE' || !rename.relation?.relname) return [];
    if (rename.subname === undefined || rename.newname === undefined || isRevertingMigration(statement, context)) return [];
    const table = { schema: rename.relation.schemaname, name: rename.relation.relname };
    const end = sectionEnd(statement, context);
    // A later ADD COLUMN or rename to the old name (rebuild or swap) keeps running queries working.
    const keepsOldName = addsColumn(context, table, rename.subname, statement.index + 1, end) || renamesColumnTo(context, table, rename.subname, statement.index + 1, end);
    if (isColumnNewInFile(context, table, rename.subname, statement.index) || keepsOldName) return [];
    // The table itself is dropped or renamed afterwards: drop-table or rename-table reports the breakage.
    if (replacesTableLater(statement, context, table)) return [];
    return [
      {
        message:
          `Renaming column ${quoteIdentifier(rename.subname)} of ${displayRelation(table)} to ${quoteIdentifier(rename.newname)} breaks the application ` +
          'running now: its queries use the old name and fail as soon as this commits, until the new code runs everywhere. Use expand/contract: ' +
          'add the new column, write both, backfill, move the reads, then drop the old one.',
        range: renameClause(statement),
        lock: { mode: 'ACCESS EXCLUSIVE', relation: table, blocks: blockedOperations('ACCESS EXCLUSIVE') },
        noFixReason: 'Expand/contract spans several releases of the code; no rewrite of this migration alone keeps the old name working.',
        safeAlternative: 'Expand/contract: add the new column, write both, backfill, move reads, drop the old column later.',
      },
    ];
  },
};
