import { conflicts, LOCK_MODES, type LockMode } from '../../locks/lock-modes';
import { locksTheSchemaShows } from '../../locks/schema-locks';
import { locksOf, type TableLock } from '../../locks/statement-locks';
import { sameRelation, type RelationName } from '../../model/relations';
import { nodeAs, type ParsedStatement } from '../../model/statement';
import type { RuleContext } from '../rule';
import { aboutStatement } from './recorded-questions';
import { findCreatedIndex } from './created-indexes';
import { perSegment, segmentPlace } from './transaction-segments';
import { isTaken } from './trigger-guards';

/** Whether holding `held` already makes wait every lock request that `requested` would make wait. */
const covers = (held: LockMode, requested: LockMode) => LOCK_MODES.every((other) => !conflicts(requested, other) || conflicts(held, other));

/**
 * The earlier statement of the transaction that already holds a lock on the table at least as
 * blocking as `mode` (locks last until COMMIT): taking `mode` now waits for no other session and
 * makes nobody wait who was not waiting already, so what that lock does is the earlier statement's story.
 * A recorded question (./recorded-questions.ts): a finding that relies on it is taken over while the answer stays.
 */
export const heldEarlierInTransaction = aboutStatement('held earlier in transaction', (statement: ParsedStatement, context: RuleContext, table: RelationName, mode: LockMode): ParsedStatement | undefined => {
  const place = segmentPlace(statement, context);
  if (!place) return undefined;
  // Only the locks on a table of that name can match: the earliest that does, if it comes before the statement.
  for (const { lock, by, position } of locksByTableName(place.segment, context).get(table.name) ?? []) {
    if (position >= place.before) return undefined;
    if (position >= place.from && sameRelation(lock.relation, table) && covers(lock.mode, mode)) return by;
  }
  return undefined;
});

/** The locks the transaction's statements take, by table name, in the order taken: once per analysis and transaction. */
const locksByTableName = perSegment((segment, context) => {
  const byName = new Map<string, { lock: TableLock; by: ParsedStatement; position: number }[]>();
  segment.statements.forEach((by, position) => {
    for (const lock of locksOnTables(by, context)) {
      if (!isTaken(lock, by, context)) continue;
      let locks = byName.get(lock.relation.name);
      if (!locks) byName.set(lock.relation.name, (locks = []));
      locks.push({ lock, by, position });
    }
  });
  return byName as ReadonlyMap<string, readonly { lock: TableLock; by: ParsedStatement; position: number }[]>;
});

/**
 * The locks the statement takes, with those only the schema shows (locks/schema-locks.ts): a dropped
 * foreign key's on the table it references, a DROP INDEX's on the index's table — found, for an index
 * the schema does not know, where an earlier CREATE INDEX of the file made it.
 */
export function locksOnTables(by: ParsedStatement, context: RuleContext): readonly TableLock[] {
  const { pgVersion } = context.options;
  const locks = locksOf(by, pgVersion);
  // Only drops and ALTER TABLEs take locks the schema shows: the others, most of a file, need no schema view.
  if (by.nodeType !== 'DropStmt' && by.nodeType !== 'AlterTableStmt') return locks;
  const schema = context.schema.before(by.index);
  const shown = locksTheSchemaShows(by, schema, pgVersion);
  const unknownIndexes = nodeAs(by, 'DropStmt')?.removeType === 'OBJECT_INDEX' ? locks.filter((lock) => lock.objectKind === 'index' && !schema.indexTable(lock.relation)) : [];
  const found = unknownIndexes.flatMap((lock) => {
    const table = findCreatedIndex(context.statements, lock.relation, by.index)?.table;
    return table ? [{ ...lock, relation: table, objectKind: 'table' as const }] : [];
  });
  return shown.length + found.length > 0 ? [...locks, ...shown, ...found] : locks;
}
