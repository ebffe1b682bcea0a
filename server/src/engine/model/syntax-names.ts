import type { Node } from '@pgsql/types';

/*
 * Reading names out of libpg_query's trees, for the model and the rules alike.
 */

const NO_NODES: readonly Node[] = [];

/** Whether the expression is the column itself, by its unqualified name. */
export function isColumnRef(expression: Node | undefined, column: string): boolean {
  if (expression === undefined || !('ColumnRef' in expression)) return false;
  const fields = expression.ColumnRef.fields ?? [];
  const only = fields.length === 1 ? fields[0] : undefined;
  return only !== undefined && 'String' in only && only.String.sval === column;
}

/** The strings of a name list (`schema`, `table`, …). A loop, not flatMap: it runs for every column of every table a long file creates. */
export function namesOf(nodes: readonly Node[] | undefined): string[] {
  const names: string[] = [];
  for (const node of nodes ?? NO_NODES) if ('String' in node && node.String.sval !== undefined) names.push(node.String.sval);
  return names;
}

/** The columns an expression references, each once, in order: the last name of a dotted reference (`a` of `t.a`). */
export function referencedColumns(node: unknown): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    if ('ColumnRef' in value) {
      const name = namesOf((value as { ColumnRef: { fields?: Node[] } }).ColumnRef.fields).pop();
      if (name !== undefined) found.add(name);
      return;
    }
    Object.values(value).forEach(visit);
  };
  visit(node);
  return [...found];
}

/** Whether the expression calls the function, in any schema: `timezone` also for `x AT TIME ZONE 'UTC'`, which parses as that call. */
export function callsFunction(node: unknown, name: string): boolean {
  const visit = (value: unknown): boolean => {
    if (Array.isArray(value)) return value.some(visit);
    if (typeof value !== 'object' || value === null) return false;
    if ('FuncCall' in value && namesOf((value as { FuncCall: { funcname?: Node[] } }).FuncCall.funcname).pop()?.toLowerCase() === name) return true;
    return Object.values(value).some(visit);
  };
  return visit(node);
}
