import { blockedOperations, blocksOperation, LOCK_MODES, type LockMode } from '../../locks/lock-modes';
import { isSlow, locksOf, type ObjectKind, type TableLock, type WorkCondition } from '../../locks/statement-locks';
import { sameRelation, type RelationName } from '../../model/relations';
import type { ParsedStatement } from '../../model/statement';
import type { RuleContext } from '../rule';
import { typeChangeReadsNoRow } from './column-types';
import { provenNotNull } from './not-null';
import { locksOnTables } from './held-locks';
import { aboutStatement } from './recorded-questions';
import { holdsFewRowsOrNone } from './tables-with-rows';
import { firstAtOrAfter, perSegment, segmentPlace } from './transaction-segments';

/**
 * The locks under which a statement does work that grows with a table that has rows: locks on
 * tables created earlier in the file (new, so empty) or held to a few rows by their keys
 * (./row-limits.ts) are left out, and so is work the file shows PostgreSQL skips (see `WorkCondition`).
 */
export function slowLocksOf(statement: ParsedStatement, context: RuleContext): TableLock[] {
  return locksOf(statement, context.options.pgVersion).filter(
    (lock) =>
      isSlow(lock.work) &&
      !holdsFewRowsOrNone(context, lock.relation, statement.index) &&
      !lock.fastIf?.every((condition) => holds(condition, statement, context)),
  );
}

function holds(condition: WorkCondition, statement: ParsedStatement, context: RuleContext): boolean {
  switch (condition.kind) {
    case 'empty':
      return holdsFewRowsOrNone(context, condition.relation, statement.index);
    case 'not-null-proven':
      return provenNotNull(context, statement.index, condition.relation, condition.column);
    case 'catalog-only-type-change':
      return typeChangeReadsNoRow(context, statement.index, condition.relation, condition.column, condition.to);
  }
}

/** A lock an earlier statement of the transaction took, still held. */
export interface HeldLock {
  lock: TableLock;
  by: ParsedStatement;
}

/**
 * The held locks that make traffic wait longer than a slow statement alone would: at least one. A
 * summary, not the list: a file that runs in one transaction holds a lock from nearly every statement
 * above, and the list would make every slow statement cost as much as the file.
 */
export interface HeldLocks {
  count: number;
  /** The first lock taken. */
  first: HeldLock;
  /** The lock that blocks the most traffic (the first taken of those). */
  strongest: HeldLock;
  /** The locked relations, each once, in the order their first lock was taken, with whether it is held in the strongest mode. */
  tables: readonly HeldRelation[];
  /** The last `count` locks taken (at most `RECENT_KEPT`), in the order they were taken. */
  latest(count: number): HeldLock[];
}

export interface HeldRelation {
  relation: RelationName;
  /** An index, for the lock a DROP INDEX takes through it on its table. */
  objectKind: ObjectKind;
  /** Whether a lock of the strongest held mode is on it. */
  strongest: boolean;
}

/** How many of the last locks taken a summary keeps for `latest`. */
const RECENT_KEPT = 10;

/**
 * A summary whose fields are all data, `latest` reading them: an answer the incremental analysis can
 * compare with the next analysis's (see ./recorded-questions.ts).
 */
class HeldLocksSummary implements HeldLocks {
  constructor(
    readonly count: number,
    readonly first: HeldLock,
    readonly strongest: HeldLock,
    readonly tables: readonly HeldRelation[],
    private readonly recent: readonly HeldLock[],
  ) {}

  latest(count: number): HeldLock[] {
    return this.recent.slice(Math.max(0, this.recent.length - count));
  }
}

/** A statement doing slow work while earlier statements of its transaction hold locks that make traffic wait. */
export interface SlowWorkUnderHeldLocks {
  /** The statement's own slow locks (at least one). */
  slow: readonly TableLock[];
  held: HeldLocks;
}

/**
 * Whether the statement does slow work while a blocking lock taken earlier in the same transaction is
 * held (locks last until COMMIT): traffic that lock blocks waits for the whole slow statement.
 */
export function slowWorkUnderHeldLocks(statement: ParsedStatement, context: RuleContext): SlowWorkUnderHeldLocks | undefined {
  if (statement.transaction.kind === 'autocommit') return undefined;
  // Only a slow statement matters: the others never look at their transaction.
  if (!locksOf(statement, context.options.pgVersion).some((lock) => isSlow(lock.work))) return undefined;
  return slowWorkUnderHeld(statement, context);
}

