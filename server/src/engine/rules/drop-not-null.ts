import { blockedOperations } from '../locks/lock-modes';
import { displayRelation, sameRelation, type RelationName } from '../model/relations';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Rule, RuleContext } from './rule';
import { accessExclusiveOn, alterOfExistingTable, commandRange, commandsOfType } from './support/alter-table';
import { isColumnNewInFile } from './support/breaking-changes';

const DOCS_DROP_NOT_NULL = 'https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-SET-DROP-NOT-NULL';

/**
 * DROP NOT NULL is a catalog change (a brief ACCESS EXCLUSIVE), and often the safe first step of
 * removing a column. What can break is a reader that assumes a value once NULLs are written: advice.
 */
export const dropNotNull: Rule = {
  id: 'drop-not-null',
  severity: 'info',
  category: 'breaking-changes',
  docs: {
    summary: 'ALTER COLUMN … DROP NOT NULL: instant, but readers that assume a value may break once NULLs are written.',
    why:
      '`DROP NOT NULL` only changes the catalog: it takes an ACCESS EXCLUSIVE lock for a moment and touches no row. ' +
      'The risk is in the contract: code and queries written for a column that always had a value (a non-optional ' +
      'field in an ORM model, `NOT IN (SELECT col …)`, string concatenation, aggregates) may misbehave once a NULL is ' +
      'stored. It is also the usual, safe first step of retiring a column, which is why this is advice, not a warning. ' +
      'Columns added earlier in the same migration are exempt.',
    example: {
      bad: 'ALTER TABLE orders ALTER COLUMN customer_note DROP NOT NULL;',
      good:
        "SET lock_timeout = '2s';\n-- lockguard-ignore drop-not-null: readers handle a NULL customer_note since v3.8 (deployed first)\n" +
        'ALTER TABLE orders ALTER COLUMN customer_note DROP NOT NULL;',
    },
    instead:
      'Deploy readers that handle NULL before the migration (or before writers start storing NULLs), and set a short ' +
      '`lock_timeout` so the brief ACCESS EXCLUSIVE lock never queues traffic behind a long query.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ALTER TABLE table ALTER COLUMN column DROP NOT NULL',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table (catalog change only)',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 9 },
      source: DOCS_DROP_NOT_NULL,
      probe: {
        setup: [...PROBE_TABLE_SETUP, 'ALTER TABLE lock_probe ALTER COLUMN customer_id SET NOT NULL'],
        statement: 'ALTER TABLE lock_probe ALTER COLUMN customer_id DROP NOT NULL',
        relation: 'lock_probe',
      },
    },
  ],
  fixChecks: [],
  check(statement, context) {
    const alter = alterOfExistingTable(statement, context, 'AT_DropNotNull');
    if (!alter) return [];
    return commandsOfType(alter, 'AT_DropNotNull')
      .filter((command) => !isColumnNewInFile(context, alter.table, command.name ?? '', statement.index) && !isNullableAlready(context, alter.table, command.name ?? '', statement.index))
      .map((command) => ({
        message:
          `DROP NOT NULL lets ${displayRelation(alter.table)}.${command.name ?? ''} hold NULL: code and queries that assume a value ` +
          '(non-optional ORM fields, NOT IN subqueries, concatenation) may break once NULLs are written. Deploy readers that ' +
          'handle NULL first. The change itself is instant (a brief ACCESS EXCLUSIVE lock).',
        range: commandRange(alter, command),
        lock: accessExclusiveOn(alter.table),
        noFixReason: 'Nothing to rewrite: the statement is safe for the database; the question is whether the application handles NULL.',
      }));
  },
};

/** Whether the earlier migrations left the column nullable: DROP NOT NULL then changes nothing (ORMs emit it with every column change). */
function isNullableAlready(context: RuleContext, table: RelationName, column: string, beforeStatement: number): boolean {
  return context.schema.before(beforeStatement).column(table, column)?.notNull === false && !droppedPrimaryKeyOf(context, table, column, beforeStatement);
}

/**
 * Whether an earlier statement of the file drops a primary key over the column. PostgreSQL keeps its
 * columns NOT NULL, which the schema history does not show: the DROP NOT NULL after it does change them.
 */
function droppedPrimaryKeyOf(context: RuleContext, table: RelationName, column: string, beforeStatement: number): boolean {
  return context.statements.slice(0, beforeStatement).some(
    (statement) =>
      statement.kind === 'parsed' &&
      statement.targets[0] !== undefined &&
      sameRelation(statement.targets[0], table) &&
      statement.alterTableCommands.some(
        (cmd) =>
          cmd.subtype === 'AT_DropConstraint' &&
          context.schema
            .before(statement.index)
            .constraints(table)
            .some((constraint) => constraint.name === cmd.name && constraint.kind === 'primary-key' && constraint.columns.includes(column)),
      ),
  );
}
