import { blockedOperations } from '../locks/lock-modes';
import { displayRelation } from '../model/relations';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Report, Rule } from './rule';
import { addedColumns, defaultOf } from './support/added-columns';
import { accessExclusiveOn } from './support/alter-table';
import { alterOfTableThatMayBeLarge, FEW_ROWS_EXEMPTION } from './support/tables-with-rows';
import { quoteIdentifier } from './support/constraints';
import { domainConstraintsOf } from './support/domains';

const DOCS_ADD_COLUMN = 'https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES';

const POSITIVE_DOMAIN = 'CREATE DOMAIN lock_probe_positive AS int CHECK (VALUE > 0)';

/**
 * ADD COLUMN of a domain with a CHECK or NOT NULL constraint: PostgreSQL must check the constraint
 * for every existing row, and does it by rewriting the table (measured by relfilenode on 13–18, with
 * or without a DEFAULT); without a DEFAULT a NOT NULL domain fails on a non-empty table. A plain CHECK
 * on the new column only scans: check-without-not-valid reports it.
 */
export const addColumnConstrainedDomain: Rule = {
  id: 'add-column-constrained-domain',
  severity: 'error',
  category: 'rewrites',
  docs: {
    summary: 'ADD COLUMN of a domain type with a CHECK or NOT NULL constraint rewrites the table while reads and writes wait.',
    why:
      'A domain\'s constraints apply to every value of a column of the domain, the existing rows\' included. So ' +
      '`ALTER TABLE … ADD COLUMN c mydomain` does not take the instant path of a plain ADD COLUMN: PostgreSQL ' +
      'rewrites the whole table and all its indexes to check each row, under an ACCESS EXCLUSIVE lock (no read or write ' +
      'until it is done) — with or without a DEFAULT. A domain with NOT NULL and no DEFAULT fails outright on a table ' +
      'that has rows. Lockguard knows the domain when the same migration creates it (`CREATE DOMAIN`), or an earlier ' +
      'migration of the same set does.',
    example: {
      bad: 'CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);\nALTER TABLE orders ADD COLUMN quantity positive_int DEFAULT 1;',
      good:
        'ALTER TABLE orders ADD COLUMN quantity int DEFAULT 1;\n' +
        'ALTER TABLE orders ADD CONSTRAINT orders_quantity_positive CHECK (quantity > 0) NOT VALID;\n' +
        '-- in its own transaction (reads and writes continue):\nALTER TABLE orders VALIDATE CONSTRAINT orders_quantity_positive;',
    },
    instead:
      'Add the column with the domain\'s base type (instant with a constant DEFAULT), then enforce the rule with a ' +
      '`CHECK (…) NOT VALID` constraint on the column and `VALIDATE CONSTRAINT` in a separate transaction. Tables ' +
      `created earlier in the same migration are exempt: they have no rows yet. ${FEW_ROWS_EXEMPTION}`,
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ALTER TABLE table ADD COLUMN column domain_with_check [DEFAULT …] (the table is rewritten: relfilenode changes)',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table (rewritten, with all its indexes)',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: true,
      fullScan: true,
      versions: { from: 10 },
      source: DOCS_ADD_COLUMN,
      probe: { setup: [...PROBE_TABLE_SETUP, POSITIVE_DOMAIN], statement: 'ALTER TABLE lock_probe ADD COLUMN quantity lock_probe_positive', relation: 'lock_probe' },
    },
    {
      kind: 'failure',
      statement: 'ALTER TABLE table ADD COLUMN column domain_not_null, without a DEFAULT, on a table with rows',
      sqlstate: '23502',
      message: 'domain lock_probe_required does not allow null values',
      versions: { from: 10 },
      source: 'https://www.postgresql.org/docs/current/sql-createdomain.html',
      probe: { setup: [...PROBE_TABLE_SETUP, 'CREATE DOMAIN lock_probe_required AS int NOT NULL'], statement: 'ALTER TABLE lock_probe ADD COLUMN quantity lock_probe_required' },
    },
  ],
  fixChecks: [],
  check(statement, context) {
    const alter = alterOfTableThatMayBeLarge(statement, context, 'AT_AddColumn');
    if (!alter) return [];
    const table = displayRelation(alter.table);
    return addedColumns(alter).flatMap((added): Report[] => {
      const domain = domainConstraintsOf(context, added.column.typeName?.names, statement.index);
      if (!domain || (!domain.check && !domain.notNull)) return [];
      const column = quoteIdentifier(added.column.colname ?? '');
      const name = displayRelation(domain.domain);
      const constraints = [domain.check ? 'a CHECK' : undefined, domain.notNull ? 'NOT NULL' : undefined].filter(Boolean).join(' and ');
      const declaration = domain.declaredAt === undefined ? undefined : context.statements[domain.declaredAt];
      const related = declaration ? [{ range: declaration.range, message: `The domain ${name} is created here, with ${constraints}.` }] : [];
      const base = { range: added.range, lock: accessExclusiveOn(alter.table), related };
      const noFixReason = 'The rule the domain enforces has to be restated as a CHECK on the column: add the column with the base type, then CHECK … NOT VALID and VALIDATE.';
      if (domain.notNull && defaultOf(added) === undefined) {
        return [
          {
            ...base,
            message:
              `${column} is of the domain ${name}, which is NOT NULL, and has no DEFAULT: on a table with rows the existing rows would hold NULL, so ` +
              `PostgreSQL rejects the statement ("domain ${domain.domain.name} does not allow null values") and the migration fails here. Add the column ` +
              'with the base type and a DEFAULT, or backfill it before making it NOT NULL.',
            noFixReason,
          },
        ];
      }
      return [
        {
          ...base,
          message:
            `${column} is of the domain ${name}, which has ${constraints}: PostgreSQL checks it for every existing row by rewriting ${table} and all its ` +
            'indexes, under an ACCESS EXCLUSIVE lock — every read and write waits until the copy is done. Add the column with the domain\'s base ' +
            'type instead, then a CHECK (…) NOT VALID and VALIDATE CONSTRAINT in its own transaction.',
          safeAlternative: 'ADD COLUMN with the base type, then CHECK (…) NOT VALID and VALIDATE CONSTRAINT separately.',
          noFixReason,
        },
      ];
    });
  },
};
