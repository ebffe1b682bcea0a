import type { Report, Rule } from './rule';
import { addedColumns, constraintRange, generatedConstraint, refusedBeforeTheRewrite } from './support/added-columns';
import { accessExclusiveOn } from './support/alter-table';
import { alterOfTableThatMayBeLarge, FEW_ROWS_EXEMPTION } from './support/tables-with-rows';
import { rewriteFact, rewriteMessage } from './support/table-rewrites';

const DOCS_GENERATED = 'https://www.postgresql.org/docs/current/ddl-generated-columns.html';
/** PostgreSQL 18 added virtual generated columns, computed when read. */
const VIRTUAL_SINCE = 18;

/** A STORED generated column is computed and written into every existing row: a table rewrite. */
export const addColumnStoredGenerated: Rule = {
  id: 'add-column-stored-generated',
  severity: 'error',
  category: 'rewrites',
  docs: {
    summary: 'ADD COLUMN … GENERATED ALWAYS AS (…) STORED rewrites the table while reads and writes wait.',
    why:
      'A stored generated column holds a computed value in every row, so adding one to an existing table makes ' +
      'PostgreSQL compute it for each row and rewrite the whole table and every index under an ACCESS EXCLUSIVE lock: ' +
      'no read or write on the table until it is done. PostgreSQL 18\'s virtual generated columns (`VIRTUAL`, the ' +
      'default there) are computed when read and are added without a rewrite; they are not flagged.',
    example: {
      bad: 'ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) STORED;',
      good:
        '-- PostgreSQL 18+: computed when read, no rewrite\nALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) VIRTUAL;',
    },
    instead:
      'On PostgreSQL 18+, use a `VIRTUAL` generated column when it need not be indexed and uses only built-in functions. ' +
      'Otherwise add a plain nullable column, keep it up to date with a trigger (or the application), backfill the ' +
      'existing rows in batches, and read it once the backfill is done. Tables created earlier in the same migration ' +
      `are exempt: they have no rows yet. ${FEW_ROWS_EXEMPTION}`,
  },
  facts: [
    rewriteFact(
      'ALTER TABLE table ADD COLUMN column type GENERATED ALWAYS AS (expression) STORED',
      'ALTER TABLE lock_probe ADD COLUMN doubled int GENERATED ALWAYS AS (customer_id * 2) STORED',
      { from: 12 },
      DOCS_GENERATED,
    ),
  ],
  fixChecks: [],
  check(statement, context) {
    const alter = alterOfTableThatMayBeLarge(statement, context, 'AT_AddColumn');
    if (!alter) return [];
    return addedColumns(alter).flatMap((added): Report[] => {
      const generated = generatedConstraint(added);
      if (generated?.generated_kind !== 's') return [];
      const virtual = context.options.pgVersion >= VIRTUAL_SINCE;
      const instead = virtual
        ? 'Use GENERATED ALWAYS AS (…) VIRTUAL (computed when read, no rewrite) if the column needs no index, or a plain column kept up to date by a trigger and backfilled in batches.'
        : 'Add a plain nullable column, keep it up to date with a trigger, and backfill the existing rows in batches.';
      return [
        {
          message:
            rewriteMessage(`ADD COLUMN ${added.column.colname ?? ''} … STORED`, alter.table, 'a stored generated column is computed into every existing row', instead) +
            refusedBeforeTheRewrite(alter, added),
          range: constraintRange(alter.statement, added, generated),
          lock: accessExclusiveOn(alter.table),
          noFixReason: virtual
            ? 'A VIRTUAL column behaves differently (it cannot be indexed, and may use only built-in functions): choose it yourself if it fits.'
            : 'No single statement adds a stored generated column to a table in use without a rewrite.',
          safeAlternative: virtual ? 'A VIRTUAL generated column, or a plain column + trigger + batched backfill.' : 'A plain column + trigger + batched backfill.',
        },
      ];
    });
  },
};
