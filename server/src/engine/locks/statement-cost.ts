import type { Node, RangeVar, SelectStmt, WithClause } from '@pgsql/types';

/**
 * How a WHERE clause picks the rows a statement reads or changes:
 * - `all`: no WHERE;
 * - `by-condition`: a condition (`status IS NULL`, a range, a join, a subquery): any number of rows, found by a scan;
 * - `by-value`: specific values of some column (`code IN ('a', 'b')`): few rows, but maybe found by a scan;
 * - `by-batch`: one batch of a key (or ctid) — the values of a subquery with a LIMIT (`id IN (SELECT id … LIMIT
 *   1000)`), or a range with both ends (`id BETWEEN 1 AND 10000`): a bounded number of rows whatever the table's
 *   size, though the subquery may scan to find them;
 * - `by-key`: specific values of a key column (`id = 42`, `user_id IN (1, 2)`): few rows, found through its index.
 */
export type RowSelection = 'all' | 'by-condition' | 'by-value' | 'by-batch' | 'by-key';

/**
 * The selection of a WHERE clause: the strongest pin among its AND-ed terms; an OR pins only as
 * much as its weakest branch.
 */
export function rowSelection(where: Node | undefined): RowSelection {
  return where ? (pinOf(where) ?? 'by-condition') : 'all';
}

type Pin = 'by-value' | 'by-batch' | 'by-key';

/** Strongest first: an AND-ed term can only narrow the selection, so the strongest of them wins. */
const PINS_STRONGEST_FIRST: readonly Pin[] = ['by-key', 'by-batch', 'by-value'];

function strongestPin(pins: readonly (Pin | undefined)[]): Pin | undefined {
  return PINS_STRONGEST_FIRST.find((pin) => pins.includes(pin));
}

function pinOf(where: Node): Pin | undefined {
  if ('BoolExpr' in where) {
    const args = where.BoolExpr.args ?? [];
    const pins = args.map(pinOf);
    if (where.BoolExpr.boolop === 'AND_EXPR') return strongestPin([...pins, hasKeyRange(args) ? 'by-batch' : undefined]);
    if (where.BoolExpr.boolop !== 'OR_EXPR' || pins.length === 0 || pins.includes(undefined)) return undefined;
    return pins.every((pin) => pin === 'by-key') ? 'by-key' : 'by-value';
  }
  // `id IN (SELECT id … LIMIT 1000)`
  if ('SubLink' in where) {
    const { subLinkType, testexpr, operName, subselect } = where.SubLink;
    const isIn = subLinkType === 'ANY_SUBLINK' && (operName === undefined || operatorOf(operName) === '=');
    return isIn && testexpr && isKeyColumn(testexpr) && subselect && isLimitedQuery(subselect) ? 'by-batch' : undefined;
  }
  if (!('A_Expr' in where)) return undefined;
  const { kind, name, lexpr, rexpr } = where.A_Expr;
  // `id BETWEEN 1 AND 10000` (BETWEEN SYMMETRIC too: both ends given)
  if (kind === 'AEXPR_BETWEEN' || kind === 'AEXPR_BETWEEN_SYM') {
    const ends = rexpr && 'List' in rexpr ? (rexpr.List.items ?? []) : [];
    return lexpr && isKeyColumn(lexpr) && ends.length === 2 && ends.every(isValue) ? 'by-batch' : undefined;
  }
  if (operatorOf(name) !== '=' || !lexpr || !rexpr) return undefined;
  const [column, value] = columnOf(lexpr) ? [columnOf(lexpr)!, rexpr] : columnOf(rexpr) ? [columnOf(rexpr)!, lexpr] : [];
  if (!column || !value) return undefined;
  // `id = ANY (ARRAY(SELECT id … LIMIT 1000))`
  if (kind === 'AEXPR_OP_ANY' && 'SubLink' in value && value.SubLink.subLinkType === 'ARRAY_SUBLINK') {
    return isKeyColumn(column) && value.SubLink.subselect && isLimitedQuery(value.SubLink.subselect) ? 'by-batch' : undefined;
  }
  if (!isSpecificValue(kind, value)) return undefined;
  return isKeyColumn(column) ? 'by-key' : 'by-value';
}

