/**
 * Measures which operations of other sessions a held lock really blocks: a probe connection runs
 * each operation on the table inside its own transaction (always rolled back), and a monitor
 * connection watches `pg_blocking_pids` — the probe counts as blocked only when it waits on the
 * traced session. The probes of a round run side by side on several probe connections, under one
 * monitor loop that watches (and cancels) them all. Validated on PostgreSQL 13–18 (postgres-for-tests.md §4: 2064/2064 probes agreed
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
import { inferredVerdicts, type BlockingProbe } from './blocking';
import { processId } from './connection';
import type { Queryable } from './serial';
import { PROBED_OPERATIONS, type ProbedOperation, type TableBlocking } from './report';

/** How often the monitor looks at the probes: a round lasts a few looks, and it delays every statement after it. */
const POLL_MS = 1;
/**
 * How long a probe may wait on a session other than the traced one (staging traffic) before its
 * verdict falls back to the inferred one; a probe that waits on the traced session is cancelled as
 * soon as the monitor sees it, so this only bounds the wait on others.
 */
const PROBE_LOCK_TIMEOUT_MS = 1_000;
/** SQLSTATEs lock_not_available (lock_timeout expired) and query_canceled. */
const LOCK_NOT_AVAILABLE = '55P03';
const QUERY_CANCELED = '57014';

type ProbeOutcome = 'blocked' | 'not-blocked' | 'unknown';

export interface ProbeSessions {
  /** Run the probe statements, one each at a time; more sessions, more probes side by side. Still connecting while the first statement runs. */
  probes: Promise<readonly pg.Client[]>;
  /** Watches and cancels the probes; never blocked itself (catalog queries only). */
  monitor: Queryable;
  /** The backend whose locks are measured. */
  holderPid: number;
}

type ProbeStatements = Partial<Record<ProbedOperation, string>>;

/** The probe statements for a table (already quoted, e.g. `public.orders`); UPDATE needs a column. */
export async function probeStatements(monitor: Queryable, table: string): Promise<ProbeStatements> {
  return statementsFor(table, (await firstColumns(monitor, [table])).get(table) ?? null);
}

function statementsFor(table: string, column: string | null): ProbeStatements {
  return {
    SELECT: `SELECT * FROM ${table} LIMIT 1`,
    INSERT: `INSERT INTO ${table} SELECT FROM ${table} WHERE false`,
    ...(column === null ? {} : { UPDATE: `UPDATE ${table} SET ${column} = DEFAULT WHERE false` }),
    DELETE: `DELETE FROM ${table} WHERE false`,
    DDL: `LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`,
  };
}

/** The first column (quoted) of several tables, in one round trip; null for a table without columns. */
async function firstColumns(monitor: Queryable, tables: readonly string[]): Promise<Map<string, string | null>> {
  const { rows } = await monitor.query<{ table: string; column: string | null }>(
    `SELECT t.name AS table, (SELECT quote_ident(attname) FROM pg_attribute
       WHERE attrelid = t.name::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum LIMIT 1) AS column
     FROM unnest($1::text[]) AS t(name)`,
    [tables],
  );
  return new Map(rows.map(({ table, column }) => [table, column]));
}

/** A probe running on one probe session; the monitor sets `blocked` when it sees it wait on the holder. */
interface Running {
  blocked: boolean;
}

/** A probe statement, or undefined where the table has none for the operation (UPDATE without a column). */
type ProbeJob = Promise<string | undefined>;

/**
 * Runs the probe statements, as many at a time as there are probe sessions, each in its own
 * transaction (always rolled back), and tells for each whether it waited on the holder.
 * `rollbacks` carries, from one round to the next, the ROLLBACK each probe session sent last without
 * waiting for it.
 */
