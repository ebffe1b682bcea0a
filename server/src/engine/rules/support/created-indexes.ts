import type { Node } from '@pgsql/types';
import { sameRelation, type RelationName } from '../../model/relations';
import { nodeAs, type Statement } from '../../model/statement';
import { perFile, type RuleContext } from '../rule';
import { MAX_IDENTIFIER_BYTES, utf8ByteLength } from './identifier-bytes';

/** An index an earlier statement of the file creates, and the table it belongs to. */
export interface CreatedIndex {
  index: RelationName;
  table: RelationName;
}

/**
 * The index `index` names, when a statement before `beforeStatement` creates it: by CREATE INDEX
 * (named, or unnamed on plain columns, whose default name PostgreSQL derives as `table_col_idx`),
 * or as the primary key of a CREATE TABLE.
 */
export function findCreatedIndex(statements: readonly Statement[], index: RelationName, beforeStatement: number): CreatedIndex | undefined {
  return createdIndexesByName(statements)
    .get(index.name)
    ?.find((created) => created.statementIndex < beforeStatement && sameRelation(created.index, index));
}

/** Every index the file creates, in statement order, by index name. */
const createdIndexesByName = perFile((statements: readonly Statement[]) => {
  const byName = new Map<string, (CreatedIndex & { statementIndex: number })[]>();
  for (const statement of statements) {
    for (const created of createdIndexes(statement)) {
      const entries = byName.get(created.index.name) ?? [];
      entries.push({ ...created, statementIndex: statement.index });
      byName.set(created.index.name, entries);
    }
  }
  return byName;
});

/** Whether the index belongs to a table this file created earlier, so no one else can be using it. */
export function isIndexOfNewTable(context: RuleContext, index: RelationName, beforeStatement: number): boolean {
  const created = findCreatedIndex(context.statements, index, beforeStatement);
  return created !== undefined && context.isCreatedInFile(created.table, beforeStatement);
}

function createdIndexes(statement: Statement): CreatedIndex[] {
  if (statement.kind !== 'parsed') return [];
  const index = nodeAs(statement, 'IndexStmt');
  if (index?.relation?.relname) {
    const table = { schema: index.relation.schemaname, name: index.relation.relname };
    const name = index.idxname ?? defaultIndexName(table.name, index.indexParams ?? []);
    return name === undefined ? [] : [{ index: { schema: table.schema, name }, table }];
  }
  const create = nodeAs(statement, 'CreateStmt');
  if (create?.relation?.relname) {
    const table = { schema: create.relation.schemaname, name: create.relation.relname };
    return primaryKeyNames(table.name, create.tableElts ?? []).map((name) => ({ index: { schema: table.schema, name }, table }));
  }
  return [];
}

/** `table_col1_col2_idx`, as PostgreSQL names an unnamed index on plain columns (expressions: unpredicted). */
function defaultIndexName(table: string, params: readonly Node[]): string | undefined {
  const columns = params.map((param) => ('IndexElem' in param ? param.IndexElem.name : undefined));
  if (columns.length === 0 || columns.some((column) => column === undefined)) return undefined;
  const name = [table, ...columns, 'idx'].join('_');
  // Longer default names get truncated, so they are not predicted.
  return utf8ByteLength(name) <= MAX_IDENTIFIER_BYTES ? name : undefined;
}

/** The index behind a CREATE TABLE's primary key: its constraint name, or `table_pkey`. */
function primaryKeyNames(table: string, elements: readonly Node[]): string[] {
  const constraints = elements.flatMap((element) => {
    if ('Constraint' in element) return [element.Constraint];
    if ('ColumnDef' in element) return (element.ColumnDef.constraints ?? []).flatMap((node) => ('Constraint' in node ? [node.Constraint] : []));
    return [];
  });
  return constraints.filter((constraint) => constraint.contype === 'CONSTR_PRIMARY').map((constraint) => constraint.conname ?? `${table}_pkey`);
}