/** The column an operand reads, also through a cast (`category::text = 'a'` selects by the column's value just the same). */
function columnOf(operand: Node): Node | undefined {
  if ('ColumnRef' in operand) return operand;
  return 'TypeCast' in operand && operand.TypeCast.arg !== undefined && 'ColumnRef' in operand.TypeCast.arg ? operand.TypeCast.arg : undefined;
}

const operatorOf = (name: readonly Node[] | undefined) => name?.map((part) => ('String' in part ? part.String.sval : '')).join('.');

/** A query that returns at most a given number of rows: `LIMIT 1000`, `FETCH FIRST 1000 ROWS ONLY`, `LIMIT $1` (not `LIMIT ALL`). */
function isLimitedQuery(query: Node): boolean {
  const limit = 'SelectStmt' in query ? query.SelectStmt.limitCount : undefined;
  return limit !== undefined && isValue(limit);
}

/** `id >= 1 AND id < 10001`, `ctid >= '(0,0)' AND ctid < '(1000,0)'`: AND-ed terms bounding one key column from both sides. */
function hasKeyRange(terms: readonly Node[]): boolean {
  const lower = new Set<string>();
  const upper = new Set<string>();
  for (const term of terms) {
    const bound = keyBoundOf(term);
    if (bound) (bound.side === 'lower' ? lower : upper).add(bound.column);
  }
  return [...lower].some((column) => upper.has(column));
}

const BOUND_SIDE: Readonly<Record<string, 'lower' | 'upper'>> = { '>': 'lower', '>=': 'lower', '<': 'upper', '<=': 'upper' };
const FLIPPED: Readonly<Record<'lower' | 'upper', 'lower' | 'upper'>> = { lower: 'upper', upper: 'lower' };

/** `id > 5` bounds `id` from below; `5 > id` from above. */
function keyBoundOf(term: Node): { column: string; side: 'lower' | 'upper' } | undefined {
  if (!('A_Expr' in term) || term.A_Expr.kind !== 'AEXPR_OP') return undefined;
  const { name, lexpr, rexpr } = term.A_Expr;
  const side = BOUND_SIDE[operatorOf(name) ?? ''];
  if (!side || !lexpr || !rexpr) return undefined;
  if (isKeyColumn(lexpr) && isValue(rexpr)) return { column: columnName(lexpr), side };
  if (isKeyColumn(rexpr) && isValue(lexpr)) return { column: columnName(rexpr), side: FLIPPED[side] };
  return undefined;
}

const columnName = (column: Node) =>
  ('ColumnRef' in column ? (column.ColumnRef.fields ?? []) : []).map((field) => ('String' in field ? field.String.sval : '*')).join('.');

function isSpecificValue(kind: string | undefined, value: Node): boolean {
  if (kind === 'AEXPR_OP') return isValue(value);
  if (kind === 'AEXPR_IN') return 'List' in value && (value.List.items ?? []).every(isValue);
  if (kind === 'AEXPR_OP_ANY') return 'A_ArrayExpr' in value ? (value.A_ArrayExpr.elements ?? []).every(isValue) : isValue(value);
  return false;
}

/** A literal or parameter (possibly cast), other than a boolean: `flag = true` selects by condition. */
function isValue(node: Node): boolean {
  if ('TypeCast' in node) return node.TypeCast.arg !== undefined && isValue(node.TypeCast.arg);
  if ('ParamRef' in node) return true;
  return 'A_Const' in node && !node.A_Const.isnull && node.A_Const.boolval === undefined;
}

/**
 * `id`, `uuid`, `user_id`, `userId`: by convention a primary key or a foreign key, which is indexed.
 * `ctid` is a row's physical address, found without a scan. Other columns compared to a value
 * (`status = 'failed'`) may match every row, through a scan.
 */