async function runProbes({ probes, monitor, holderPid }: ProbeSessions, jobs: readonly ProbeJob[], signal: AbortSignal, rollbacks: Map<pg.Client, Promise<unknown>>): Promise<ProbeOutcome[]> {
  const outcomes: ProbeOutcome[] = [];
  const running = new Map<number, Running>();
  let polling: Promise<unknown> = Promise.resolve();
  let next = 0;

  const work = async (probe: pg.Client) => {
    const pid = processId(probe);
    // A connection lost since shows here, before a probe could mistake its error for a verdict.
    await rollbacks.get(probe);
    rollbacks.delete(probe);
    // After a failed probe its transaction is aborted (holding no lock): the next probe's round trip ends it.
    let aborted = false;
    while (next < jobs.length) {
      signal.throwIfAborted();
      const index = next++;
      const sql = await jobs[index]!;
      if (sql === undefined) {
        outcomes[index] = 'unknown';
        continue;
      }
      const state: Running = { blocked: false };
      running.set(pid, state);
      // One round trip, whether the lock is granted or not.
      const sent: Promise<unknown> = probe.query(`${aborted ? 'ROLLBACK; ' : ''}BEGIN; SET LOCAL lock_timeout = ${PROBE_LOCK_TIMEOUT_MS}; ${sql}; ROLLBACK`);
      kick();
      const failure: (Error & { code?: string }) | undefined = await sent.then(
        () => undefined,
        (error: Error & { code?: string }) => error,
      );
      running.delete(pid);
      // A look in flight may still mark this probe (and cancel it): wait, so it cannot cancel the next one.
      await polling;
      aborted = failure !== undefined;
      outcomes[index] = outcomeOf(state, failure);
    }
    if (aborted) {
      // Sent, not waited for: the next round (or closing the connection) ends up behind it anyway.
      const rollback = probe.query('ROLLBACK');
      rollback.catch(() => {});
      rollbacks.set(probe, rollback);
    }
  };

  let done = false;
  // The pause between looks ends early when a probe is sent (it is seen waiting one look sooner) or the round ends.
  let kicked = false;
  let wake = () => {};
  const kick = () => {
    kicked = true;
    wake();
  };
  const pause = () =>
    new Promise<void>((resolve) => {
      if (kicked) return resolve();
      const timer = setTimeout(resolve, POLL_MS);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const watch = async () => {
    while (!done) {
      kicked = false;
      const watched = new Map(running);
      if (watched.size > 0) {
        // CASE orders the calls: cancel exactly the probes that wait on the holder, in the same look.
        const look = monitor.query<{ pid: number }>(
          `SELECT pid FROM unnest($1::int[]) AS pid
           WHERE CASE WHEN $2::int = ANY (pg_blocking_pids(pid)) THEN pg_cancel_backend(pid) IS NOT NULL ELSE false END`,
          [[...watched.keys()], holderPid],
        );
        polling = look.catch(() => {});
        const { rows } = await look;
        for (const { pid } of rows) watched.get(pid)!.blocked = true;
      }
      await pause();
    }
  };

  const watching = watch();
  try {
    const workers = await Promise.allSettled((await probes).slice(0, jobs.length).map(work));
    const failed = workers.find((worker) => worker.status === 'rejected');
    if (failed) throw failed.reason;
    // A probe the user's cancel stopped tells nothing.
    signal.throwIfAborted();
  } finally {
    done = true;
    kick();
    await watching.catch(() => {});
  }
  return outcomes;
}

function outcomeOf(probe: Running, failure: (Error & { code?: string }) | undefined): ProbeOutcome {
  if (probe.blocked) return 'blocked';
  if (failure === undefined) return 'not-blocked';
  // It waited on someone else until lock_timeout, or someone else cancelled it: it cannot tell.
  if (failure.code === LOCK_NOT_AVAILABLE || failure.code === QUERY_CANCELED) return 'unknown';
  // Any other error of the server (a constraint, a permission) came after the lock was granted; one of
  // the connection (a server's error carries its severity) is no verdict.
  if (typeof (failure as { severity?: unknown }).severity === 'string') return 'not-blocked';
  throw failure;
}

/**
 * The order of a round: UPDATE after the others, as it may wait for its column to be looked up; DDL
 * last, as a waiting ACCESS EXCLUSIVE request queues the others behind it.
 */
const ROUND_ORDER: readonly ProbedOperation[] = ['SELECT', 'INSERT', 'DELETE', 'UPDATE', 'DDL'];

/** A BlockingProbe that measures every operation on every table, inferring only where a probe cannot tell. */
export function measuringProbe(sessions: ProbeSessions, signal: AbortSignal): BlockingProbe {
  const columns = new Map<string, Promise<string | null>>();
  const rollbacks = new Map<pg.Client, Promise<unknown>>();
  return async (held, onTable) => {
    const missing = held.map(({ table }) => table).filter((table) => !columns.has(table));
    if (missing.length > 0) {
      // Looked up while the probes that need no column run.
      const lookup = firstColumns(sessions.monitor, missing);
      for (const table of missing) {
        const column = lookup.then((found) => found.get(table) ?? null);
        column.catch(() => {});
        columns.set(table, column);
      }
    }
    held.forEach(({ table }) => onTable(table));
    const jobs = ROUND_ORDER.flatMap((operation) =>
      held.map(({ table }) => ({
        table,
        operation,
        sql: operation === 'UPDATE' ? columns.get(table)!.then((column) => statementsFor(table, column).UPDATE) : Promise.resolve(statementsFor(table, null)[operation]),
      })),
    );
    const outcomes = await runProbes(sessions, jobs.map((job) => job.sql), signal, rollbacks);
    return held.map(({ table, strongestMode }): TableBlocking => ({
      table,
      strongestMode,
      operations: inferredVerdicts(strongestMode).map((inferred) => {
        const index = jobs.findIndex((job) => job.table === table && job.operation === inferred.operation);
        const outcome = outcomes[index] ?? 'unknown';
        return outcome === 'unknown' ? inferred : { operation: inferred.operation, blocked: outcome === 'blocked', evidence: 'measured' };
      }),
    }));
  };
}
