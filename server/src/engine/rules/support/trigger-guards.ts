import type { TableLock } from '../../locks/statement-locks';
import { sameRelation, type RelationName } from '../../model/relations';
import { nodeAs, type Statement } from '../../model/statement';
import type { RuleContext } from '../rule';
import { dropTableFindsNothing } from './absent-relations';

/** Whether the statement is `CREATE [OR REPLACE] [CONSTRAINT] TRIGGER name … ON table`. */
export function createsTrigger(statement: Statement, name: string, table: RelationName): boolean {
  const create = nodeAs(statement, 'CreateTrigStmt');
  return create?.trigname === name && create.relation?.relname !== undefined && sameRelation({ schema: create.relation.schemaname, name: create.relation.relname }, table);
}

/**
 * Whether the statement takes the lock in this file: not when a `DROP TRIGGER IF EXISTS`
 * (`TableLock.onlyIfTriggerExists`) finds no trigger to drop. That is judged so: the schema history
 * shows every trigger of the table (it was created by the set's migrations, see `TableState.triggers`),
 * the trigger is not one of them, and a later statement of the file creates it — the drop is the
 * re-run guard of that CREATE. Without that CREATE, a trigger made outside the migrations (by hand,
 * by a function's dynamic SQL) is the likelier story, and the drop is taken to find it.
 */
export function isTaken(lock: TableLock, statement: Statement, context: RuleContext): boolean {
  // DROP TABLE IF EXISTS in front of the table's CREATE, where the migrations show it cannot exist yet, locks nothing.
  const drop = nodeAs(statement, 'DropStmt');
  if (drop?.missing_ok === true && drop.removeType === 'OBJECT_TABLE' && dropTableFindsNothing(lock.relation, statement, context)) return false;
  const trigger = lock.onlyIfTriggerExists;
  if (trigger === undefined) return true;
  const triggers = context.schema.before(statement.index).table(lock.relation)?.triggers;
  if (triggers === undefined || triggers.includes(trigger)) return true;
  return !context.statements.slice(statement.index + 1).some((later) => createsTrigger(later, trigger, lock.relation));
}
