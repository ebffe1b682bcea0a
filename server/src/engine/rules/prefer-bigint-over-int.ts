import { nodeAs, type Statement } from '../model/statement';
import type { Rule, RuleContext } from './rule';
import { alterationsOf } from './support/breaking-changes';
import { addedConstraints, constraintsOf, foreignKeyColumns } from './support/constraints';
import { GENERATED_SQL_NOTE, styleReports } from './support/generated-sql';
import { constantsAllowed } from './support/row-limits';
import { baseTypeName, columnName, replaceTypeFix, typeSites, withArrayBounds, type TypeSite } from './support/column-types';

const SMALL_INTEGERS: Readonly<Record<string, string>> = { int2: 'smallint', int4: 'integer' };

/** Keys run out: integer stops at 2,147,483,647, and widening a key later rewrites the table and its indexes. */
export const preferBigintOverInt: Rule = {
  id: 'prefer-bigint-over-int',
  severity: 'info',
  category: 'style',
  docs: {
    summary: 'A primary key or `id` column typed `integer` or `smallint`; use `bigint`.',
    why:
      '`integer` ids stop at 2,147,483,647 (`smallint` at 32,767). Sequences skip values on rollbacks and upserts, so ' +
      'busy tables get there sooner than their row count suggests, and then every INSERT fails. Widening the column ' +
      'afterwards is a type change that rewrites the table and its indexes under an ACCESS EXCLUSIVE lock, and every ' +
      'referencing column must follow. `bigint` costs 4 more bytes per row. Checked: primary-key columns and columns ' +
      'named `id`. Foreign-key columns are not (REFERENCES, a FOREIGN KEY of the CREATE TABLE, an `ALTER TABLE … ADD ' +
      'FOREIGN KEY` of the same migration or of an earlier one): they can only hold their referenced key\'s values, so they follow it ' +
      '(widen them together with the key) — small lookup tables keep their small keys without a warning on every reference. ' +
      'Nor are the members of a composite primary key that no sequence fills (identity or `DEFAULT nextval(…)`), or a ' +
      'key named as a shard or partition number (`shard_id`, `partition_id`) that none fills: a shard or partition ' +
      'number, a type code, a position within the parent are set by the application and do not count up. ' +
      'Nor is a key that a CHECK of its table pins to constants (`CHECK (id = 0)` of a one-row table). ' +
      'The trade-off: such a member that copies ids from a growing table without a REFERENCES clause (an alert number ' +
      'holding alert ids, say) is not reported either.',
    example: { bad: 'CREATE TABLE orders (id integer PRIMARY KEY, customer_id bigint);', good: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);' },
    instead:
      'Use `bigint` for keys and the columns that reference them. The quick fix is applied automatically in a `CREATE ' +
      'TABLE` (or an `ADD COLUMN` to a table created in the same migration); on an existing table it is offered but not ' +
      'applied blindly (drivers may map bigint to a different type, e.g. a string in node-postgres).' +
      ` ${GENERATED_SQL_NOTE}`,
  },
  facts: [],
  fixChecks: [
    { setup: [], migration: 'CREATE TABLE lockguard_orders (id int PRIMARY KEY, customer_id smallint, n int);\n' },
    { setup: ['CREATE TABLE lockguard_customers (code text)'], migration: 'ALTER TABLE lockguard_customers ADD COLUMN id integer;\n' },
  ],
  check(statement, context) {
    return styleReports(
      context,
      typeSites(statement, context).flatMap((site) => {
        const written = SMALL_INTEGERS[baseTypeName(site.type) ?? ''];
        if (!written || !isKey(site) || referencesAnotherKey(site, statement, context) || (!site.generated && pinnedByCheck(site, statement))) return [];
        return [
          {
            message: `${columnName(site)} is a key typed ${written}: ${written === 'integer' ? 'it runs out at 2,147,483,647' : 'it runs out at 32,767'}, and widening it later rewrites the table and its indexes. Use bigint.`,
            range: site.range,
            fixes: [replaceTypeFix(site, withArrayBounds('bigint', site.type), 'Use bigint')],
          },
        ];
      }),
    );
  },
};

/**
 * A primary key or an `id` column. A member of a composite primary key, or a key named as a shard or partition number,
 * counts only when a sequence fills it: otherwise it is a shard, a type or a position the application sets, not a counter.
 */
const isKey = (site: TypeSite) =>
  site.column.toLowerCase() === 'id' || (site.primaryKey && (site.generated || (!site.compositePrimaryKey && !NUMBERS_THE_APPLICATION_SETS.test(site.column))));

/** `shard_id`, `partition_id`, `shard_no`: a number from a fixed range the deployment chooses, not a counter. */
const NUMBERS_THE_APPLICATION_SETS = /^(shard|partition)(_?(id|no|num|number))?$/i;

/**
 * Whether a CHECK of its CREATE TABLE pins the column to constants (`CHECK (id = 0)` of a one-row table,
 * `CHECK (id IN (1, 2))`): it can never run out.
 */
function pinnedByCheck(site: TypeSite, statement: Statement): boolean {
  const create = nodeAs(statement, 'CreateStmt');
  if (!create) return false;
  const checks = (create.tableElts ?? []).flatMap((element) =>
    'Constraint' in element ? [element.Constraint] : 'ColumnDef' in element ? constraintsOf(element.ColumnDef.constraints) : [],
  );
  return checks.some((constraint) => constraint.contype === 'CONSTR_CHECK' && constraint.raw_expr !== undefined && constantsAllowed(constraint.raw_expr, site.column) !== undefined);
}

/**
 * Whether a foreign key makes the column reference another table's key (it then follows that key): one its own
 * statement declares (REFERENCES, a table-level FOREIGN KEY), one an ALTER TABLE … ADD FOREIGN KEY of the same
 * section of the file adds, before or after it, or one the earlier migrations added.
 */
function referencesAnotherKey(site: TypeSite, statement: Statement, context: RuleContext): boolean {
  if (site.foreignKey) return true;
  const { table, column } = site;
  // Every ALTER TABLE of the table in the file: no upper bound, since one after the CREATE TABLE counts too.
  const addedInFile = alterationsOf(context, table, 0, Number.POSITIVE_INFINITY).some(
    (alter) => alter.section === statement.section && addedConstraints(alter).some((added) => added.constraint.contype === 'CONSTR_FOREIGN' && foreignKeyColumns(added).includes(column)),
  );
  return addedInFile || context.schema.before(statement.index).constraints(table).some((constraint) => constraint.kind === 'foreign-key' && constraint.columns.includes(column));
}