function isKeyColumn(column: Node): boolean {
  const fields = 'ColumnRef' in column ? (column.ColumnRef.fields ?? []) : [];
  const last = fields.at(-1);
  const name = last && 'String' in last ? (last.String.sval ?? '') : '';
  return /^(id|uuid|ctid)$/i.test(name) || /_(id|uuid)$/i.test(name) || /[a-z0-9](Id|ID|Uuid)$/.test(name);
}

/** A table a query reads, and whether the whole of it (or a part that grows with it) is read. */
export interface TableRead {
  rangeVar: RangeVar;
  whole: boolean;
}

/**
 * The tables a query reads from (FROM, JOIN, subqueries in FROM, CTEs, both sides of UNION), with
 * whether each is read whole: yes unless its WHERE picks rows by key (or a batch of keys) or it stops at a LIMIT without
 * ORDER BY. Subqueries elsewhere (in the select list, in WHERE) are not followed. System catalogs
 * are small: not counted. `outerCtes`: names the statement's WITH defines, which are not tables.
 */
export function tablesRead(select: SelectStmt, outerCtes: ReadonlySet<string> = new Set()): TableRead[] {
  const ctes = new Set([...outerCtes, ...cteNames(select.withClause)]);
  const fromCtes = tablesReadByCtes(select.withClause, ctes);
  if (select.op && select.op !== 'SETOP_NONE') {
    return [...fromCtes, ...(select.larg ? tablesRead(select.larg, ctes) : []), ...(select.rarg ? tablesRead(select.rarg, ctes) : [])];
  }
  const selection = rowSelection(select.whereClause);
  const bounded = selection === 'by-key' || selection === 'by-batch' || (select.limitCount !== undefined && (select.sortClause ?? []).length === 0);
  const visit = (node: Node): TableRead[] => {
    if ('RangeVar' in node) {
      const rangeVar = node.RangeVar;
      const isCte = rangeVar.schemaname === undefined && ctes.has(rangeVar.relname ?? '');
      return isCte || isSystemCatalog(rangeVar) ? [] : [{ rangeVar, whole: !bounded }];
    }
    if ('JoinExpr' in node) return [...(node.JoinExpr.larg ? visit(node.JoinExpr.larg) : []), ...(node.JoinExpr.rarg ? visit(node.JoinExpr.rarg) : [])];
    if ('RangeSubselect' in node && node.RangeSubselect.subquery && 'SelectStmt' in node.RangeSubselect.subquery) {
      return tablesRead(node.RangeSubselect.subquery.SelectStmt, ctes);
    }
    return [];
  };
  return [...fromCtes, ...(select.fromClause ?? []).flatMap(visit)];
}

export const cteNames = (withClause: WithClause | undefined): string[] =>
  (withClause?.ctes ?? []).flatMap((cte) => ('CommonTableExpr' in cte && cte.CommonTableExpr.ctename ? [cte.CommonTableExpr.ctename] : []));

/** The tables the queries of a WITH clause read (`ctes`: the names in scope, its own included). */
export const tablesReadByCtes = (withClause: WithClause | undefined, ctes: ReadonlySet<string>): TableRead[] =>
  (withClause?.ctes ?? []).flatMap((cte) => {
    const query = 'CommonTableExpr' in cte ? cte.CommonTableExpr.ctequery : undefined;
    return query && 'SelectStmt' in query ? tablesRead(query.SelectStmt, ctes) : [];
  });

/** pg_catalog and information_schema relations (an unqualified `pg_…` name resolves to pg_catalog). */
export function isSystemCatalog(rangeVar: RangeVar): boolean {
  const schema = rangeVar.schemaname;
  if (schema === 'pg_catalog' || schema === 'information_schema') return true;
  return schema === undefined && (rangeVar.relname ?? '').startsWith('pg_');
}
