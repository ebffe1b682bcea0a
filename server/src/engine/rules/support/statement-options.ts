import type { Node } from '@pgsql/types';

/**
 * Whether a parenthesised option list (`VACUUM (FULL)`, `REINDEX (CONCURRENTLY)`) turns `name` on,
 * read as PostgreSQL's defGetBoolean does: no value, `true`/`on`/`1` mean on; `false`/`off`/`0` off.
 */
export function optionEnabled(options: readonly Node[] | undefined, name: string): boolean {
  const option = (options ?? []).flatMap((node) => ('DefElem' in node && node.DefElem.defname === name ? [node.DefElem] : [])).pop();
  if (!option) return false;
  const value = option.arg;
  if (value === undefined) return true;
  if ('Integer' in value) return (value.Integer.ival ?? 0) !== 0;
  if ('Boolean' in value) return value.Boolean.boolval === true;
  if ('String' in value) return !['false', 'off'].includes((value.String.sval ?? '').toLowerCase());
  return true;
}
