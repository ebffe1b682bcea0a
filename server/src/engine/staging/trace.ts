/**
 * The lock trace: one session, one transaction that is always rolled back, every statement snapshotted
 * before and after, and the blocking of the locks held measured (or inferred) after each one.
 * Engine-neutral: a `pg` connection to staging or PGlite in a worker.
 *
 * The migration's own transactions (a COMMIT in the file, autocommit statements, the runner's
 * transactions) are segments: in production each one's locks end with its COMMIT. The check never
 * commits, so it keeps running in its one transaction and measures each segment against what the
 * earlier segments still hold: a segment's locks are the lock modes pg_locks shows beyond those, and
 * a probe that an earlier segment's lock would block by itself is replaced by the verdict inferred
 * from the segment's own lock (docs/staging-check.md, "Transaction segments").
 */
import { conflicts, LOCK_MODES, type LockMode } from '../locks/lock-modes';
import type { Work } from '../locks/statement-locks';
import { OPERATION_MODES, inferredVerdicts, probingWhenChanged, type BlockingProbe } from './blocking';
import type { PlannedStatement } from './plan';
import type { Blocker, CheckOutcome, CheckProgress, Duration, KnownLock, ProductionEstimate, StatementError, StatementResult, TableBlocking, TracedLock } from './report';
import { lookupTable } from './sizes';
import { diffSnapshots, rememberRelations, tablesWithChildren, takeSnapshot, type DiffContext, type Snapshot, type SqlSession, type StatementDiff } from './snapshot';

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

type RelationFirstSeen = DiffContext['firstSeen'] extends ReadonlyMap<number, infer V> ? V : never;

/** One of the migration's transactions, as far as the trace has run it. */
interface Segment {
  id: number;
  context: DiffContext;
  /** Locks the documentation adds for modes an earlier segment already held (see TracedLock.evidence). */
  documented: Map<string, TracedLock>;
  blockingOf: ReturnType<typeof probingWhenChanged>;
}

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
    const firstSeen = new Map<number, RelationFirstSeen>();
    rememberRelations(before, firstSeen);
    // Relations the migration creates have no traffic yet, even after their transaction commits.
    const existing = new Set(before.relations.keys());
    let segment: Segment | undefined;
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
          // A timed equivalent leaves statistics and locks behind: the next statement starts from a new snapshot.
          before = undefined;
          results.push({ ...stripPlan(step), status: 'not-run', reason: await skippedReason(backend, signal, step), knownLocks: step.knownLocks });
          continue;
        }
        before ??= await takeSnapshot(session);
        if (segment?.id !== step.segment) segment = startSegment(step.segment, before, backend.probe, { existing, firstSeen });
        const duration = await timed(backend, session.query(step.text));
        const after = await takeSnapshot(session);
        rememberRelations(after, firstSeen);
        const oidOf = tableOids(firstSeen);
        const diff = withDocumentedLocks(diffSnapshots(before, after, segment.context), step.documentedLocks, segment, oidOf);
        before = after;
        const measured = await segment.blockingOf(diff.locksHeld, tablesWithChildren(after), (table) => onProgress({ kind: 'probing', n: i + 1, total: plan.length, table }), (table) => oidOf.get(table));
        const blocking = withoutEarlierSegments(measured, segment, firstSeen);
        const { dropped, renamed, ...work } = diff;
        results.push({
          ...stripPlan(step),
          status: 'traced',
          trace: { ...work, duration, blocking, estimate: PENDING_ESTIMATE, segment: step.segment, documentedWork: heaviestWork(step.documentedLocks), ...(dropped.length > 0 ? { dropped } : {}), ...(renamed.length > 0 ? { renamed } : {}) },
        });
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

/** A segment starts from the locks the check holds now: in production, the earlier segments have committed and released them. */
function startSegment(id: number, start: Snapshot, probe: BlockingProbe, { existing, firstSeen }: Pick<DiffContext, 'existing' | 'firstSeen'>): Segment {
  return {
    id,
    context: { existing, earlierSegments: new Map([...start.modes].map(([oid, modes]) => [oid, new Set(modes)])), firstSeen },
    documented: new Map(),
    blockingOf: probingWhenChanged(probe),
  };
}

/** Label name → oid of every relation the trace has seen (by the name it had when first seen). */
function tableOids(firstSeen: ReadonlyMap<number, RelationFirstSeen>): Map<string, number> {
  const oids = new Map<string, number>();
  for (const [oid, label] of firstSeen) if (!oids.has(label.name)) oids.set(label.name, oid);
  return oids;
}

/**
 * Adds the documented locks of the statement on relations where an earlier segment already holds the
 * same mode: pg_locks shows one row per mode, so the statement's own request is invisible there.
 */
