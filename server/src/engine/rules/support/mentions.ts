import type { Node } from '@pgsql/types';
import type { Statement } from '../../model/statement';
import { namesOf } from '../../model/syntax-names';
import type { Token } from '../../text/lexer';

/**
 * Whether some SQL's tokens name the identifier: as a word (unquoted names fold to lower case, so
 * any case matches), quoted, or inside a string (dynamic SQL). Comments do not count.
 */
export function mentionsOf(name: string): (sql: { readonly tokens: readonly Token[] }) => boolean {
  const word = name === name.toLowerCase() ? name.toUpperCase() : undefined;
  const quoted = `"${name.replace(/"/g, '""')}"`;
  const inText = new RegExp(`(^|[^A-Za-z0-9_$])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_$])`, word ? 'i' : '');
  return ({ tokens }) =>
    tokens.some((token) => {
      if (token.type === 'word') return token.value === word;
      if (token.type === 'quoted-identifier') return token.value === quoted;
      return (token.type === 'string' || token.type === 'dollar-string') && inText.test(token.value);
    });
}

/**
 * The schema objects a statement names, without their schema: tables and views, indexes,
 * constraints, and the objects a DROP or an ALTER TYPE names. Columns are left out: their names
 * (`id`, `name`) recur in unrelated statements. Empty for a statement the parser could not read.
 */
export function objectNamesOf(statement: Statement): string[] {
  if (statement.kind !== 'parsed') return [];
  const names = new Set<string>();
  const add = (name: string | undefined) => {
    if (name) names.add(name);
  };
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    // A RangeVar is wrapped where the tree holds any node, bare where it holds one (an IndexStmt's relation).
    if ('relname' in value && typeof value.relname === 'string') add(value.relname);
    const node = value as Partial<Record<string, Record<string, unknown>>>;
    if (node.IndexStmt) add(node.IndexStmt.idxname as string | undefined);
    if (node.Constraint) add(node.Constraint.conname as string | undefined);
    if (node.AlterTableCmd && CONSTRAINT_COMMANDS.has(node.AlterTableCmd.subtype as string)) add(node.AlterTableCmd.name as string | undefined);
    if (node.AlterEnumStmt) add(namesOf(node.AlterEnumStmt.typeName as Node[] | undefined).pop());
    if (node.DropStmt) for (const object of (node.DropStmt.objects as Node[] | undefined) ?? []) add(lastName(object));
    Object.values(value).forEach(visit);
  };
  visit(statement.ast);
  return [...names];
}

const CONSTRAINT_COMMANDS = new Set(['AT_ValidateConstraint', 'AT_DropConstraint']);

/** The object's own name in a DROP's list: the last of `schema.name` (`table.trigger` for a trigger). */
function lastName(object: Node): string | undefined {
  if ('List' in object) return namesOf(object.List.items).pop();
  if ('String' in object) return object.String.sval;
  if ('TypeName' in object) return namesOf(object.TypeName.names).pop();
  return undefined;
}

/** The indexes a statement makes or drops, by name: CREATE INDEX's, DROP INDEX's. */
export function indexNamesOf(statement: Statement): string[] {
  if (statement.kind !== 'parsed') return [];
  const ast = statement.ast;
  if ('IndexStmt' in ast) return ast.IndexStmt.idxname ? [ast.IndexStmt.idxname] : [];
  if ('DropStmt' in ast && ast.DropStmt.removeType === 'OBJECT_INDEX') return (ast.DropStmt.objects ?? []).flatMap((object) => lastName(object) ?? []);
  return [];
}
