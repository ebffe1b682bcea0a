import { blockedOperations } from '../locks/lock-modes';
import { displayRelation, type RelationName } from '../model/relations';
import { nodeAs, type Statement } from '../model/statement';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Rule, RuleContext } from './rule';
import { createsRelationNamed, EXPAND_CONTRACT, isRevertingMigration, renamesTableTo, sectionEnd } from './support/breaking-changes';
import { quoteIdentifier } from './support/constraints';
import { renameClause } from './support/renames';

const DOCS_ALTER_TABLE = 'https://www.postgresql.org/docs/current/sql-altertable.html';

/** ALTER TABLE … RENAME TO of a table the running application uses by its old name. */
export const renameTable: Rule = {
  id: 'rename-table',
  severity: 'error',
  category: 'breaking-changes',
  docs: {
    summary: 'ALTER TABLE … RENAME TO of an existing table: the running application\'s queries, which use the old name, fail.',
    why:
      'The code running in production names the table by its old name: from the commit on, every one of its queries ' +
      'on the table fails with `relation "…" does not exist` until the new code is deployed everywhere — and a deploy ' +
      'is never instant, nor is a rollback of the code. The rename takes an ACCESS EXCLUSIVE lock (instant, but reads ' +
      'and writes queue behind it while it waits for running queries).',
    example: {
      bad: 'ALTER TABLE customers RENAME TO clients;',
      good: '-- keep the old name working while both versions of the code run:\nALTER TABLE customers RENAME TO clients;\nCREATE VIEW customers AS SELECT * FROM clients;\n-- and drop the view once no code uses the old name',
    },
    instead:
      `${EXPAND_CONTRACT} A rename followed, in the same migration, by a view with the old name (a simple view is ` +
      'updatable, so old code keeps reading and writing through it), by a new table with the old name (a rebuild) or ' +
      'by another table renamed to it (a swap) is not reported: running queries still find the name.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ALTER TABLE table RENAME TO new_name',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 10 },
      source: DOCS_ALTER_TABLE,
      // Renamed and back within the transaction, so both sessions can still find the table by its name.
      probe: { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe RENAME TO lock_probe_renamed; ALTER TABLE lock_probe_renamed RENAME TO lock_probe', relation: 'lock_probe' },
    },
  ],
  fixChecks: [],
  check(statement, context) {
    const rename = nodeAs(statement, 'RenameStmt');
    if (rename?.renameType !== 'OBJECT_TABLE' || !rename.relation?.relname || rename.newname === undefined || isRevertingMigration(statement, context)) return [];
    const table = { schema: rename.relation.schemaname, name: rename.relation.relname };
    if (isNameOfThisMigration(table, statement.index, context) || keepsOldName(table, statement, context)) return [];
    return [
      {
        message:
          `Renaming ${displayRelation(table)} to ${quoteIdentifier(rename.newname)} breaks the application running now: its queries use the old ` +
          'name and fail as soon as this commits, until the new code runs everywhere. Keep the old name working (a view with the old name, ' +
          'or expand/contract with a new table) until no code uses it.',
        range: renameClause(statement),
        lock: { mode: 'ACCESS EXCLUSIVE', relation: table, blocks: blockedOperations('ACCESS EXCLUSIVE') },
        noFixReason: 'Which names the running code uses is not in the migration: keep the old name as a view, or use expand/contract.',
        safeAlternative: `Rename, then CREATE VIEW ${displayRelation(table)} AS SELECT * FROM the new name, until no code uses the old name.`,
      },
    ];
  },
};

/**
 * Whether the file created the relation (a table, or a view: `ALTER TABLE view RENAME` parses the same),
 * or gave it this name by an earlier rename: no running code uses the name.
 */
function isNameOfThisMigration(table: RelationName, renameStatement: number, context: RuleContext): boolean {
  return context.isCreatedInFile(table, renameStatement) || createsRelationNamed(context, table, 0, renameStatement) || renamesTableTo(context, table, 0, renameStatement);
}

/**
 * Whether a later statement of the section gives the old name back: a view over the renamed table (old code
 * keeps working through it), a rebuilt table, or another table renamed to it.
 */
function keepsOldName(table: RelationName, rename: Statement, context: RuleContext): boolean {
  // In the same section: a down section that renames the table back undoes the migration, it keeps nothing running.
  const end = sectionEnd(rename, context);
  return createsRelationNamed(context, table, rename.index + 1, end) || renamesTableTo(context, table, rename.index + 1, end);
}