/** A recorded question (./recorded-questions.ts): a finding that relies on it is taken over while the answer stays. */
const slowWorkUnderHeld = aboutStatement('slow work under held locks', (statement: ParsedStatement, context: RuleContext): SlowWorkUnderHeldLocks | undefined => {
  const slow = slowLocksOf(statement, context);
  if (slow.length === 0) return undefined;
  const place = segmentPlace(statement, context);
  if (!place || place.before === place.from) return undefined;
  // Whether a lock counts depends on its relation and mode only: asked once per group, not per lock,
  // and whether the file created the relation once per relation.
  const created = new Map<string, boolean>();
  const createdInFile = ({ relation, relationKey }: LockGroup) => {
    if (!created.has(relationKey)) created.set(relationKey, context.isCreatedInFile(relation, statement.index));
    return created.get(relationKey)!;
  };
  const held = trafficBlockingLocks(place.segment, context)
    .map((group) => ({ group, from: firstAtOrAfter(group.positions, place.from), before: firstAtOrAfter(group.positions, place.before) }))
    .filter(({ group, from, before }) => before > from && addsImpact(group.mode, group.relation, slow) && !createdInFile(group));
  return held.length > 0 ? { slow, held: summarised(held) } : undefined;
});

/** The traffic-blocking locks a transaction's statements take on one relation (one spelling of it) in one mode, in the order taken. */
interface LockGroup {
  relation: RelationName;
  /** The relation as written (schema and name): the groups of one spelling share what the file says about it. */
  relationKey: string;
  mode: LockMode;
  /** Each lock's statement's position in the transaction, ascending. */
  positions: number[];
  /** Each lock's place in the order the transaction takes its locks. */
  sequence: number[];
  locks: HeldLock[];
}

/** Grouped once per analysis and transaction. */
const trafficBlockingLocks = perSegment((segment, context): readonly LockGroup[] => {
  const groups = new Map<string, LockGroup>();
  let sequence = 0;
  segment.statements.forEach((by, position) => {
    for (const lock of locksOnTables(by, context)) {
      if (!blocksTraffic(lock)) continue;
      const relationKey = `${lock.relation.schema === undefined ? '' : `${lock.relation.schema}\0`}${lock.relation.name}`;
      const key = `${lock.mode}\0${relationKey}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { relation: lock.relation, relationKey, mode: lock.mode, positions: [], sequence: [], locks: [] }));
      group.positions.push(position);
      group.sequence.push(sequence++);
      group.locks.push({ lock, by });
    }
  });
  return [...groups.values()];
});

/** The held locks of the groups, each group's from its `from` up to its `before`. */
function summarised(held: readonly { group: LockGroup; from: number; before: number }[]): HeldLocks {
  const firstOf = ({ group, from }: (typeof held)[number]) => group.sequence[from]!;
  const byFirst = [...held].sort((a, b) => firstOf(a) - firstOf(b));
  const strongestMode = Math.max(...held.map(({ group }) => LOCK_MODES.indexOf(group.mode)));
  const strongest = byFirst.find(({ group }) => LOCK_MODES.indexOf(group.mode) === strongestMode)!;
  return new HeldLocksSummary(
    held.reduce((sum, { from, before }) => sum + before - from, 0),
    byFirst[0]!.group.locks[byFirst[0]!.from]!,
    strongest.group.locks[strongest.from]!,
    heldRelations(byFirst.map(({ group }) => group), LOCK_MODES[strongestMode]!),
    latestOf(held, RECENT_KEPT),
  );
}

/** The last `count` locks of the groups' ranges, in the order taken: picked from the groups' ends, newest first. */
function latestOf(held: readonly { group: LockGroup; from: number; before: number }[], count: number): HeldLock[] {
  const ends = held.map(({ before }) => before);
  const picked: HeldLock[] = [];
  while (picked.length < count) {
    let newest = -1;
    for (let i = 0; i < held.length; i++) {
      if (ends[i]! > held[i]!.from && (newest < 0 || held[i]!.group.sequence[ends[i]! - 1]! > held[newest]!.group.sequence[ends[newest]! - 1]!)) newest = i;
    }
    if (newest < 0) break;
    picked.push(held[newest]!.group.locks[--ends[newest]!]!);
  }
  return picked.reverse();
}

const blocksTraffic = (lock: TableLock) => blocksOperation(lock.mode, 'SELECT') || blocksOperation(lock.mode, 'INSERT');

/** A held lock adds impact unless the slow statement itself already blocks as much on that table. */
function addsImpact(heldMode: LockMode, relation: RelationName, slow: readonly TableLock[]): boolean {
  const own = slow.find((lock) => sameRelation(lock.relation, relation));
  return !own || blockedOperations(heldMode).some((operation) => !blockedOperations(own.mode).includes(operation));
}

/**
 * One entry per relation, in the order of the groups (`orders` and `public.orders` are one, under the first
 * spelling), marked when any of its groups is in the strongest mode.
 */
function heldRelations(groups: readonly LockGroup[], strongestMode: LockMode): HeldRelation[] {
  const relations: HeldRelation[] = [];
  for (const group of groups) {
    const strongest = group.mode === strongestMode;
    const known = relations.find((held) => sameRelation(held.relation, group.relation));
    if (known) known.strongest ||= strongest;
    else relations.push({ relation: group.relation, objectKind: group.locks[0]!.lock.objectKind, strongest });
  }
  return relations;
}
