import type { Node } from '@pgsql/types';
import { firstBuilt } from '../../model/moved-statement';
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

/**
 * The first statement after `statement`, in its section and starting before offset `end`, that names
 * one of `names` (as `mentionsOf` judges), with the name; undefined when none does. Looked up in an
 * index of the file's names built once per analysis, so that every statement of a long file asking
 * stays cheap.
 */
export function firstMentionAfter(statement: Statement, statements: readonly Statement[], names: readonly string[], end: number): { statement: Statement; name: string } | undefined {
  let found: { statement: Statement; name: string } | undefined;
  for (const name of names) {
    const test = mentionsOf(name);
    const candidates = INDEXABLE_NAME.test(name) ? mentioningIndexes(statements).get(name.toLowerCase()) ?? [] : statements.map((_, i) => i);
    for (let k = firstAfter(candidates, statement.index); k < candidates.length; k++) {
      const later = statements[candidates[k]!]!;
      if (later.range.start >= end || (found && later.index >= found.statement.index)) break;
      if (later.section === statement.section && test(later)) {
        found = { statement: later, name };
        break;
      }
    }
  }
  return found;
}

/** Names the index finds: ASCII identifiers, which case-fold the same in SQL and in JavaScript. */
const INDEXABLE_NAME = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** Position in ascending `indexes` of the first above `index`. */
function firstAfter(indexes: readonly number[], index: number): number {
  let low = 0;
  let high = indexes.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (indexes[middle]! <= index) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * For every lower-cased identifier the file's statements may name (a word, a quoted name, an identifier
 * in a string), the indexes of those statements, ascending: a superset of what `mentionsOf` finds.
 */
function mentioningIndexes(statements: readonly Statement[]): ReadonlyMap<string, readonly number[]> {
  let index = MENTION_INDEXES.get(statements);
  if (!index) {
    const byName = new Map<string, number[]>();
    for (const statement of statements) {
      for (const name of namesIn(statement)) {
        const indexes = byName.get(name);
        if (indexes) indexes.push(statement.index);
        else byName.set(name, [statement.index]);
      }
    }
    MENTION_INDEXES.set(statements, (index = byName));
  }
  return index;
}

const MENTION_INDEXES = new WeakMap<readonly Statement[], ReadonlyMap<string, readonly number[]>>();

/** The lower-cased identifiers in a statement's tokens, once per statement as first built (its names do not move). */
function namesIn(statement: Statement): ReadonlySet<string> {
  const built = firstBuilt(statement);
  let names = NAMES_IN.get(built);
  if (!names) {
    const found = new Set<string>();
    for (const token of built.tokens) {
      if (token.type === 'word') found.add(token.value.toLowerCase());
      else if (token.type === 'quoted-identifier') found.add(token.value.slice(1, -1).replace(/""/g, '"').toLowerCase());
      else if (token.type === 'string' || token.type === 'dollar-string') for (const word of token.value.match(IDENTIFIER_RUNS) ?? []) found.add(word.toLowerCase());
    }
    NAMES_IN.set(built, (names = found));
  }
  return names;
}

const NAMES_IN = new WeakMap<Statement, ReadonlySet<string>>();
const IDENTIFIER_RUNS = /[A-Za-z0-9_$]+/g;
