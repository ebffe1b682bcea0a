import type { RelationName } from '../../model/relations';
import type { Statement } from '../../model/statement';
import type { RuleContext } from '../rule';
import { createsRelationNamed } from './breaking-changes';
import { mentionsOf } from './mentions';

/**
 * Whether DROP TABLE IF EXISTS finds nothing, as far as the migrations tell: the name is in a schema they created
 * empty (`SchemaView.schemaCreatedEmpty`), no relation has it there, no statement the engine could not read mentions
 * it, and a later statement of the file creates it — the drop is that CREATE's re-run guard, and takes no lock.
 */
export function dropTableFindsNothing(table: RelationName, statement: Statement, context: RuleContext): boolean {
  const known = context.schema.before(statement.index);
  if (table.schema === undefined || !known.schemaCreatedEmpty(table.schema) || known.table(table) !== undefined) return false;
  if (!createsRelationNamed(context, table, statement.index + 1, context.statements.length)) return false;
  const mentions = mentionsOf(table.name);
  return !context.statements.slice(0, statement.index).some((earlier) => earlier.kind !== 'parsed' && mentions(earlier));
}

