import { blockedOperations, blocksOperation } from '../../locks/lock-modes';
import { isSlow, locksOf, type TableLock, type WorkCondition } from '../../locks/statement-locks';
import { sameRelation } from '../../model/relations';
import type { ParsedStatement } from '../../model/statement';
import type { RuleContext } from '../rule';
import { earlierInSameTransaction } from './constraints';
import { provenNotNull } from './not-null';

/**
 * The locks under which a statement does work that grows with a table that has rows: locks on
 * tables created earlier in the file (new, so empty) are left out, and so is work the file shows
 * PostgreSQL skips (see `WorkCondition`).
 */
export function slowLocksOf(statement: ParsedStatement, context: RuleContext): TableLock[] {
  return locksOf(statement, context.options.pgVersion).filter(
    (lock) => isSlow(lock.work) && !context.isCreatedInFile(lock.relation, statement.index) && !lock.fastIf?.every((condition) => holds(condition, statement, context)),
  );
}

function holds(condition: WorkCondition, statement: ParsedStatement, context: RuleContext): boolean {
  switch (condition.kind) {
    case 'empty':
      return context.isCreatedInFile(condition.relation, statement.index);
    case 'not-null-proven':
      return provenNotNull(context, statement.index, condition.relation, condition.column);
  }
}

/** A lock an earlier statement of the transaction took, still held. */
export interface HeldLock {
  lock: TableLock;
  by: ParsedStatement;
}

/** A statement doing slow work while earlier statements of its transaction hold locks that make traffic wait. */
export interface SlowWorkUnderHeldLocks {
  /** The statement's own slow locks (at least one). */
  slow: readonly TableLock[];
  /** The held locks that make traffic wait longer than the statement alone would, oldest first (at least one). */
  held: readonly HeldLock[];
}

/**
 * Whether the statement does slow work while a blocking lock taken earlier in the same transaction is
 * held (locks last until COMMIT): traffic that lock blocks waits for the whole slow statement.
 */
export function slowWorkUnderHeldLocks(statement: ParsedStatement, context: RuleContext): SlowWorkUnderHeldLocks | undefined {
  if (statement.transaction.kind === 'autocommit') return undefined;
  // Only a slow statement matters: the others never look at their transaction.
  if (!locksOf(statement, context.options.pgVersion).some((lock) => isSlow(lock.work))) return undefined;
  const slow = slowLocksOf(statement, context);
  if (slow.length === 0) return undefined;
  const held = earlierInSameTransaction(statement, context)
    .flatMap((by) => locksOf(by, context.options.pgVersion).map((lock) => ({ lock, by })))
    .filter(({ lock }) => blocksTraffic(lock) && !context.isCreatedInFile(lock.relation, statement.index) && addsImpact(lock, slow));
  return held.length > 0 ? { slow, held } : undefined;
}

const blocksTraffic = (lock: TableLock) => blocksOperation(lock.mode, 'SELECT') || blocksOperation(lock.mode, 'INSERT');

/** A held lock adds impact unless the slow statement itself already blocks as much on that table. */
function addsImpact(held: TableLock, slow: readonly TableLock[]): boolean {
  const own = slow.find((lock) => sameRelation(lock.relation, held.relation));
  return !own || blockedOperations(held.mode).some((operation) => !blockedOperations(own.mode).includes(operation));
}
