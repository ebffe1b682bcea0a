/**
 * The result of "Check migration against staging" and the progress it reports while it runs.
 * Shared by the engine, the CLI formats and the VS Code client: changes to this file are additive only.
 */
import type { LockMode } from '../locks/lock-modes';
import type { Work } from '../locks/statement-locks';
import type { OffsetRange, Position } from '../text/positions';

/** What another session does to a table: the probe statements the check runs (DDL = a request for ACCESS EXCLUSIVE). */
export const PROBED_OPERATIONS = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'DDL'] as const;
export type ProbedOperation = (typeof PROBED_OPERATIONS)[number];

/** Where a statement is in the checked file. */
export interface StatementLocation {
  /** 0-based position among the file's statements. */
  index: number;
  /** UTF-16 offsets into the file, as the engine's findings use them. */
  range: OffsetRange;
  /** 0-based line/character (LSP) of the range's start and end. */
  start: Position;
  end: Position;
  /** The statement's text, comments and `;` excluded. */
  text: string;
}

/** A relation as the report names it: `schema.name`, its kind, and for an index or TOAST table the table it belongs to. */
export interface RelationLabel {
  /** Qualified and quoted as SQL writes it, e.g. `public.orders`. */
  name: string;
  kind: 'table' | 'index' | 'sequence' | 'view' | 'materialized view' | 'partitioned table' | 'other';
  /** The table whose traffic a lock on this relation blocks (the relation itself for a table). */
  table: string;
}

/** A lock on a relation; only locks on relations that existed before the migration can block anyone. */
export interface TracedLock {
  relation: RelationLabel;
  mode: LockMode;
  /** Created by this migration, so invisible to other sessions until COMMIT: it blocks nobody. */
  createdByMigration: boolean;
  /**
   * `documentation`: an earlier transaction of the file already held this mode when the statement ran
   * (the check never commits), so pg_locks could not show the statement taking it; the PostgreSQL
   * documentation says it does. Absent: seen in pg_locks.
   */
  evidence?: 'documentation';
}

/** A sequential scan of a whole table by the statement (validation, rewrite, index build). */
export interface FullScan {
  table: string;
  scans: number;
  rowsRead: number;
}

export type Duration = { kind: 'measured'; ms: number } | { kind: 'not-measured'; reason: string };

/**
 * Whether another session's operation on a table waits while the migration's locks are held:
 * `measured` = a second connection ran it and saw it wait on the migration (or finish);
 * `inferred` = from the conflict matrix (embedded PGlite has one session; a probe that could not run).
 */
export interface OperationVerdict {
  operation: ProbedOperation;
  blocked: boolean;
  evidence: 'measured' | 'inferred';
}

/** The traffic on one table that waits until COMMIT because of the locks held so far. */
export interface TableBlocking {
  table: string;
  /** The strongest mode held so far on the table or its indexes. */
  strongestMode: LockMode;
  operations: OperationVerdict[];
}

/** The production run time of a statement, scaled from staging by the kind of work it did. */
export type ProductionEstimate =
  | {
      kind: 'estimated';
      table: string;
      /** How the duration was scaled: by rows, by bytes, or by n·log n of rows (index builds). */
      model: 'linear-rows' | 'linear-bytes' | 'n-log-n';
      stagingRows: number;
      productionRows: number;
      lowMs: number;
      pointMs: number;
      highMs: number;
      /** e.g. "ACCESS EXCLUSIVE on orders for ~3–12 min at 50M rows: every read and write waits". */
      sentence: string;
      /** Why the range is as wide as it is: the extrapolation itself, then production's regime (absent in older reports). */
      adjustments?: EstimateAdjustment[];
    }
  | { kind: 'not-estimated'; reason: string };

/**
 * One widening of an estimate's range: `lowMs = pointMs ÷ (product of lowFactor)`, `highMs = pointMs ×
 * (product of highFactor)`. `reason` is a sentence for people, e.g. "I/O-bound: table 38 GB >
 * effective_cache_size 16 GB → range widened ×3".
 */
export interface EstimateAdjustment {
  kind: 'extrapolation' | 'short-staging-run' | 'io-bound' | 'sort-spill' | 'parallel-workers';
  lowFactor: number;
  highFactor: number;
  reason: string;
}

/** What the trace observed for a statement it ran inside the rolled-back transaction. */
export interface StatementTrace {
  /** Locks the statement itself acquired (new since the previous statement), strongest mode per relation. */
  locksAcquired: TracedLock[];
  /** Every lock the statement's transaction holds after it: they last until that transaction commits. */
  locksHeld: TracedLock[];
  /** Tables (or indexes) whose relfilenode changed: their data was copied (TRUNCATE: a new empty file). */
  rewritten: RelationLabel[];
  fullScans: FullScan[];
  /** Rows inserted, updated and deleted by the statement (pg_stat_xact_user_tables). */
  rowsTouched: number;
  duration: Duration;
  /** Per existing table the migration has locked so far. */
  blocking: TableBlocking[];
  estimate: ProductionEstimate;
  /** Relations the statement dropped (named as the migration found them); others still see them until COMMIT. */
  dropped?: RelationLabel[];
  /** Relations the statement renamed. */
  renamed?: { from: RelationLabel; to: RelationLabel }[];
  /**
   * The file's transaction this statement runs in (the index of its first statement): locks of earlier
   * transactions are released by their COMMIT in production, so they are not in `locksHeld`.
   */
  segment?: number;
  /** The heaviest work the PostgreSQL documentation describes for the statement's locks. */
  documentedWork?: Work;
}

