import { displayRelation } from '../model/relations';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Report, Rule } from './rule';
import { addedColumns, constraintRange, FAST_DEFAULT_SINCE, requiredWithoutValue } from './support/added-columns';
import { accessExclusiveOn, alterOfExistingTable } from './support/alter-table';
import { emptiedEarlierInTransaction } from './support/emptied-tables';

const DOCS_ALTER_TABLE = 'https://www.postgresql.org/docs/current/sql-altertable.html';

/**
 * ADD COLUMN … NOT NULL without a DEFAULT leaves the existing rows with nothing to put in the
 * column: PostgreSQL refuses it on any table that has a row. It passes on the empty development
 * database and fails in production.
 */
export const addColumnNotNullWithoutDefault: Rule = {
  id: 'add-column-not-null-without-default',
  severity: 'error',
  category: 'breaking-changes',
  docs: {
    summary: 'ADD COLUMN … NOT NULL without a DEFAULT fails on a table that has rows.',
    why:
      'Existing rows get the column\'s default, and without a `DEFAULT` that is NULL, which the `NOT NULL` (or ' +
      '`PRIMARY KEY`) forbids: the statement fails with `column "…" of relation "…" contains null values` ' +
      '(SQLSTATE 23502) on every table that has a row. It passes on an empty development or CI database and fails ' +
      'in production, leaving the deployment half done. Identity, serial and generated columns are not flagged: ' +
      'they fill the existing rows themselves.',
    example: {
      bad: 'ALTER TABLE orders ADD COLUMN status text NOT NULL;',
      good: "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'pending';",
    },
    instead:
      'Give the column a `DEFAULT` for the existing rows. On PostgreSQL 11 and later a non-volatile default (a ' +
      'constant, `now()`) is stored once in the catalog: no rewrite. When there is no sensible default, add the ' +
      'column nullable, backfill it in batches, then add `NOT NULL` (on PostgreSQL 12+ without a long lock: ' +
      '`CHECK (col IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT`, `SET NOT NULL`, drop the check). Tables created ' +
      'earlier in the same migration are exempt: they are empty.',
  },
  facts: [
    {
      kind: 'failure',
      statement: 'ALTER TABLE table ADD COLUMN column type NOT NULL (no DEFAULT), on a table with rows',
      sqlstate: '23502',
      message: 'column "note" of relation "lock_probe" contains null values',
      versions: { from: 9 },
      source: DOCS_ALTER_TABLE,
      probe: { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe ADD COLUMN note text NOT NULL' },
    },
  ],
  fixChecks: [],
  check(statement, context) {
    const alter = alterOfExistingTable(statement, context, 'AT_AddColumn');
    // A table this transaction has just emptied has no rows to refuse the column for.
    if (!alter || emptiedEarlierInTransaction(statement, alter.table, context)) return [];
    const table = displayRelation(alter.table);
    return addedColumns(alter).flatMap((added): Report[] => {
      const notNull = requiredWithoutValue(added);
      if (!notNull) return [];
      const name = added.column.colname ?? 'the column';
      const defaultAdvice =
        context.options.pgVersion >= FAST_DEFAULT_SINCE
          ? 'a constant DEFAULT is stored once, without rewriting the table'
          : `before PostgreSQL ${FAST_DEFAULT_SINCE} any DEFAULT rewrites the table, so prefer the nullable-backfill route on large tables`;
      return [
        {
          message:
            `ADD COLUMN ${name} is ${notNull.contype === 'CONSTR_PRIMARY' ? 'a PRIMARY KEY' : 'NOT NULL'} without a DEFAULT: the rows ${table} already has would get NULL, ` +
            `so PostgreSQL refuses the statement on any non-empty table (column "${name}" contains null values). It passes on an empty ` +
            `database and fails in production. Give it a DEFAULT (${defaultAdvice}), or add it nullable, backfill, then set NOT NULL.`,
          range: constraintRange(alter.statement, added, notNull),
          lock: accessExclusiveOn(alter.table),
          noFixReason: 'Only you know what the existing rows should hold: add DEFAULT <value>, or add the column nullable and backfill it before adding NOT NULL.',
          safeAlternative: 'ADD COLUMN … NOT NULL DEFAULT <value>, or nullable + backfill + NOT NULL.',
        },
      ];
    });
  },
};
