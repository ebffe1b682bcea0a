/**
 * The lock trace: one session, one transaction, every statement snapshotted before and after, the
 * blocking of the locks held so far measured (or inferred) after each one — and the transaction
 * always rolled back. Engine-neutral: a `pg` connection to staging or PGlite in a worker.
 */
import { probingWhenChanged, type BlockingProbe } from './blocking';
import type { PlannedStatement } from './plan';
import type { Blocker, CheckOutcome, CheckProgress, Duration, ProductionEstimate, StatementError, StatementResult } from './report';
import { diffSnapshots, tablesWithChildren, takeSnapshot, type Snapshot, type SqlSession } from './snapshot';

export interface TraceBackend {
  session: SqlSession;
  /** Settings for the transaction only (`SET LOCAL`): timeouts, production's sort memory (PGlite enforces none). */
  settings: Readonly<Record<string, string>>;
  /** Whether durations mean anything (not on PGlite: WASM, no data). */
  timing: { measured: true } | { measured: false; reason: string };
  probe: BlockingProbe;
  /** Runs while a statement runs and tells who made it wait, if anyone. */
  watchBlockers?: (running: Promise<unknown>) => Promise<Blocker[]>;
  /** What the first statement waits for once the transaction is set up: nothing of the check's own competes with the statements it times. */
  ready?: Promise<unknown>;
}

export interface TraceRun {
  statements: StatementResult[];
  outcome: CheckOutcome;
}

/** Until the estimator replaces it, once the sizes are known after the rollback. */
export const PENDING_ESTIMATE: ProductionEstimate = { kind: 'not-estimated', reason: 'no production sizes' };

const SAVEPOINT = 'lockguard_equivalent';

/**
 * Runs the plan in BEGIN … ROLLBACK. Stops at the first failing statement (the transaction is
 * aborted) or when `signal` aborts; the caller cancels the running query (its own second connection
 * or by ending the worker) and this function's ROLLBACK then ends the transaction.
 */
export async function trace(backend: TraceBackend, plan: readonly PlannedStatement[], signal: AbortSignal, onProgress: (progress: CheckProgress) => void): Promise<TraceRun> {
  const { session } = backend;
  const results: StatementResult[] = [];
  let outcome: CheckOutcome = { kind: 'completed' };
  const begun = session.query('BEGIN');
  // Sent together (one flight on a pipelined connection); a failure of any is the check's problem.
  const setUp = Promise.all([applySettings(session, backend.settings), takeSnapshot(session)]);
  setUp.catch(() => {});
  await begun;
  try {
    // The snapshot after a statement serves as the one before the next: the traced session runs nothing in between.
    let before: Snapshot | undefined = (await setUp)[1];
    const existing = new Set(before.relations.keys());
    const blockingOf = probingWhenChanged(backend.probe);
    await backend.ready;

    for (const [i, step] of plan.entries()) {
      if (outcome.kind !== 'completed') {
        results.push({ ...stripPlan(step), status: 'not-reached' });
        continue;
      }
      if (signal.aborted) {
        outcome = { kind: 'cancelled', statementIndex: step.index };
        results.push({ ...stripPlan(step), status: 'not-reached' });
        continue;
      }
      onProgress({ kind: 'statement', n: i + 1, total: plan.length, label: step.label });
      if (step.action === 'reject') {
        outcome = { kind: 'failed', statementIndex: step.index, message: step.message };
        results.push({ ...stripPlan(step), status: 'failed', error: { code: undefined, message: step.message, hint: undefined, blockers: [] } });
        continue;
      }
      try {
        if (step.action === 'skip') {
          // A timed equivalent leaves statistics behind although its savepoint is rolled back.
          before = undefined;
          results.push({ ...stripPlan(step), status: 'not-run', reason: await skippedReason(backend, signal, step), knownLocks: step.knownLocks });
          continue;
        }
        before ??= await takeSnapshot(session);
        const duration = await timed(backend, session.query(step.text));
        const after = await takeSnapshot(session);
        const diff = diffSnapshots(before, after, existing);
        before = after;
        const blocking = await blockingOf(diff.locksHeld, tablesWithChildren(after), (table) => onProgress({ kind: 'probing', n: i + 1, total: plan.length, table }));
        results.push({ ...stripPlan(step), status: 'traced', trace: { ...diff, duration, blocking, estimate: PENDING_ESTIMATE } });
      } catch (error) {
        if (signal.aborted) {
          outcome = { kind: 'cancelled', statementIndex: step.index };
          results.push({ ...stripPlan(step), status: 'not-reached' });
        } else {
          const failure = statementError(error, (error as { blockers?: Blocker[] }).blockers ?? []);
          outcome = { kind: 'failed', statementIndex: step.index, message: failure.message };
          results.push({ ...stripPlan(step), status: 'failed', error: failure });
        }
      }
    }
  } finally {
    onProgress({ kind: 'rolling-back' });
    // On a lost connection ROLLBACK fails too, and the server rolls back when it notices the disconnect.
    await session.query('ROLLBACK').catch(() => {});
  }
  return { statements: results, outcome };
}

