import type { RelationName } from '../model/relations';
import { sameRelation } from '../model/relations';
import type { ConstraintState, SchemaView } from '../model/schema/objects';
import { nodeAs, type ParsedStatement } from '../model/statement';
import { locksOf, type TableLock } from './statement-locks';

/**
 * The locks a statement takes on tables it does not name, which only the schema shows (docs/postgres-locks.md,
 * "Measured on real servers", for DROP CONSTRAINT and DROP INDEX; every form is checked on 13–18 by
 * test/postgres/schema-locks.test.ts):
 * - dropping a foreign key (DROP CONSTRAINT, DROP COLUMN of one of its columns, DROP TABLE of its table) takes
 *   ACCESS EXCLUSIVE on the table it references too: the key's internal triggers on that table go with it;
 * - DROP INDEX takes its ACCESS EXCLUSIVE lock on the index's table as well as on the index.
 * `locksOf` gives the locks on the relations the statement names; these come on top.
 */
export function locksTheSchemaShows(statement: ParsedStatement, schema: SchemaView, pgVersion: number): TableLock[] {
  const drop = nodeAs(statement, 'DropStmt');
  if (drop?.removeType === 'OBJECT_INDEX') return locksOf(statement, pgVersion).flatMap((lock) => onIndexTable(lock, schema));
  if (drop?.removeType === 'OBJECT_TABLE') {
    return locksOf(statement, pgVersion).flatMap((lock) => onReferencedTables(lock.relation, schema.constraints(lock.relation)));
  }
  const table = nodeAs(statement, 'AlterTableStmt') ? statement.targets[0] : undefined;
  if (!table) return [];
  const constraints = schema.constraints(table);
  const dropped = statement.alterTableCommands.flatMap((command) => {
    if (command.subtype === 'AT_DropConstraint') return constraints.filter((constraint) => constraint.name === command.name);
    if (command.subtype === 'AT_DropColumn')
      return constraints.filter((constraint) => command.name !== undefined && constraint.columns.includes(command.name));
    return [];
  });
  return onReferencedTables(table, dropped);
}

function onIndexTable(lock: TableLock, schema: SchemaView): TableLock[] {
  const table = lock.objectKind === 'index' ? schema.indexTable(lock.relation) : undefined;
  return table ? [{ ...lock, relation: table, objectKind: 'table' }] : [];
}

/** ACCESS EXCLUSIVE on each table the dropped foreign keys of `table` reference, once each, the table itself left out. */
function onReferencedTables(table: RelationName, dropped: readonly ConstraintState[]): TableLock[] {
  const referenced: RelationName[] = [];
  for (const constraint of dropped) {
    const target = constraint.kind === 'foreign-key' ? constraint.references : undefined;
    if (target && !sameRelation(target, table) && !referenced.some((seen) => sameRelation(seen, target))) referenced.push(target);
  }
  return referenced.map((relation) => ({ relation, objectKind: 'table', mode: 'ACCESS EXCLUSIVE', work: 'instant' }));
}
