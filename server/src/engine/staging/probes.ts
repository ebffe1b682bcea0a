/**
 * Measures which operations of other sessions a held lock really blocks: a probe connection runs
 * each operation on the table inside its own transaction (always rolled back), and a monitor
 * connection watches `pg_blocking_pids` — the probe counts as blocked only when it waits on the
 * traced session. Validated on PostgreSQL 13–18 (postgres-for-tests.md §4: 2064/2064 probes agreed
 * with the conflict matrix).
 *
 * The statements fit any table (an FK parent, identity or generated columns, …) without knowing its
 * columns or data, change nothing, and wait exactly when real DML does: PostgreSQL takes a statement's
 * table lock when it parses it (ACCESS SHARE for SELECT, ROW EXCLUSIVE for INSERT, UPDATE, DELETE),
 * before it looks at a row, and the planner opens every index of the table. On PostgreSQL 13–18 they
 * were blocked by exactly the same locks as row-changing DML (the 8 lock modes, CREATE INDEX, ANALYZE,
 * REINDEX INDEX, ADD COLUMN, ADD FOREIGN KEY on the parent, ACCESS EXCLUSIVE on an index alone;
 * test/postgres/lock-facts.test.ts uses them too):
 * - SELECT: `SELECT * FROM t LIMIT 1`;
 * - INSERT: `INSERT INTO t SELECT FROM t WHERE false`: no row, no column set; reading t makes the
 *   planner open its indexes, which INSERT itself only does for a row since PostgreSQL 14;
 * - UPDATE: `UPDATE t SET <first column> = DEFAULT WHERE false` (DEFAULT fits every kind of column);
 * - DELETE: `DELETE FROM t WHERE false`;
 * - DDL: `LOCK TABLE t IN ACCESS EXCLUSIVE MODE`, what ALTER TABLE and DROP request.
 * Left out on purpose is what depends on the rows: row locks (an UPDATE of a row the migration
 * changed) and foreign-key triggers (a DELETE on a parent also locks the referencing table).
 */
import type pg from 'pg';
import { inferredVerdicts, type BlockingProbe, type HeldOnTable } from './blocking';
import type { Queryable } from './serial';
import { PROBED_OPERATIONS, type OperationVerdict, type ProbedOperation, type TableBlocking } from './report';

/** How often the monitor looks at the probe, and how long a probe may wait on someone else. */
const POLL_MS = 3;
const PROBE_LOCK_TIMEOUT_MS = 2_000;

export type ProbeOutcome = 'blocked' | 'not-blocked' | 'unknown';

export interface ProbeSessions {
  /** Runs the probe statements. */
  probe: pg.Client;
  /** Watches and cancels the probe; never blocked itself (catalog queries only). */
  monitor: Queryable;
  /** The backend whose locks are measured. */
  holderPid: number;
}

/** The probe statements for a table (already quoted, e.g. `public.orders`); UPDATE needs a column. */
export async function probeStatements(monitor: Queryable, table: string): Promise<Partial<Record<ProbedOperation, string>>> {
  const { rows } = await monitor.query<{ name: string }>(
    `SELECT quote_ident(attname) AS name FROM pg_attribute
     WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum LIMIT 1`,
    [table],
  );
  const column = rows[0]?.name;
  return {
    SELECT: `SELECT * FROM ${table} LIMIT 1`,
    INSERT: `INSERT INTO ${table} SELECT FROM ${table} WHERE false`,
    ...(column === undefined ? {} : { UPDATE: `UPDATE ${table} SET ${column} = DEFAULT WHERE false` }),
    DELETE: `DELETE FROM ${table} WHERE false`,
    DDL: `LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`,
  };
}

/** Runs `sql` in the probe session and tells whether it waited on the holder. */
export async function probeOnce({ probe, monitor, holderPid }: ProbeSessions, sql: string): Promise<ProbeOutcome> {
  const probePid = (probe as unknown as { processID: number }).processID;
  // One round trip: the probes are most of the check's fixed cost.
  await probe.query(`BEGIN; SET LOCAL lock_timeout = ${PROBE_LOCK_TIMEOUT_MS}`);
  try {
    let settled: { ok: true } | { ok: false; code: string | undefined } | undefined;
    const run = probe.query(sql).then(
      () => void (settled = { ok: true }),
      (error: { code?: string }) => void (settled = { ok: false, code: error.code }),
    );
    let blockedByHolder = false;
    while (settled === undefined) {
      const { rows } = await monitor.query<{ blockers: number[] }>('SELECT pg_blocking_pids($1) AS blockers', [probePid]);
      if (settled !== undefined) break;
      if (rows[0]?.blockers.includes(holderPid)) {
        blockedByHolder = true;
        await monitor.query('SELECT pg_cancel_backend($1)', [probePid]);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    await run;
    if (blockedByHolder) return 'blocked';
    // Any other error (a constraint, a permission) came after the lock was granted: not blocked. 55P03: someone else held it.
    return settled !== undefined && !settled.ok && settled.code === '55P03' ? 'unknown' : 'not-blocked';
  } finally {
    await probe.query('ROLLBACK');
  }
}

/** A BlockingProbe that measures every operation on every table, inferring only where a probe cannot tell. */
export function measuringProbe(sessions: ProbeSessions, signal: AbortSignal): BlockingProbe {
  return async (held: readonly HeldOnTable[], onTable) => {
    const result: TableBlocking[] = [];
    for (const { table, strongestMode } of held) {
      onTable(table);
      const statements = await probeStatements(sessions.monitor, table);
      const inferred = inferredVerdicts(strongestMode);
      const operations: OperationVerdict[] = [];
      for (const operation of PROBED_OPERATIONS) {
        signal.throwIfAborted();
        const sql = statements[operation];
        const outcome = sql === undefined ? 'unknown' : await probeOnce(sessions, sql);
        operations.push(outcome === 'unknown' ? inferred.find((verdict) => verdict.operation === operation)! : { operation, blocked: outcome === 'blocked', evidence: 'measured' });
      }
      result.push({ table, strongestMode, operations });
    }
    return result;
  };
}