/** One round trip for all of them; `set_config(…, true)` is `SET LOCAL`, and needs no quoting. */
async function applySettings(session: SqlSession, settings: Readonly<Record<string, string>>): Promise<void> {
  const names = Object.keys(settings);
  if (names.length === 0) return;
  await session.query('SELECT set_config(name, value, true) FROM unnest($1::text[], $2::text[]) AS setting(name, value)', [names, Object.values(settings)]);
}

function stripPlan(step: PlannedStatement) {
  const { index, range, start, end, text, label } = step;
  return { index, range, start, end, text, label };
}

/** Runs `running` and measures its wall time; a failure carries the sessions that blocked it. */
async function timed(backend: TraceBackend, running: Promise<unknown>): Promise<Duration> {
  const started = performance.now();
  const watching = backend.watchBlockers?.(running) ?? Promise.resolve([]);
  try {
    await running;
  } catch (error) {
    throw Object.assign(error as object, { blockers: await watching });
  }
  const ms = performance.now() - started;
  // Who blocked a statement matters only when it failed: the trace goes on without waiting for the last look.
  watching.catch(() => {});
  return backend.timing.measured ? { kind: 'measured', ms: Math.round(ms * 10) / 10 } : { kind: 'not-measured', reason: backend.timing.reason };
}

/** Times the in-transaction equivalent of a CONCURRENTLY statement inside a savepoint, which releases its locks again. */
async function skippedReason(backend: TraceBackend, signal: AbortSignal, step: Extract<PlannedStatement, { action: 'skip' }>): Promise<Extract<StatementResult, { status: 'not-run' }>['reason']> {
  if (step.reason.kind !== 'non-transactional') return step.reason;
  if (step.equivalent === undefined || !backend.timing.measured) return { ...step.reason, equivalent: undefined };
  await backend.session.query(`SAVEPOINT ${SAVEPOINT}`);
  try {
    const duration = await timed(backend, backend.session.query(step.equivalent)).catch((error: unknown): Duration => {
      if (signal.aborted) throw error;
      return { kind: 'not-measured', reason: `its in-transaction form failed: ${statementError(error, []).message}` };
    });
    return { ...step.reason, equivalent: { text: step.equivalent, duration, estimate: PENDING_ESTIMATE } };
  } finally {
    await backend.session.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
  }
}

/** SQLSTATEs the user meets here, and what they mean for the check. */
const HINTS: Readonly<Record<string, string>> = {
  '55P03':
    'lock_timeout: another session on staging holds a conflicting lock on this table, so the statement did not get its lock in time. In production it would queue behind that session and every later query on the table would queue behind it. See who holds it in pg_stat_activity and check again when it is gone.',
  '57014': 'statement_timeout: the statement ran longer than the check allows. Raise the statement timeout to measure it, or check it on a smaller staging copy.',
  '25001': 'This statement cannot run inside a transaction block; Lockguard never runs such statements.',
  '25P03': 'idle_in_transaction_session_timeout ended the session: the check stopped sending statements for too long.',
};

function statementError(error: unknown, blockers: Blocker[]): StatementError {
  const { code, message, hint } = error as { code?: string; message?: string; hint?: string };
  const fallback = error instanceof Error ? error.message : String(error);
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  return { code: sqlState, message: message ?? fallback, hint: (sqlState && HINTS[sqlState]) ?? hint, blockers };
}
