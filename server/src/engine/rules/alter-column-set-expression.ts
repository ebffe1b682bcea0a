import { blockedOperations } from '../locks/lock-modes';
import { displayRelation } from '../model/relations';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Rule } from './rule';
import { accessExclusiveOn, commandRange, commandsOfType } from './support/alter-table';
import { alterOfTableThatMayBeLarge, FEW_ROWS_EXEMPTION } from './support/tables-with-rows';
import { rewriteFact, rewriteMessage } from './support/table-rewrites';

const DOCS_SET_EXPRESSION = 'https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-SET-EXPRESSION';
/** PostgreSQL 17 added SET EXPRESSION; before, the statement fails (unsupported-on-target-version says so). */
const SET_EXPRESSION_SINCE = 17;
/** PostgreSQL 18 added virtual generated columns (its default kind), whose new expression rewrites nothing. */
const VIRTUAL_SINCE = 18;

const STORED_SETUP = [...PROBE_TABLE_SETUP, 'ALTER TABLE lock_probe ADD COLUMN customer_double int GENERATED ALWAYS AS (customer_id * 2) STORED'];
const VIRTUAL_SETUP = [...PROBE_TABLE_SETUP, 'ALTER TABLE lock_probe ADD COLUMN customer_double int GENERATED ALWAYS AS (customer_id * 2) VIRTUAL'];
const PROBE = 'ALTER TABLE lock_probe ALTER COLUMN customer_double SET EXPRESSION AS (customer_id * 3)';

const INSTEAD =
  'Add a new column with the new expression instead — VIRTUAL on PostgreSQL 18+ when it needs no index, else a plain ' +
  'column kept up to date by a trigger and backfilled in batches — move readers to it, then drop the old column.';

/**
 * A new expression for a STORED generated column is computed into every row: PostgreSQL rewrites the
 * table and its indexes under ACCESS EXCLUSIVE (measured on 17 and 18: new relfilenodes). A VIRTUAL
 * column's (18+) only changes the catalog. The schema history does not record a column's kind, so on
 * 18+ the finding says "if it is STORED" and is a warning.
 */
export const alterColumnSetExpression: Rule = {
  id: 'alter-column-set-expression',
  severity: 'error',
  category: 'rewrites',
  docs: {
    summary: 'ALTER COLUMN … SET EXPRESSION on a stored generated column rewrites the table while reads and writes wait.',
    why:
      'A stored generated column holds its computed value in every row. Giving it a new expression (PostgreSQL 17+) ' +
      'makes PostgreSQL compute it again for each row and rewrite the whole table and every index under an ACCESS ' +
      'EXCLUSIVE lock: no read or write on the table until it is done, minutes to hours on a large table. A virtual ' +
      'generated column (PostgreSQL 18+, the default kind there) is computed when read: its new expression rewrites ' +
      'nothing, though the ACCESS EXCLUSIVE lock is still taken.',
    example: {
      bad: 'ALTER TABLE orders ALTER COLUMN total_cents SET EXPRESSION AS (round(total * 100));',
      good:
        '-- a new column for the new expression; move readers to it, then drop total_cents\n' +
        'ALTER TABLE orders ADD COLUMN total_cents_rounded bigint;',
    },
    instead:
      `${INSTEAD} Or change the expression in a maintenance window. Tables created earlier in the same migration are exempt. ${FEW_ROWS_EXEMPTION}`,
  },
  facts: [
    rewriteFact('ALTER TABLE table ALTER COLUMN column SET EXPRESSION AS (expression), on a STORED generated column', PROBE, { from: SET_EXPRESSION_SINCE }, DOCS_SET_EXPRESSION, STORED_SETUP),
    {
      kind: 'lock',
      statement: 'ALTER TABLE table ALTER COLUMN column SET EXPRESSION AS (expression), on a VIRTUAL generated column',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table (catalog change only: no rewrite, no scan)',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: VIRTUAL_SINCE },
      source: DOCS_SET_EXPRESSION,
      probe: { setup: VIRTUAL_SETUP, statement: PROBE, relation: 'lock_probe' },
    },
  ],
  fixChecks: [],
  check(statement, context) {
    const { pgVersion } = context.options;
    if (pgVersion < SET_EXPRESSION_SINCE) return [];
    const alter = alterOfTableThatMayBeLarge(statement, context, 'AT_SetExpression');
    if (!alter) return [];
    // Before 18 every generated column is stored; from 18 it may be virtual, which the migrations do not tell.
    const mayBeVirtual = pgVersion >= VIRTUAL_SINCE;
    return commandsOfType(alter, 'AT_SetExpression').map((command) => {
      const column = command.name ?? 'the column';
      const rewrite = rewriteMessage(`SET EXPRESSION of ${column}`, alter.table, 'the new value is computed into every row', INSTEAD);
      return {
        message: mayBeVirtual
          ? `If ${column} is a STORED generated column: ${rewrite} (A VIRTUAL one, PostgreSQL 18's default, is not rewritten; then only the lock on ${displayRelation(alter.table)} is taken.)`
          : rewrite,
        range: commandRange(alter, command),
        lock: accessExclusiveOn(alter.table),
        ...(mayBeVirtual ? { severity: 'warning' as const } : {}),
        noFixReason: 'No statement gives a stored generated column a new expression without a rewrite: the safe route is a new column and a switch of readers.',
        safeAlternative: 'A new column with the new expression (VIRTUAL on 18+, or plain + trigger + batched backfill), then drop the old one.',
      };
    });
  },
};
