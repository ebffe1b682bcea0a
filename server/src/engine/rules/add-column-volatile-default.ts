import { blockedOperations } from '../locks/lock-modes';
import { volatilityOf } from '../knowledge/volatility';
import { displayRelation } from '../model/relations';
import type { OffsetRange } from '../text/positions';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Fix, Report, Rule, RuleContext } from './rule';
import { addedColumns, constraintRange, defaultOf, FAST_DEFAULT_SINCE, generatedConstraint, isIdentity, isSerial, type AddedColumn } from './support/added-columns';
import { accessExclusiveOn, alterOfExistingTable, type ExistingTableAlter } from './support/alter-table';
import { quoteIdentifier, tableText } from './support/constraints';

const DOCS_ADD_COLUMN = 'https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES';

const SPLIT =
  'Add the column without the default, then ALTER COLUMN … SET DEFAULT (instant: it applies to new rows only), and ' +
  'backfill the existing rows in small batches, each in its own transaction.';

/**
 * ADD COLUMN with a default PostgreSQL must compute row by row (a volatile function; any default
 * before PostgreSQL 11) rewrites the whole table under ACCESS EXCLUSIVE. Since PostgreSQL 11 a
 * non-volatile default (a constant, now(), CURRENT_TIMESTAMP) is stored once: no rewrite, not flagged.
 */
export const addColumnVolatileDefault: Rule = {
  id: 'add-column-volatile-default',
  severity: 'error',
  docs: {
    summary: 'ADD COLUMN with a volatile DEFAULT (any DEFAULT before PostgreSQL 11) rewrites the table while reads and writes wait.',
    why:
      'Since PostgreSQL 11, `ADD COLUMN … DEFAULT` with a non-volatile default (a constant, `now()`, `CURRENT_TIMESTAMP`) ' +
      'evaluates it once and stores it in the catalog: existing rows are not touched. A volatile default ' +
      '(`random()`, `gen_random_uuid()`, `clock_timestamp()`, `nextval()`) must differ per row, so PostgreSQL rewrites ' +
      'the whole table and rebuilds every index under an ACCESS EXCLUSIVE lock: no read or write on the table until ' +
      'it is done, minutes to hours on a large table. Before PostgreSQL 11 every non-NULL default rewrites. A ' +
      'function Lockguard does not know (your own, or an extension\'s) is a warning: whether it rewrites depends on ' +
      'how it was declared (`VOLATILE` is the default for `CREATE FUNCTION`).',
    example: {
      bad: 'ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();',
      good:
        'ALTER TABLE orders ADD COLUMN public_id uuid;\nALTER TABLE orders ALTER COLUMN public_id SET DEFAULT gen_random_uuid();\n' +
        '-- then backfill in batches, each in its own transaction:\n-- UPDATE orders SET public_id = gen_random_uuid() WHERE id BETWEEN 1 AND 10000 AND public_id IS NULL;',
    },
    instead:
      `${SPLIT} The quick fix does the first two steps; existing rows keep NULL until the backfill, which is why it is ` +
      'not applied automatically. If the column must be NOT NULL, add that after the backfill. Tables created earlier ' +
      'in the same migration are exempt: they have no rows yet.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ALTER TABLE table ADD COLUMN column type DEFAULT volatile_function()',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table (rewritten, with all its indexes)',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: true,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_ADD_COLUMN,
      probe: { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe ADD COLUMN token float8 DEFAULT random()', relation: 'lock_probe' },
    },
    {
      kind: 'lock',
      statement: 'ALTER TABLE table ADD COLUMN column type DEFAULT constant (before PostgreSQL 11: rewrite)',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table (rewritten, with all its indexes)',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: true,
      fullScan: true,
      versions: { from: 9, until: FAST_DEFAULT_SINCE - 1 },
      source: 'https://www.postgresql.org/docs/10/sql-altertable.html#SQL-ALTERTABLE-NOTES',
      probe: { setup: PROBE_TABLE_SETUP, statement: "ALTER TABLE lock_probe ADD COLUMN status text DEFAULT 'new'", relation: 'lock_probe' },
    },
  ],
  fixChecks: [
    { setup: PROBE_TABLE_SETUP, migration: 'ALTER TABLE lock_probe ADD COLUMN token float8 DEFAULT random();\n' },
    { setup: PROBE_TABLE_SETUP, migration: 'BEGIN;\nALTER TABLE lock_probe ADD COLUMN IF NOT EXISTS seen_at timestamptz DEFAULT clock_timestamp() CHECK (seen_at > now() - interval \'1 day\');\nCOMMIT;\n' },
  ],
  check(statement, context) {
    const alter = alterOfExistingTable(statement, context, 'AT_AddColumn');
    if (!alter) return [];
    const pgVersion = context.options.pgVersion;
    return addedColumns(alter).flatMap((added): Report[] => {
      const expression = defaultOf(added);
      // Serial, identity and generated columns have rules of their own.
      if (!expression || isSerial(added) || isIdentity(added) || generatedConstraint(added)) return [];
      const volatility = pgVersion < FAST_DEFAULT_SINCE ? 'any' : volatilityOf(expression);
      if (volatility !== 'any' && volatility !== 'volatile' && volatility !== 'unknown') return [];

      const table = displayRelation(alter.table);
      const defaultClause = defaultConstraint(added);
      if (!defaultClause) return [];
      const defaultRange = constraintRange(alter.statement, added, defaultClause);
      // The clause's first token is DEFAULT; the expression is the rest, as written.
      const defaultText = context.source.slice(alter.statement.tokens.find((token) => token.start >= defaultRange.start)!.end, defaultRange.end).trim();
      const cause =
        volatility === 'any'
          ? `Before PostgreSQL ${FAST_DEFAULT_SINCE} every DEFAULT is written into each existing row: ADD COLUMN … DEFAULT ${defaultText} rewrites ${table}`
          : volatility === 'volatile'
            ? `DEFAULT ${defaultText} is volatile (a new value per row), so PostgreSQL rewrites ${table} to store it in every existing row`
            : `DEFAULT ${defaultText} calls a function Lockguard does not know: if it is VOLATILE (the default for CREATE FUNCTION), PostgreSQL rewrites ${table} to store it in every existing row`;
      const fix = splitFix(alter, added, context, defaultRange, defaultText);
      const report: Report = {
        message: `${cause}, with all its indexes, under an ACCESS EXCLUSIVE lock: every read and write on it waits until the copy is done. ${SPLIT}`,
        range: defaultRange,
        lock: accessExclusiveOn(alter.table),
        safeAlternative: 'ADD COLUMN without the default, SET DEFAULT for new rows, backfill existing rows in batches.',
        ...(volatility === 'unknown' ? { severity: 'warning' as const } : {}),
      };
      return [typeof fix === 'string' ? { ...report, noFixReason: fix } : { ...report, fixes: [fix] }];
    });
  },
};

