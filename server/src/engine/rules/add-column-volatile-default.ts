import { blockedOperations } from '../locks/lock-modes';
import { declaredVolatility, volatilityOf, type DeclaredFunctions, type Volatility } from '../knowledge/volatility';
import { displayRelation, relationFromNames } from '../model/relations';
import { nodeAs, type ParsedStatement } from '../model/statement';
import type { OffsetRange } from '../text/positions';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Fix, Report, Rule, RuleContext } from './rule';
import { addedColumns, constraintRange, defaultOf, FAST_DEFAULT_SINCE, generatedConstraint, isIdentity, isSerial, type AddedColumn, refusedBeforeTheRewrite } from './support/added-columns';
import { accessExclusiveOn, type ExistingTableAlter } from './support/alter-table';
import { alterOfTableThatMayBeLarge, FEW_ROWS_EXEMPTION } from './support/tables-with-rows';
import { alterationsOf } from './support/breaking-changes';
import { quoteIdentifier, tableText } from './support/constraints';
import { lineOf } from './support/lines';

const DOCS_ADD_COLUMN = 'https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES';

const SPLIT =
  'Add the column without the default, then ALTER COLUMN … SET DEFAULT (instant: it applies to new rows only), and ' +
  'backfill the existing rows in small batches, each in its own transaction.';

/** Without its default a NOT NULL column cannot be added to a table with rows: it gets the constraint after the backfill. */
const SPLIT_NOT_NULL =
  'Add the column nullable and without the default, then ALTER COLUMN … SET DEFAULT (instant: it applies to new rows only), ' +
  'backfill the existing rows in small batches, each in its own transaction, and add NOT NULL after the backfill.';

/**
 * ADD COLUMN with a default PostgreSQL must compute row by row (a volatile function; any default
 * before PostgreSQL 11) rewrites the whole table under ACCESS EXCLUSIVE. Since PostgreSQL 11 a
 * non-volatile default (a constant, now(), CURRENT_TIMESTAMP) is stored once: no rewrite, not flagged.
 */
export const addColumnVolatileDefault: Rule = {
  id: 'add-column-volatile-default',
  severity: 'error',
  category: 'rewrites',
  docs: {
    summary: 'ADD COLUMN with a volatile DEFAULT (any DEFAULT before PostgreSQL 11) rewrites the table while reads and writes wait.',
    why:
      'Since PostgreSQL 11, `ADD COLUMN … DEFAULT` with a non-volatile default (a constant, `now()`, `CURRENT_TIMESTAMP`) ' +
      'evaluates it once and stores it in the catalog: existing rows are not touched. A volatile default ' +
      '(`random()`, `gen_random_uuid()`, `clock_timestamp()`, `nextval()`) must differ per row, so PostgreSQL rewrites ' +
      'the whole table and rebuilds every index under an ACCESS EXCLUSIVE lock: no read or write on the table until ' +
      'it is done, minutes to hours on a large table. Before PostgreSQL 11 every non-NULL default rewrites. A ' +
      'function Lockguard does not know (your own, or an extension\'s) is a warning: whether it rewrites depends on ' +
      'how it was declared (`VOLATILE` is the default for `CREATE FUNCTION`). A function the migration itself, or an ' +
      'earlier migration of its set, declares with `CREATE FUNCTION` is judged by its declaration: an error when it ' +
      'is VOLATILE (or says nothing), not reported when it is STABLE or IMMUTABLE.',
    example: {
      bad: 'ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();',
      good:
        'ALTER TABLE orders ADD COLUMN public_id uuid;\nALTER TABLE orders ALTER COLUMN public_id SET DEFAULT gen_random_uuid();\n' +
        '-- then backfill in batches, each in its own transaction:\n-- UPDATE orders SET public_id = gen_random_uuid() WHERE id BETWEEN 1 AND 10000 AND public_id IS NULL;',
    },
    instead:
      `${SPLIT} The quick fix does the first two steps; existing rows keep NULL until the backfill, which is why it is ` +
      'not applied automatically. If the column must be NOT NULL, add that after the backfill. Tables created earlier ' +
      `in the same migration are exempt: they have no rows yet. ${FEW_ROWS_EXEMPTION}`,
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
      statement: 'ALTER TABLE table ADD COLUMN column type DEFAULT f(), f declared by CREATE FUNCTION without a volatility (VOLATILE)',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table (rewritten, with all its indexes)',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: true,
      fullScan: true,
      versions: { from: 11 },
      source: 'https://www.postgresql.org/docs/current/sql-createfunction.html',
      probe: {
        setup: [...PROBE_TABLE_SETUP, "CREATE FUNCTION lock_probe_code() RETURNS int LANGUAGE sql AS 'SELECT 42'"],
        statement: 'ALTER TABLE lock_probe ADD COLUMN code int DEFAULT lock_probe_code()',
        relation: 'lock_probe',
      },
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
    {
      setup: PROBE_TABLE_SETUP,
      migration: "CREATE FUNCTION lock_probe_code() RETURNS int LANGUAGE sql AS 'SELECT 42';\nALTER TABLE lock_probe ADD COLUMN code int DEFAULT lock_probe_code();\n",
    },
    { setup: PROBE_TABLE_SETUP, migration: 'BEGIN;\nALTER TABLE lock_probe ADD COLUMN IF NOT EXISTS seen_at timestamptz DEFAULT clock_timestamp() CHECK (seen_at > now() - interval \'1 day\');\nCOMMIT;\n' },
  ],
  check(statement, context) {
    const alter = alterOfTableThatMayBeLarge(statement, context, 'AT_AddColumn');
    if (!alter) return [];
    const pgVersion = context.options.pgVersion;
    return addedColumns(alter).flatMap((added): Report[] => {
      const expression = defaultOf(added);
      // Serial, identity and generated columns have rules of their own.
      if (!expression || isSerial(added) || isIdentity(added) || generatedConstraint(added)) return [];
      const volatility = pgVersion < FAST_DEFAULT_SINCE ? 'any' : volatilityOfDefault(expression, context, alter.statement.index);
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
            ? `DEFAULT ${defaultText} is volatile (a new value per row${declaredVolatile(expression) ? ': the migrations declare the function without IMMUTABLE or STABLE, so it is VOLATILE' : ''}), so PostgreSQL rewrites ${table} to store it in every existing row`
            : `DEFAULT ${defaultText} calls a function Lockguard does not know: if it is VOLATILE (the default for CREATE FUNCTION), PostgreSQL rewrites ${table} to store it in every existing row`;
      const fix = splitFix(alter, added, context, defaultRange, defaultText);
      const report: Report = {
        message: `${cause}, with all its indexes, under an ACCESS EXCLUSIVE lock: every read and write on it waits until the copy is done. ${isNotNull(added) ? SPLIT_NOT_NULL : SPLIT}${refusedBeforeTheRewrite(alter, added)}`,
        range: defaultRange,
        lock: accessExclusiveOn(alter.table),
        safeAlternative: 'ADD COLUMN without the default, SET DEFAULT for new rows, backfill existing rows in batches.',
        ...(volatility === 'unknown' ? { severity: 'warning' as const } : {}),
      };
      return [typeof fix === 'string' ? { ...report, noFixReason: fix } : { ...report, fixes: [fix] }];
    });
  },
};

