import { blockedOperations } from '../locks/lock-modes';
import { displayRelation, type RelationName } from '../model/relations';
import { nodeAs } from '../model/statement';
import { PROBE_VIEW_SETUP } from './probe-fixtures';
import type { Rule, RuleContext } from './rule';
import { createsRelationNamed, EXPAND_CONTRACT, isRevertingMigration, renamesTableTo, renamesViewTo } from './support/breaking-changes';
import { quoteIdentifier } from './support/constraints';
import { renameClause } from './support/renames';

/**
 * ALTER VIEW / ALTER MATERIALIZED VIEW … RENAME TO of a view the running application reads by its old
 * name. (`ALTER TABLE view RENAME TO` parses the same as a table rename: rename-table reports it.)
 */
export const renameView: Rule = {
  id: 'rename-view',
  severity: 'error',
  category: 'breaking-changes',
  docs: {
    summary: 'ALTER VIEW … RENAME TO of an existing view: the running application\'s queries, which use the old name, fail.',
    why:
      'The code running in production reads the view by its old name: from the commit on, each of its queries on ' +
      'the view fails with `relation "…" does not exist` until the new code is deployed everywhere. The rename takes ' +
      'an ACCESS EXCLUSIVE lock on the view (instant, but queries on it queue behind it while it waits for running ones).',
    example: {
      bad: 'ALTER VIEW active_customers RENAME TO active_clients;',
      good: '-- keep the old name working while both versions of the code run:\nCREATE VIEW active_clients AS SELECT * FROM active_customers;\n-- and rename (or drop the old one) once no code uses the old name',
    },
    instead:
      `${EXPAND_CONTRACT} A rename followed, in the same migration, by a view with the old name is not reported: ` +
      'running queries still find it.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ALTER VIEW view RENAME TO new_name',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the view',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 10 },
      source: 'https://www.postgresql.org/docs/current/sql-alterview.html',
      // Renamed and back within the transaction, so both sessions can still find the view by its name.
      probe: {
        setup: PROBE_VIEW_SETUP,
        statement: 'ALTER VIEW lock_probe_view RENAME TO lock_probe_view_renamed; ALTER VIEW lock_probe_view_renamed RENAME TO lock_probe_view',
        relation: 'lock_probe_view',
      },
    },
  ],
  fixChecks: [],
  check(statement, context) {
    const rename = nodeAs(statement, 'RenameStmt');
    const kind = rename?.renameType === 'OBJECT_VIEW' ? 'view' : rename?.renameType === 'OBJECT_MATVIEW' ? 'materialized view' : undefined;
    if (!kind || !rename?.relation?.relname || rename.newname === undefined || isRevertingMigration(statement, context)) return [];
    const view = { schema: rename.relation.schemaname, name: rename.relation.relname };
    if (isNameOfThisMigration(view, statement.index, context) || keepsOldName(view, statement.index, context)) return [];
    return [
      {
        message:
          `Renaming the ${kind} ${displayRelation(view)} to ${quoteIdentifier(rename.newname)} breaks the application running now: its queries use ` +
          'the old name and fail as soon as this commits, until the new code runs everywhere. Keep the old name working (a view with the ' +
          'old name over the new one) until no code uses it.',
        range: renameClause(statement),
        lock: { mode: 'ACCESS EXCLUSIVE', relation: view, blocks: blockedOperations('ACCESS EXCLUSIVE') },
        noFixReason: 'Which names the running code uses is not in the migration: keep a view with the old name until no code uses it.',
        safeAlternative: `Rename, then CREATE VIEW ${displayRelation(view)} AS SELECT * FROM the new name, until no code uses the old name.`,
      },
    ];
  },
};

/** Whether the file created the view, or gave it this name by an earlier rename: no running code uses the name. */
function isNameOfThisMigration(view: RelationName, renameStatement: number, context: RuleContext): boolean {
  return createsRelationNamed(context, view, 0, renameStatement) || renamesViewTo(context, view, 0, renameStatement) || renamesTableTo(context, view, 0, renameStatement);
}

/** Whether a later statement of the file gives the old name back: a new view (or table) with it, or a rename to it. */
function keepsOldName(view: RelationName, renameStatement: number, context: RuleContext): boolean {
  const end = context.statements.length;
  return createsRelationNamed(context, view, renameStatement + 1, end) || renamesViewTo(context, view, renameStatement + 1, end) || renamesTableTo(context, view, renameStatement + 1, end);
}
