/**
 * Which traffic of other sessions waits on the locks a migration holds so far, predicted from the
 * conflict matrix (docs §13.3.1). A lock on an index counts for its table: the planner opens every
 * index of a table it reads (ACCESS SHARE) or writes (ROW EXCLUSIVE).
 */
import { conflicts, LOCK_MODES, type LockMode } from '../locks/lock-modes';
import { PROBED_OPERATIONS, type OperationVerdict, type ProbedOperation, type TableBlocking, type TracedLock } from './report';

/** The lock each probed operation requests on its table. */
export const OPERATION_MODES: Readonly<Record<ProbedOperation, LockMode>> = {
  SELECT: 'ACCESS SHARE',
  INSERT: 'ROW EXCLUSIVE',
  UPDATE: 'ROW EXCLUSIVE',
  DELETE: 'ROW EXCLUSIVE',
  DDL: 'ACCESS EXCLUSIVE',
};

export interface HeldOnTable {
  table: string;
  strongestMode: LockMode;
  /** The table's oid, by which the probes find it as other sessions see it (after a DROP or RENAME in the check's transaction, by its old name). */
  oid?: number;
}

/** The strongest mode held per existing table (its own lock or one of its indexes'); new relations block nobody. */
export function heldByTable(locks: readonly TracedLock[]): HeldOnTable[] {
  const strongest = new Map<string, LockMode>();
  for (const lock of locks) {
    if (lock.createdByMigration || !['table', 'index', 'materialized view', 'partitioned table'].includes(lock.relation.kind)) continue;
    const previous = strongest.get(lock.relation.table);
    if (previous === undefined || LOCK_MODES.indexOf(lock.mode) > LOCK_MODES.indexOf(previous)) strongest.set(lock.relation.table, lock.mode);
  }
  return [...strongest].map(([table, strongestMode]) => ({ table, strongestMode })).sort((a, b) => a.table.localeCompare(b.table));
}

/**
 * What the measured verdicts on each locked table depend on: the locks held on the table and its
 * indexes — and for a table with inheritance children or partitions, which its probes read too, every
 * lock held. A table whose key did not change since its last probe would get the same verdicts.
 */
function probeKeys(locks: readonly TracedLock[], withChildren: ReadonlySet<string>): Map<string, string> {
  const existing = locks.filter((lock) => !lock.createdByMigration);
  const describe = (subset: readonly TracedLock[]) => subset.map((lock) => `${lock.relation.name} ${lock.mode}`).sort().join(', ');
  const every = describe(existing);
  const tables = new Set(existing.map((lock) => lock.relation.table));
  return new Map([...tables].map((table) => [table, withChildren.has(table) ? every : describe(existing.filter((lock) => lock.relation.table === table))]));
}

export function inferredVerdicts(mode: LockMode): OperationVerdict[] {
  return PROBED_OPERATIONS.map((operation) => ({ operation, blocked: conflicts(mode, OPERATION_MODES[operation]), evidence: 'inferred' }));
}

export function inferBlocking(held: readonly HeldOnTable[]): TableBlocking[] {
  return held.map(({ table, strongestMode }) => ({ table, strongestMode, operations: inferredVerdicts(strongestMode) }));
}

/** Measures (or infers) the blocking of the locks held so far; the trace calls it after each statement. */
export type BlockingProbe = (held: readonly HeldOnTable[], onTable: (table: string) => void) => Promise<TableBlocking[]>;

export const inferOnly: BlockingProbe = async (held) => inferBlocking(held);

export const isBlocking = (blocking: readonly TableBlocking[]) => blocking.some((table) => table.operations.some((verdict) => verdict.blocked && verdict.operation !== 'DDL'));

/**
 * The blocking of the locks held after each statement, probing again only the tables whose locks
 * changed since their last probe.
 */
export function probingWhenChanged(
  probe: BlockingProbe,
): (locksHeld: readonly TracedLock[], withChildren: ReadonlySet<string>, onTable: (table: string) => void, oidOf?: (table: string) => number | undefined) => Promise<TableBlocking[]> {
  const probed = new Map<string, { key: string; blocking: TableBlocking }>();
  return async (locksHeld, withChildren, onTable, oidOf) => {
    const keys = probeKeys(locksHeld, withChildren);
    const held = heldByTable(locksHeld).map((entry) => ({ ...entry, oid: oidOf?.(entry.table) }));
    const changed = held.filter(({ table }) => probed.get(table)?.key !== keys.get(table));
    if (changed.length > 0) for (const blocking of await probe(changed, onTable)) probed.set(blocking.table, { key: keys.get(blocking.table)!, blocking });
    return held.map(({ table }) => probed.get(table)!.blocking);
  };
}
