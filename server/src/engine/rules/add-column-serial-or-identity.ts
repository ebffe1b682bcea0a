import type { Report, Rule } from './rule';
import { addedColumns, constraintRange, isIdentity, isSerial, typeNameOf, refusedBeforeTheRewrite } from './support/added-columns';
import { accessExclusiveOn } from './support/alter-table';
import { alterOfTableThatMayBeLarge, FEW_ROWS_EXEMPTION } from './support/tables-with-rows';
import { rewriteFact, rewriteMessage } from './support/table-rewrites';

const DOCS_ALTER_TABLE = 'https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES';

const INSTEAD =
  'Add a plain nullable column, attach a sequence to it with ALTER COLUMN … SET DEFAULT nextval(…) (new rows only), ' +
  'backfill the existing rows in batches, then add NOT NULL without a long lock (a validated CHECK first).';

/** serial, bigserial and identity columns draw a value for every existing row: a table rewrite. */
export const addColumnSerialOrIdentity: Rule = {
  id: 'add-column-serial-or-identity',
  severity: 'error',
  category: 'rewrites',
  docs: {
    summary: 'ADD COLUMN with a serial type or GENERATED … AS IDENTITY rewrites the table while reads and writes wait.',
    why:
      'A `serial`/`bigserial` column is an integer column whose default is `nextval(…)`, and an identity column draws ' +
      'from a sequence too: adding either to an existing table takes a new value for every row, so PostgreSQL rewrites ' +
      'the whole table and rebuilds every index under an ACCESS EXCLUSIVE lock. No read or write on the table until ' +
      'it is done: minutes to hours on a large table.',
    example: {
      bad: 'ALTER TABLE events ADD COLUMN seq bigserial;',
      good:
        "CREATE SEQUENCE events_seq_seq;\nALTER TABLE events ADD COLUMN seq bigint;\nALTER TABLE events ALTER COLUMN seq SET DEFAULT nextval('events_seq_seq');\n" +
        "-- then backfill in batches:\n-- UPDATE events SET seq = nextval('events_seq_seq') WHERE id BETWEEN 1 AND 10000 AND seq IS NULL;",
    },
    instead: `${INSTEAD} Tables created earlier in the same migration are exempt: they have no rows yet. ${FEW_ROWS_EXEMPTION}`,
  },
  facts: [
    rewriteFact('ALTER TABLE table ADD COLUMN column bigserial', 'ALTER TABLE lock_probe ADD COLUMN seq bigserial', { from: 9 }, DOCS_ALTER_TABLE),
    rewriteFact(
      'ALTER TABLE table ADD COLUMN column type GENERATED … AS IDENTITY',
      'ALTER TABLE lock_probe ADD COLUMN seq int GENERATED ALWAYS AS IDENTITY',
      { from: 10 },
      DOCS_ALTER_TABLE,
    ),
  ],
  fixChecks: [],
  check(statement, context) {
    const alter = alterOfTableThatMayBeLarge(statement, context, 'AT_AddColumn');
    if (!alter) return [];
    return addedColumns(alter).flatMap((added): Report[] => {
      const identity = added.constraints.find((constraint) => constraint.contype === 'CONSTR_IDENTITY');
      if (!isSerial(added) && !isIdentity(added)) return [];
      const name = added.column.colname ?? '';
      const what = identity ? `ADD COLUMN ${name} … AS IDENTITY` : `ADD COLUMN ${name} ${typeNameOf(added)}`;
      return [
        {
          message: rewriteMessage(what, alter.table, 'a sequence value is written into every existing row', INSTEAD) + refusedBeforeTheRewrite(alter, added),
          range: identity ? constraintRange(alter.statement, added, identity) : added.range,
          lock: accessExclusiveOn(alter.table),
          noFixReason: 'No single statement numbers the existing rows of a table in use without a rewrite: the safe route takes several steps and a backfill.',
          safeAlternative: 'Plain column + sequence default for new rows + batched backfill.',
        },
      ];
    });
  },
};
