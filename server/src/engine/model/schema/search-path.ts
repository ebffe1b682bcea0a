import type { Node } from '@pgsql/types';
import type { Statement } from '../statement';

/**
 * A session's `search_path`: the schemas an unqualified name is looked up in, in order. `$user`
 * stands for a schema named like the session's user, which the migration does not show.
 */
export type SearchPath = readonly string[];

/** PostgreSQL's default (`"$user", public`). */
export const DEFAULT_SEARCH_PATH: SearchPath = ['$user', 'public'];

export const USER_SCHEMA = '$user';

/**
 * Where PostgreSQL creates an object named without a schema: the first schema of the path (the
 * user's schema is skipped: it rarely exists, and the migration cannot say whether it does).
 */
export const creationSchema = (path: SearchPath): string => path.find((schema) => schema !== USER_SCHEMA && schema !== 'pg_catalog') ?? 'public';

/**
 * The search path a statement sets (`SET [LOCAL] search_path …`, `RESET search_path`,
 * `SELECT set_config('search_path', …)`), or undefined when it sets none.
 */
export function searchPathSetBy(statement: Statement): SearchPath | undefined {
  if (statement.kind !== 'parsed') return undefined;
  const ast = statement.ast;
  if ('VariableSetStmt' in ast) {
    const set = ast.VariableSetStmt;
    if (set.name !== 'search_path') return undefined;
    if (set.kind === 'VAR_RESET' || set.kind === 'VAR_SET_DEFAULT') return DEFAULT_SEARCH_PATH;
    if (set.kind !== 'VAR_SET_VALUE') return undefined;
    // Each argument is one schema, as written: PostgreSQL quotes each when it stores a list setting.
    return (set.args ?? []).flatMap((arg) => stringConstant(arg) ?? []);
  }
  if ('SelectStmt' in ast) {
    for (const target of ast.SelectStmt.targetList ?? []) {
      const value = 'ResTarget' in target ? target.ResTarget.val : undefined;
      const call = value && 'FuncCall' in value ? value.FuncCall : undefined;
      const name = call?.funcname?.at(-1);
      if (!call || !name || !('String' in name) || name.String.sval !== 'set_config') continue;
      const [setting, path] = (call.args ?? []).map(stringConstant);
      if (setting === 'search_path' && path !== undefined) return splitPathText(path);
    }
  }
  return undefined;
}

function stringConstant(node: Node): string | undefined {
  return 'A_Const' in node ? node.A_Const.sval?.sval : undefined;
}

/**
 * The schemas of a search_path value given as one string (`set_config`), as PostgreSQL reads it:
 * comma-separated, unquoted names folded to lower case, double-quoted names kept as written.
 */
export function splitPathText(text: string): string[] {
  const schemas: string[] = [];
  const pattern = /\s*(?:"((?:[^"]|"")*)"|([^,\s][^,]*?))\s*(?:,|$)/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null && match[0] !== '') {
    if (match[1] !== undefined) schemas.push(match[1].replace(/""/g, '"'));
    else if (match[2] !== undefined) schemas.push(match[2] === '$user' ? match[2] : match[2].toLowerCase());
    if (pattern.lastIndex >= text.length) break;
  }
  return schemas;
}
