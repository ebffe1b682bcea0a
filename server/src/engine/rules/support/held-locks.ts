import { conflicts, LOCK_MODES, type LockMode } from '../../locks/lock-modes';
import { locksOf } from '../../locks/statement-locks';
import { sameRelation, type RelationName } from '../../model/relations';
import type { ParsedStatement } from '../../model/statement';
import type { RuleContext } from '../rule';
import { earlierInSameTransaction } from './constraints';

/** Whether holding `held` already makes wait every lock request that `requested` would make wait. */
const covers = (held: LockMode, requested: LockMode) => LOCK_MODES.every((other) => !conflicts(requested, other) || conflicts(held, other));

/**
 * The earlier statement of the transaction that already holds a lock on the table at least as
 * blocking as `mode` (locks last until COMMIT): taking `mode` now waits for no other session and
 * makes nobody wait who was not waiting already, so what that lock does is the earlier statement's story.
 */
export function heldEarlierInTransaction(statement: ParsedStatement, context: RuleContext, table: RelationName, mode: LockMode): ParsedStatement | undefined {
  return earlierInSameTransaction(statement, context).find((earlier) =>
    locksOf(earlier, context.options.pgVersion).some((lock) => sameRelation(lock.relation, table) && covers(lock.mode, mode)),
  );
}
