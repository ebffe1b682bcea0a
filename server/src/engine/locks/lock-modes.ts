/**
 * Table-level lock modes and the conflict matrix of PostgreSQL's "Explicit Locking" chapter
 * (docs §13.3.1, Table 13.2). The matrix is unchanged from PostgreSQL 8.2 to 18, and the
 * Postgres test suite checks the operations it predicts as blocked against a real server.
 */

export const LOCK_MODES = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;

export type LockMode = (typeof LOCK_MODES)[number];

/** The name `pg_locks.mode` uses for each mode. */
export const PG_LOCKS_NAME: Readonly<Record<LockMode, string>> = {
  'ACCESS SHARE': 'AccessShareLock',
  'ROW SHARE': 'RowShareLock',
  'ROW EXCLUSIVE': 'RowExclusiveLock',
  'SHARE UPDATE EXCLUSIVE': 'ShareUpdateExclusiveLock',
  SHARE: 'ShareLock',
  'SHARE ROW EXCLUSIVE': 'ShareRowExclusiveLock',
  EXCLUSIVE: 'ExclusiveLock',
  'ACCESS EXCLUSIVE': 'AccessExclusiveLock',
};

const CONFLICTS: Readonly<Record<LockMode, readonly LockMode[]>> = {
  'ACCESS SHARE': ['ACCESS EXCLUSIVE'],
  'ROW SHARE': ['EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ROW EXCLUSIVE': ['SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE UPDATE EXCLUSIVE': ['SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  SHARE: ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE ROW EXCLUSIVE': ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  EXCLUSIVE: ['ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ACCESS EXCLUSIVE': [...LOCK_MODES],
};

export function conflicts(held: LockMode, requested: LockMode): boolean {
  return CONFLICTS[held].includes(requested);
}

/** What the application does to a table, and the lock each operation needs on it. */
export const OPERATIONS = {
  SELECT: 'ACCESS SHARE',
  'SELECT FOR UPDATE': 'ROW SHARE',
  INSERT: 'ROW EXCLUSIVE',
  UPDATE: 'ROW EXCLUSIVE',
  DELETE: 'ROW EXCLUSIVE',
  'VACUUM / ANALYZE': 'SHARE UPDATE EXCLUSIVE',
  'other DDL': 'ACCESS EXCLUSIVE',
} as const satisfies Record<string, LockMode>;

export type Operation = keyof typeof OPERATIONS;

/** Rules ask for every lock of every statement: the matrix is read once per mode. */
const BLOCKED_OPERATIONS = new Map<LockMode, readonly Operation[]>(
  LOCK_MODES.map((mode) => [mode, (Object.keys(OPERATIONS) as Operation[]).filter((op) => conflicts(mode, OPERATIONS[op]))]),
);

/** The operations of other sessions that wait while `mode` is held on their table. */
export function blockedOperations(mode: LockMode): Operation[] {
  return [...BLOCKED_OPERATIONS.get(mode)!];
}

/** Whether `mode` makes `operation` wait, without building the list. */
export const blocksOperation = (mode: LockMode, operation: Operation) => conflicts(mode, OPERATIONS[operation]);

/** The plain-language impact users care about: do reads and writes keep going? */
export function trafficImpact(mode: LockMode, where = 'on the table'): string {
  const blocked = new Set(blockedOperations(mode));
  if (blocked.has('SELECT')) return `every read and write ${where} waits`;
  if (blocked.has('INSERT')) return 'writes (INSERT, UPDATE, DELETE) wait; plain reads continue';
  if (blocked.has('SELECT FOR UPDATE')) return 'SELECT … FOR UPDATE/SHARE waits; reads and writes continue';
  if (blocked.has('VACUUM / ANALYZE')) return 'reads and writes continue; only VACUUM, ANALYZE and other DDL wait';
  return 'reads and writes continue';
}