/**
 * The functions declared before the statement: by a CREATE FUNCTION of this file (by name, qualified as
 * written or bare; the latest wins), else by the earlier migrations of the set (the schema catalogue,
 * when all the overloads of the name agree). Their declared volatility decides whether a default
 * calling them rewrites the table.
 */
function functionsDeclaredBefore(context: RuleContext, beforeStatement: number): DeclaredFunctions {
  const inFile = new Map<string, Volatility>();
  for (const statement of context.statements.slice(0, beforeStatement)) {
    const create = nodeAs(statement, 'CreateFunctionStmt');
    if (!create || create.is_procedure) continue;
    const names = (create.funcname ?? []).flatMap((name) => ('String' in name && name.String.sval ? [name.String.sval.toLowerCase()] : []));
    const volatility = declaredVolatility(create.options);
    inFile.set(names.join('.'), volatility);
    inFile.set(names[names.length - 1] ?? '', volatility);
  }
  const earlier = context.schema.before(beforeStatement);
  return (names) => {
    const own = inFile.get(names.join('.')) ?? inFile.get(names[names.length - 1] ?? '');
    if (own) return own;
    const name = relationFromNames(names);
    const overloads = name ? earlier.function(name) : [];
    const volatilities = new Set(overloads.map((overload) => overload.volatility));
    return volatilities.size === 1 ? [...volatilities][0] : undefined;
  };
}

/** Built-in knowledge first; only a function it does not know is looked up in the migrations' declarations. */
function volatilityOfDefault(expression: Parameters<typeof volatilityOf>[0], context: RuleContext, beforeStatement: number): Volatility {
  const builtIn = volatilityOf(expression);
  return builtIn === 'unknown' ? volatilityOf(expression, functionsDeclaredBefore(context, beforeStatement)) : builtIn;
}

/** Whether the volatile part of the default is a function the migrations declare. */
const declaredVolatile = (expression: Parameters<typeof volatilityOf>[0]) => volatilityOf(expression) !== 'volatile';

const isNotNull = (added: AddedColumn) => added.constraints.some((constraint) => constraint.contype === 'CONSTR_NOTNULL' || constraint.contype === 'CONSTR_PRIMARY');

const defaultConstraint = (added: AddedColumn) => added.constraints.find((constraint) => constraint.contype === 'CONSTR_DEFAULT');

/**
 * A later ALTER TABLE of the file's section that makes the column required — ADD PRIMARY KEY over it, SET NOT NULL —
 * which fails once the existing rows hold NULL instead of the default's values.
 */
function laterStatementNeedingValues(alter: ExistingTableAlter, column: string, context: RuleContext): ParsedStatement | undefined {
  const { statement } = alter;
  return alterationsOf(context, alter.table, statement.index + 1, context.statements.length).find(
    (later) =>
      later.section === statement.section &&
      later.alterTableCommands.some(
        (command) =>
          (command.subtype === 'AT_SetNotNull' && command.name === column) ||
          (command.subtype === 'AT_AddConstraint' &&
            command.def !== undefined &&
            'Constraint' in command.def &&
            command.def.Constraint.contype === 'CONSTR_PRIMARY' &&
            (command.def.Constraint.keys ?? []).some((key) => 'String' in key && key.String.sval === column)),
      ),
  );
}

/** ADD COLUMN without the DEFAULT, then SET DEFAULT: one fix; or why not. */
function splitFix(alter: ExistingTableAlter, added: AddedColumn, context: RuleContext, defaultRange: OffsetRange, defaultText: string): Fix | string {
  if (alter.commands.length > 1) return `Split the ALTER TABLE first: the quick fix handles an ALTER TABLE that only adds this column. ${SPLIT}`;
  if (isNotNull(added)) {
    return `Without the default, the NOT NULL column would fail on a non-empty table: ${SPLIT_NOT_NULL}`;
  }
  const needsValues = laterStatementNeedingValues(alter, added.column.colname ?? '', context);
  if (needsValues) {
    return (
      `Line ${lineOf(needsValues, context)} needs a value in every row of the column (a PRIMARY KEY or NOT NULL on it): without the default ` +
      'the existing rows would hold NULL and it would fail. Backfill the column in batches first, and move that statement to a later migration.'
    );
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