const defaultConstraint = (added: AddedColumn) => added.constraints.find((constraint) => constraint.contype === 'CONSTR_DEFAULT');

/** ADD COLUMN without the DEFAULT, then SET DEFAULT: one fix; or why not. */
function splitFix(alter: ExistingTableAlter, added: AddedColumn, context: RuleContext, defaultRange: OffsetRange, defaultText: string): Fix | string {
  if (alter.commands.length > 1) return `Split the ALTER TABLE first: the quick fix handles an ALTER TABLE that only adds this column. ${SPLIT}`;
  if (added.constraints.some((constraint) => constraint.contype === 'CONSTR_NOTNULL' || constraint.contype === 'CONSTR_PRIMARY')) {
    return `Without the default, the NOT NULL column would fail on a non-empty table: ${SPLIT} Add NOT NULL after the backfill.`;
  }
  const removeFrom = precedingSpace(context.source, defaultRange.start);
  const column = quoteIdentifier(added.column.colname ?? '');
  const setDefault = `;\nALTER TABLE ${tableText(alter.statement, context)} ALTER COLUMN ${column} SET DEFAULT ${defaultText}`;
  return {
    title: 'Add the column without the default, then SET DEFAULT for new rows (existing rows stay NULL: backfill them in batches)',
    edits: [
      { range: { start: removeFrom, end: defaultRange.end }, newText: '' },
      { range: { start: alter.statement.range.end, end: alter.statement.range.end }, newText: setDefault },
    ],
    preferred: true,
    autoApplicable: false,
  };
}

function precedingSpace(source: string, offset: number): number {
  let start = offset;
  while (start > 0 && /\s/.test(source[start - 1]!)) start--;
  return start;
}