function withDocumentedLocks(diff: StatementDiff, documentedLocks: readonly KnownLock[], segment: Segment, oids: ReadonlyMap<string, number>): StatementDiff {
  for (const known of documentedLocks) {
    const oid = lookupTable(oids, known.relation);
    const relation = oid === undefined ? undefined : segment.context.firstSeen.get(oid);
    if (oid === undefined || !relation || !segment.context.earlierSegments.get(oid)?.has(known.mode)) continue;
    const label = { name: relation.name, kind: relation.kind, table: relation.table };
    const lock: TracedLock = { relation: label, mode: known.mode, createdByMigration: !segment.context.existing.has(oid), evidence: 'documentation' };
    const previous = segment.documented.get(label.name);
    if (previous && rank(previous.mode) >= rank(known.mode)) continue;
    segment.documented.set(label.name, lock);
    if (!diff.locksAcquired.some((seen) => seen.relation.name === label.name && rank(seen.mode) >= rank(known.mode))) diff.locksAcquired.push(lock);
  }
  for (const lock of segment.documented.values()) {
    const index = diff.locksHeld.findIndex((seen) => seen.relation.name === lock.relation.name);
    if (index < 0) diff.locksHeld.push(lock);
    else if (rank(lock.mode) > rank(diff.locksHeld[index]!.mode)) diff.locksHeld[index] = lock;
  }
  const byName = (a: TracedLock, b: TracedLock) => a.relation.name.localeCompare(b.relation.name);
  return { ...diff, locksAcquired: diff.locksAcquired.sort(byName), locksHeld: diff.locksHeld.sort(byName) };
}

/**
 * A probe on a table where an earlier segment of the check still holds a lock measures that lock too;
 * where that lock alone would make the operation wait, the verdict is the one the segment's own
 * lock gets from the conflict matrix.
 */
function withoutEarlierSegments(blocking: readonly TableBlocking[], segment: Segment, firstSeen: ReadonlyMap<number, RelationFirstSeen>): TableBlocking[] {
  const earlier = new Map<string, LockMode>();
  for (const [oid, modes] of segment.context.earlierSegments) {
    const label = firstSeen.get(oid);
    if (!label) continue;
    const table = label.name.startsWith('pg_toast.') ? firstSeen.get(label.tableOid)?.name : label.table;
    if (table === undefined) continue;
    for (const mode of modes) if (!earlier.has(table) || rank(mode) > rank(earlier.get(table)!)) earlier.set(table, mode);
  }
  return blocking.map((table) => {
    const held = earlier.get(table.table);
    if (held === undefined) return table;
    const inferred = inferredVerdicts(table.strongestMode);
    return { ...table, operations: table.operations.map((verdict, i) => (conflicts(held, OPERATION_MODES[verdict.operation]) ? inferred[i]! : verdict)) };
  });
}

const rank = (mode: LockMode) => LOCK_MODES.indexOf(mode);

const WORK_ORDER: readonly Work[] = ['instant', 'rows', 'scan', 'index-build', 'rewrite'];
const heaviestWork = (locks: readonly KnownLock[]): Work | undefined =>
  locks.reduce<Work | undefined>((heaviest, lock) => (heaviest === undefined || WORK_ORDER.indexOf(lock.work) > WORK_ORDER.indexOf(heaviest) ? lock.work : heaviest), undefined);

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

/**
 * Runs the in-transaction equivalent of a CONCURRENTLY statement inside a savepoint, timed where
 * timings mean something. Its effect (the index) is kept, so that later statements that use it (ADD
 * CONSTRAINT … USING INDEX) run as in production; if it fails, the savepoint is rolled back.
 */
async function skippedReason(backend: TraceBackend, signal: AbortSignal, step: Extract<PlannedStatement, { action: 'skip' }>): Promise<Extract<StatementResult, { status: 'not-run' }>['reason']> {
  if (step.reason.kind !== 'non-transactional') return step.reason;
  if (step.equivalent === undefined) return { ...step.reason, equivalent: undefined };
  await backend.session.query(`SAVEPOINT ${SAVEPOINT}`);
  let kept = false;
  try {
    const duration = await timed(backend, backend.session.query(step.equivalent)).then(
      (measured) => ((kept = true), measured),
      (error: unknown): Duration => {
        if (signal.aborted) throw error;
        return { kind: 'not-measured', reason: `its in-transaction form failed: ${statementError(error, []).message}` };
      },
    );
    if (!backend.timing.measured) return { ...step.reason, equivalent: undefined };
    return { ...step.reason, equivalent: { text: step.equivalent, duration, estimate: PENDING_ESTIMATE } };
  } finally {
    await backend.session.query(kept ? `RELEASE SAVEPOINT ${SAVEPOINT}` : `ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
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
