/**
 * Measures which operations of other sessions a held lock really blocks: a probe connection runs
 * each operation on the table inside its own transaction (always rolled back), and a monitor
 * watches `pg_blocking_pids` — the probe counts as blocked only when it waits on the traced session.
 * The monitor is the traced session itself, idle between statements while the probes run. A round's
 * probes are pipelined on one probe connection: sent together, the server runs them one after another
 * with no round trip in between, and the monitor cancels each one that waits on the holder. Validated on PostgreSQL 13–18 (docs/staging-measurements.md §4: 2064/2064 probes agreed
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
import type { ProbedOperation, TableBlocking } from './report';

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
  /**
   * Runs the probe statements: a pipelined connection (`pipeline: true`), so a round's probes are sent
   * together and the server runs them one after another, with no round trip between them. Still
   * connecting while the first statement runs.
   */
  probe: Promise<pg.Client>;
  /** Watches and cancels the probes; never blocked itself (catalog queries only). The traced session, idle while they run. */
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

/** A probe statement, or undefined where the table has none for the operation (UPDATE without a column). */
type ProbeJob = Promise<string | undefined>;

/** How a probe ended: no statement to run, done, or the server's error (query_canceled when the monitor stopped it). */
type ProbeEnd = { kind: 'none' } | { kind: 'done' } | { kind: 'failed'; error: Error & { code?: string } };

/**
 * Runs the probe statements in order, each in its own transaction (always rolled back), and tells for
 * each whether it waited on the holder. The monitor looks at the probe session again and again, and
 * cancels it while it waits on the holder — and only then: a probe that fails with
 * query_canceled is one the monitor stopped, so it was blocked, as long as nobody else cancelled it
 * (more such failures than the monitor's cancels, and none of them can tell).
 */
async function runProbes({ probe: connecting, monitor, holderPid }: ProbeSessions, jobs: readonly ProbeJob[], signal: AbortSignal): Promise<ProbeOutcome[]> {
  const probe = await connecting;
  const pid = processId(probe);
  let cancels = 0;
  let done = false;
  // The pause between looks ends early when a probe is sent or ends: the next one may wait already.
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
      // CASE orders the calls: cancel the probe exactly when it waits on the holder, in the same look.
      const { rows } = await monitor.query<{ cancelled: boolean }>(`SELECT CASE WHEN $2::int = ANY (pg_blocking_pids($1)) THEN pg_cancel_backend($1) ELSE false END AS cancelled`, [pid, holderPid]);
      if (rows[0]?.cancelled) cancels++;
      await pause();
    }
  };

  const ends: Promise<ProbeEnd>[] = [];
  const watching = watch();
  try {
    for (const job of jobs) {
      signal.throwIfAborted();
      const sql = await job;
      if (sql === undefined) {
        ends.push(Promise.resolve({ kind: 'none' }));
        continue;
      }
      // Sent without waiting for the one before. ROLLBACK first: the transaction of a probe that failed
      // is still open (aborted, holding no lock), and outside a transaction it only warns.
      const sent = probe.query(`ROLLBACK; BEGIN; SET LOCAL lock_timeout = ${PROBE_LOCK_TIMEOUT_MS}; ${sql}; ROLLBACK`);
      ends.push(
        sent.then(
          (): ProbeEnd => (kick(), { kind: 'done' }),
          (error: Error & { code?: string }): ProbeEnd => (kick(), { kind: 'failed', error }),
        ),
      );
      kick();
    }
    const settled = await Promise.all(ends);
    if (settled.at(-1)?.kind === 'failed') {
      // Ends the last failed probe's transaction; whatever uses the session next queues behind it.
      probe.query('ROLLBACK').catch(() => {});
    }
    // A probe the user's cancel stopped tells nothing.
    signal.throwIfAborted();
    done = true;
    kick();
    await watching;
    const stopped = settled.filter((end) => end.kind === 'failed' && end.error.code === QUERY_CANCELED).length;
    return settled.map((end) => outcomeOf(end, stopped <= cancels));
  } finally {
    done = true;
    kick();
    await watching.catch(() => {});
  }
}

/** `monitorStopped`: every query_canceled failure of the round was the monitor's doing. */
function outcomeOf(end: ProbeEnd, monitorStopped: boolean): ProbeOutcome {
  if (end.kind === 'none') return 'unknown';
  if (end.kind === 'done') return 'not-blocked';
  const { error } = end;
  if (error.code === QUERY_CANCELED) return monitorStopped ? 'blocked' : 'unknown';
  // It waited on someone else until lock_timeout: it cannot tell.
  if (error.code === LOCK_NOT_AVAILABLE) return 'unknown';
  // Any other error of the server (a constraint, a permission) came after the lock was granted; one of
  // the connection (a server's error carries its severity) is no verdict.
  if (typeof (error as { severity?: unknown }).severity === 'string') return 'not-blocked';
  throw error;
}

/** The order of a round: UPDATE after the others, as it may wait for its column to be looked up. */
const ROUND_ORDER: readonly ProbedOperation[] = ['SELECT', 'INSERT', 'DELETE', 'UPDATE', 'DDL'];

/**
 * The tables as other sessions see them, by oid, with their first column, asked on the probe session:
 * a table the migration dropped or renamed still has its old name there (the change is not committed),
 * and one the check created in its transaction is not there at all.
 */
async function visibleTables(probe: pg.Client, oids: readonly number[]): Promise<Map<number, { name: string; column: string | null }>> {
  if (oids.length === 0) return new Map();
  const { rows } = await probe.query<{ oid: string; name: string; column: string | null }>(
    `SELECT c.oid::int8 AS oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name,
       (SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum LIMIT 1) AS column
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ANY ($1::oid[])`,
    [oids],
  );
  return new Map(rows.map((row) => [Number(row.oid), { name: row.name, column: row.column }]));
}

/** A BlockingProbe that measures every operation on every table, inferring only where a probe cannot tell. */
export function measuringProbe(sessions: ProbeSessions, signal: AbortSignal): BlockingProbe {
  return async (held, onTable) => {
    const probe = await sessions.probe;
    const oids = held.flatMap(({ oid }) => (oid === undefined ? [] : [oid]));
    const visible = await visibleTables(probe, oids);
    // Tables other sessions cannot see (created in the check's transaction) have no traffic to measure.
    const probed = held.flatMap((entry) => {
      const seen = entry.oid === undefined ? undefined : visible.get(entry.oid);
      return seen ? [{ ...entry, seen }] : [];
    });
    probed.forEach(({ table }) => onTable(table));
    const jobs = ROUND_ORDER.flatMap((operation) =>
      probed.map(({ table, seen }) => ({ table, operation, sql: Promise.resolve(statementsFor(seen.name, seen.column)[operation]) })),
    );
    const outcomes = jobs.length === 0 ? [] : await runProbes(sessions, jobs.map((job) => job.sql), signal);
    return held.map(({ table, strongestMode }): TableBlocking => ({
      table,
      strongestMode,
      operations: inferredVerdicts(strongestMode).map((inferred) => {
        const index = jobs.findIndex((job) => job.table === table && job.operation === inferred.operation);
        const outcome = index < 0 ? 'unknown' : (outcomes[index] ?? 'unknown');
        return outcome === 'unknown' ? inferred : { operation: inferred.operation, blocked: outcome === 'blocked', evidence: 'measured' };
      }),
    }));
  };
}
