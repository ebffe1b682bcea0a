import { blockedOperations } from '../locks/lock-modes';
import { displayRelation } from '../model/relations';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Rule } from './rule';
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
      good: "-- readers handle NULL (deployed first), then:\nSET lock_timeout = '2s';\nALTER TABLE orders ALTER COLUMN customer_note DROP NOT NULL;",
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
      .filter((command) => !isColumnNewInFile(context, alter.table, command.name ?? '', statement.index))
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
