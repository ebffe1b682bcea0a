import { blockedOperations } from '../locks/lock-modes';
import { displayRelation, type RelationName } from '../model/relations';
import { nodeAs, type ParsedStatement } from '../model/statement';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Report, Rule, RuleContext } from './rule';
import { alterTableClause } from './support/alter-table-clauses';
import { addsColumn, EXPAND_CONTRACT, isColumnNewInFile, isRevertingMigration, renamesColumnTo, replacesTableLater, sectionEnd } from './support/breaking-changes';
import { quoteIdentifier } from './support/constraints';

const DOCS_ALTER_TABLE = 'https://www.postgresql.org/docs/current/sql-altertable.html';

/** ALTER TABLE … DROP COLUMN of a column the running application may still use. */
export const dropColumn: Rule = {
  id: 'drop-column',
  severity: 'error',
  category: 'breaking-changes',
  docs: {
    summary: 'ALTER TABLE … DROP COLUMN of an existing column: queries of the running application that name it fail.',
    why:
      'The code running in production still names the column: every SELECT, INSERT or UPDATE that mentions it fails ' +
      'with `column "…" does not exist` from the commit on, and ORMs that list every column they know (Rails, ' +
      'Django, Hibernate) fail on each query of the table. The data of the column is gone. The drop itself is ' +
      'instant (the column is only marked dropped), but it takes an ACCESS EXCLUSIVE lock: reads and writes queue ' +
      'behind it while it waits for running queries; dropping a column with a foreign key also locks the referenced ' +
      'table ACCESS EXCLUSIVE.',
    example: {
      bad: 'ALTER TABLE users DROP COLUMN legacy_login;',
      good: '-- release N: the code stops reading and writing legacy_login (e.g. Rails ignored_columns); then:\n-- lockguard-ignore drop-column: ignored since release N\nALTER TABLE users DROP COLUMN legacy_login;',
    },
    instead:
      `${EXPAND_CONTRACT} Not reported on a table the migration drops or renames afterwards: drop-table or rename-table ` +
      'reports that the running code loses the whole table.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ALTER TABLE table DROP COLUMN column',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 10 },
      source: DOCS_ALTER_TABLE,
      probe: { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe DROP COLUMN customer_id', relation: 'lock_probe' },
    },
  ],
  fixChecks: [],
  check(statement, context) {
    const table = statement.kind === 'parsed' && nodeAs(statement, 'AlterTableStmt') ? statement.targets[0] : undefined;
    if (!table || statement.kind !== 'parsed' || !statement.alterTableCommands.some((cmd) => cmd.subtype === 'AT_DropColumn')) return [];
    if (isRevertingMigration(statement, context)) return [];
    // When the migration drops or renames the whole table afterwards, drop-table or rename-table tells the story.
    if (replacesTableLater(statement, context, { schema: table.schema, name: table.name })) return [];
    // New in this file, or a swap: another column is renamed to the dropped name afterwards, so the name stays.
    const isNameOfThisMigration = (column: string) =>
      isColumnNewInFile(context, table, column, statement.index) || renamesColumnTo(context, table, column, statement.index + 1, sectionEnd(statement, context));
    const dropped = statement.alterTableCommands.flatMap((cmd, index) =>
      cmd.subtype === 'AT_DropColumn' && cmd.name !== undefined && !isNameOfThisMigration(cmd.name) && !(cmd.missing_ok && isAbsent(context, table, cmd.name, statement.index))
        ? [{ column: cmd.name, index }]
        : [],
    );
    // Added again under the same name (a type change by drop and re-add): queries go on working, but the values are gone.
    const readded = dropped.filter(({ column }) => addsColumn(context, table, column, statement.index, sectionEnd(statement, context)));
    const removed = dropped.filter((drop) => !readded.includes(drop));
    const [first] = removed;
    if (!first) return emptiedColumnsReport(statement, table, readded);
    const columns = removed.map(({ column }) => quoteIdentifier(column)).join(', ');
    const plural = removed.length > 1;
    return [
      {
        message:
          `Dropping ${plural ? 'columns' : 'column'} ${columns} of ${displayRelation(table)} breaks the application running now: its queries that ` +
          `name ${plural ? 'them' : 'it'} fail as soon as this commits (ORMs that list every column fail on any query of the table), and the ` +
          'data is gone. Stop using the column in the code and deploy that first; drop it in a later migration.',
        range: alterTableClause(statement, first.index),
        lock: { mode: 'ACCESS EXCLUSIVE', relation: table, blocks: blockedOperations('ACCESS EXCLUSIVE') },
        noFixReason: 'Only the application can stop using the column: remove its use (or have the ORM ignore it), deploy, then drop it.',
        safeAlternative: 'Expand/contract: stop using the column in the code, deploy, then drop it in a later migration.',
      },
      ...emptiedColumnsReport(statement, table, readded),
    ];
  },
};

/**
 * Whether the migrations so far never gave the table this column (they show all its columns): a
 * `DROP COLUMN IF EXISTS` of it is a re-run guard that drops nothing, as in graphile-migrate files.
 */
function isAbsent(context: RuleContext, table: RelationName, column: string, beforeStatement: number): boolean {
  const known = context.schema.before(beforeStatement).table(table);
  return known?.columnsKnown === true && !known.columns.some((candidate) => candidate.name === column);
}

/** Columns dropped and added again under the same names: the names stay, every value is gone. One report, or none. */
function emptiedColumnsReport(statement: ParsedStatement, table: RelationName, readded: readonly { column: string; index: number }[]): Report[] {
  const [first] = readded;
  if (!first) return [];
  const plural = readded.length > 1;
  return [
    {
      severity: 'warning',
      message:
        `${plural ? 'Columns' : 'Column'} ${readded.map(({ column }) => quoteIdentifier(column)).join(', ')} of ${displayRelation(table)} ${plural ? 'are' : 'is'} dropped ` +
        `and added again under the same ${plural ? 'names' : 'name'}: queries that name ${plural ? 'them' : 'it'} go on working, but every existing value is gone ` +
        '(NULL, or the new DEFAULT). If the values matter, change the column in place (ALTER COLUMN … TYPE … USING) or copy them before the drop.',
      range: alterTableClause(statement, first.index),
      lock: { mode: 'ACCESS EXCLUSIVE', relation: table, blocks: blockedOperations('ACCESS EXCLUSIVE') },
      noFixReason: 'Only you know whether the values must survive: keep them with ALTER COLUMN … TYPE … USING, or copy them first.',
      safeAlternative: 'ALTER COLUMN … TYPE … USING keeps the values; a batched copy into a new column keeps the table readable.',
    },
  ];
}