/** Why a statement of the file was not run by the check. */
export type NotRunReason =
  | {
      kind: 'non-transactional';
      /** e.g. `CREATE INDEX CONCURRENTLY`: it cannot run in the rolled-back transaction (SQLSTATE 25001). */
      form: string;
      /** The non-concurrent equivalent, when one was run inside the rolled-back transaction to time the work. */
      equivalent: { text: string; duration: Duration; estimate: ProductionEstimate } | undefined;
    }
  | { kind: 'transaction-control'; message: string }
  | { kind: 'meta-command'; message: string }
  /** In a down or verify section, which does not run when the migration is applied. */
  | { kind: 'not-applied'; message: string }
  /** COPY … FROM STDIN and other statements the check cannot run meaningfully. */
  | { kind: 'unsupported'; message: string };

/** Locks from the knowledge base (the PostgreSQL documentation), for a statement the check did not run. */
export interface KnownLock {
  relation: string;
  mode: LockMode;
  work: Work;
  blocks: OperationVerdict[];
}

export type StatementResult = StatementLocation & { label: string } & (
    | { status: 'traced'; trace: StatementTrace }
    | { status: 'not-run'; reason: NotRunReason; knownLocks: KnownLock[] }
    | { status: 'failed'; error: StatementError }
    /** After a failure or a cancel: the transaction was already over. */
    | { status: 'not-reached' }
  );

/** The session that held the lock a statement waited for, when the check could see it. */
export interface Blocker {
  pid: number;
  query: string;
  applicationName: string;
}

export interface StatementError {
  /** SQLSTATE, e.g. 55P03 (lock_timeout: another session holds a conflicting lock), 57014 (timeout or cancel). */
  code: string | undefined;
  message: string;
  /** What it means and what to do. */
  hint: string | undefined;
  blockers: Blocker[];
}

export type CheckTarget =
  | { kind: 'staging'; /** Never holds a password. */ url: string; serverVersion: string; major: number }
  | { kind: 'embedded'; engine: 'PGlite'; serverVersion: string; major: number; replayedMigrations: string[] };

export interface TableSize {
  table: string;
  staging: { rows: number; bytes: number; totalBytes: number };
  /** `indexBytes`: the table's indexes, when the production source exported them (`lockguard stats`). */
  production: { rows: number; bytes: number | undefined; indexBytes?: number; source: ProductionSource } | undefined;
}

export type ProductionSource = 'connection' | 'stats-file' | 'row-counts';

export type CheckOutcome =
  | { kind: 'completed' }
  | { kind: 'failed'; statementIndex: number; message: string }
  | { kind: 'cancelled'; statementIndex: number | undefined };

export interface CheckReport {
  file: string;
  target: CheckTarget;
  tables: TableSize[];
  statements: StatementResult[];
  outcome: CheckOutcome;
  /** The check never commits: its transaction is rolled back on every path. */
  rolledBack: true;
  /**
   * Whether reads or writes of another session on an existing table wait while work that grows with the
   * table runs (a rewrite, a scan, an index build, rows written) in the same transaction of the
   * migration (the CLI's exit code 1). A catalog-only change in its own transaction holds its lock
   * for milliseconds and does not count.
   */
  blocksTraffic: boolean;
  startedAt: string;
  elapsedMs: number;
}

/** Problems that stop the check before it traces anything (nothing was changed). */
export type CheckProblem =
  | {
      kind: 'connection';
      reason: 'wrong-password' | 'no-password' | 'unknown-host' | 'unreachable' | 'refused' | 'missing-database' | 'timeout' | 'tls' | 'other';
      /** Never holds a password. */
      message: string;
    }
  | { kind: 'refused-production'; message: string }
  | { kind: 'input'; message: string };

export type CheckResult = { kind: 'report'; report: CheckReport } | { kind: 'problem'; problem: CheckProblem };

export type CheckProgress =
  | { kind: 'connecting'; target: string }
  | { kind: 'replaying'; migration: string; n: number; total: number }
  | { kind: 'statement'; /** 1-based. */ n: number; total: number; label: string }
  | { kind: 'probing'; n: number; total: number; table: string }
  | { kind: 'rolling-back' };

/** Where to read production table sizes from (never the migration: catalog and statistics queries only). */
export type ProductionSizes =
  | { kind: 'connection'; url: string; password?: string }
  | { kind: 'stats-file'; path: string }
  | { kind: 'row-counts'; /** Table (`orders` or `public.orders`) → rows in production. */ rows: Readonly<Record<string, number>> };

/** What `checkMigration(request, { signal, onProgress })` in `./check` is asked to do. */
export interface CheckRequest {
  /** Path of the migration; its folder holds the earlier migrations the embedded database replays. */
  file: string;
  /** The file's text (the editor's buffer, which may be unsaved). */
  text: string;
  /** Check only the statements overlapping this range of `text` (a selection); the whole file when absent. */
  selection?: OffsetRange;
  /** A staging database (URL without password); absent = the embedded PGlite database. */
  staging?: { url: string; password?: string };
  production?: ProductionSizes;
  /** Milliseconds; defaults in ./check. */
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
}
