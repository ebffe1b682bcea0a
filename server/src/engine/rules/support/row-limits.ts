import type { Node } from '@pgsql/types';
import type { ConstraintState, TableState } from '../../model/schema/objects';
import { isColumnRef } from '../../model/syntax-names';

/**
 * A table whose keys and CHECKs admit at most this many rows is a settings or state table: copying,
 * scanning or rewriting it costs nothing, whatever the statement.
 */
const FEW_ROWS = 100;

/**
 * Whether the table can never hold more than a few rows: a primary key (or a UNIQUE key of NOT NULL
 * columns) whose every column a validated CHECK pins to constants — `ok boolean PRIMARY KEY CHECK (ok)`,
 * `id int PRIMARY KEY CHECK (id = 1)`, `kind text PRIMARY KEY CHECK (kind IN ('a', 'b'))`.
 */
export function holdsFewRowsAtMost(table: TableState): boolean {
  const limit = rowLimit(table);
  return limit !== undefined && limit <= FEW_ROWS;
}

/** The most rows the table's keys and validated CHECKs let it hold; undefined when nothing bounds it. */
export function rowLimit(table: TableState): number | undefined {
  const pins = pinnedColumns(table.constraints);
  const limits = table.constraints
    .filter((constraint) => isKeyOfNotNullColumns(constraint, table))
    .map((key) => keyLimit(key.columns, pins));
  const bounded = limits.filter((limit): limit is number => limit !== undefined);
  return bounded.length > 0 ? Math.min(...bounded) : undefined;
}

/** How many values the CHECK lets the column take, when it lists them (`col = 1`, `col IN (1, 2)`, a boolean `CHECK (col)`). */
export function constantsAllowed(expression: Node, column: string): number | undefined {
  if (isColumnRef(expression, column)) return 1;
  if ('BooleanTest' in expression) {
    const { arg, booltesttype } = expression.BooleanTest;
    return isColumnRef(arg, column) && (booltesttype === 'IS_TRUE' || booltesttype === 'IS_FALSE') ? 1 : undefined;
  }
  if ('BoolExpr' in expression && expression.BoolExpr.boolop === 'AND_EXPR') {
    const allowed = (expression.BoolExpr.args ?? [])
      .map((argument) => constantsAllowed(argument, column))
      .filter((count): count is number => count !== undefined);
    return allowed.length > 0 ? Math.min(...allowed) : undefined;
  }
  if (!('A_Expr' in expression)) return undefined;
  const { kind, name, lexpr, rexpr } = expression.A_Expr;
  const operator = name?.length === 1 && name[0] !== undefined && 'String' in name[0] ? name[0].String.sval : undefined;
  if (operator !== '=') return undefined;
  const isColumn = (node: Node | undefined) => isColumnRef(node, column);
  if (kind === 'AEXPR_OP') return (isColumn(lexpr) && isConstant(rexpr)) || (isConstant(lexpr) && isColumn(rexpr)) ? 1 : undefined;
  if (kind !== 'AEXPR_IN' || !isColumn(lexpr) || rexpr === undefined || !('List' in rexpr)) return undefined;
  const items = rexpr.List.items ?? [];
  return items.length > 0 && items.every(isConstant) ? items.length : undefined;
}

const isConstant = (node: Node | undefined) => node !== undefined && 'A_Const' in node;

/** For each column some validated CHECK pins to constants, the fewest values one allows. */
function pinnedColumns(constraints: readonly ConstraintState[]): ReadonlyMap<string, number> {
  const pins = new Map<string, number>();
  for (const check of constraints) {
    if (check.kind !== 'check' || !check.validated || check.expression === undefined) continue;
    for (const column of check.columns) {
      const allowed = constantsAllowed(check.expression, column);
      if (allowed !== undefined) pins.set(column, Math.min(allowed, pins.get(column) ?? allowed));
    }
  }
  return pins;
}

/** NULLs are distinct in a UNIQUE key, so only a key of NOT NULL columns bounds the rows. */
function isKeyOfNotNullColumns(constraint: ConstraintState, table: TableState): boolean {
  if (constraint.kind === 'primary-key') return constraint.columns.length > 0;
  return (
    constraint.kind === 'unique' &&
    constraint.columns.length > 0 &&
    constraint.columns.every((name) => table.columns.find((column) => column.name === name)?.notNull === true)
  );
}

function keyLimit(columns: readonly string[], pins: ReadonlyMap<string, number>): number | undefined {
  let limit = 1;
  for (const column of columns) {
    const allowed = pins.get(column);
    if (allowed === undefined) return undefined;
    limit *= allowed;
  }
  return limit;
}
