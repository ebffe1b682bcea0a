/**
 * "Check migration against staging": `checkMigration(request, { signal, onProgress })` runs the
 * migration in a transaction it always rolls back — on a staging database (measured locks, blocking
 * and durations, scaled to production sizes) or on the embedded PGlite database (locks, rewrites,
 * scans and inferred blocking; no timings) — and returns the report, or the problem that stopped it.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type pg from 'pg';
import { buildStatements } from '../model/build';
import type { Statement } from '../model/statement';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';
import { LineIndex } from '../text/positions';
import { splitStatements } from '../text/splitter';
import { inferOnly } from './blocking';
import { lockSpans } from './spans';
import { blockerWatcher } from './blockers';
import { cancelRunningQuery } from './cancel';
import { connect, ConnectionProblem, processId, reportedParameter } from './connection';
import { redactSecrets, resolveTarget, TargetError, type ConnectionTarget } from './connection-target';
import { openEmbedded, type EmbeddedDatabase } from './embedded';
import { estimateConcurrent, estimateTraced, type SizeLookup } from './estimate';
import type { SettingValues } from './production-server';
import { displayPath, earlierMigrations, upSection } from './migration-order';
import { knownLockBlocksTraffic, planStatements, type PlannedStatement } from './plan';
import { measuringProbe } from './probes';
import type { CheckProblem, CheckProgress, CheckReport, CheckRequest, CheckResult, CheckTarget, ProductionSizes, StatementResult, TableSize } from './report';
import {
  lookupTable,
  productionFromRowCounts,
  productionFromStats,
  REGIME_SETTINGS,
  type RegimeSetting,
  readStatsFile,
  stagingSizes,
  statisticsOf,
  StatsFileError,
  systemIdentifier,
  type MeasuredSize,
  type ProductionTables,
} from './sizes';
import { serialized } from './serial';
import { Sessions } from './sessions';
import { trace, type TraceBackend, type TraceRun } from './trace';

export interface CheckOptions {
  /** Aborting cancels the running statement (pg_cancel_backend, or ending PGlite's worker) and rolls back. */
  signal?: AbortSignal;
  onProgress?: (progress: CheckProgress) => void;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 2_000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 15 * 60_000;
const APPLICATION_NAME = 'lockguard check (always rolled back)';
const IDLE_IN_TRANSACTION_LIMIT_MS = 10_000;
const CLIENT_CHECK_INTERVAL_MS = 1_000;

export async function checkMigration(request: CheckRequest, options: CheckOptions = {}): Promise<CheckResult> {
  const signal = options.signal ?? new AbortController().signal;
  const onProgress = options.onProgress ?? (() => {});
  const secrets = [request.staging?.password, request.production?.kind === 'connection' ? request.production.password : undefined];
  // The embedded database starts in its worker while this thread parses the migration.
  const embedded = request.staging ? undefined : startEmbedded(signal, onProgress);
  try {
    const statements = await statementsOf(request);
    const run = request.staging ? await checkOnStaging(request, request.staging, statements, signal, onProgress) : await checkEmbedded(request, statements, embedded!, signal, onProgress);
    return run.kind === 'report' ? { kind: 'report', report: redactReport(run.report, secrets) } : run;
  } catch (error) {
    void embedded?.then((db) => db.close(), () => {});
    const problem = problemOf(error);
    if (!problem) throw error;
    return { kind: 'problem', problem: { ...problem, message: redactSecrets(problem.message, secrets) } };
  }
}

function problemOf(error: unknown): CheckProblem | undefined {
  if (error instanceof ConnectionProblem) return error.problem;
  if (error instanceof TargetError || error instanceof StatsFileError) return { kind: 'input', message: error.message };
  if (error instanceof RefusedProduction) return { kind: 'refused-production', message: error.message };
  return undefined;
}

class RefusedProduction extends Error {}

async function statementsOf(request: CheckRequest): Promise<Statement[]> {
  const parser = await PostgresParser.load();
  const statements = buildStatements(request.text, parser, { ...defaultOptions(), filePath: request.file });
  const selection = request.selection;
  if (!selection || selection.start === selection.end) return statements;
  return statements.filter((statement) => statement.range.end > selection.start && statement.range.start < selection.end);
}

function planFor(request: CheckRequest, statements: readonly Statement[], major: number): PlannedStatement[] {
  const lines = new LineIndex(request.text);
  return planStatements(statements, (statement) => ({ index: statement.index, range: statement.range, start: lines.positionAt(statement.range.start), end: lines.positionAt(statement.range.end), text: statement.text }), major);
}

// ---- staging -------------------------------------------------------------------------------------

/**
 * The connections of finished checks, still closing: the report does not wait for their backends to
 * exit, but the next check does (up to a second), so that they take no CPU from the statements it times.
 */
let closing: Promise<void> = Promise.resolve();
const CLOSING_WAIT_MS = 1_000;

/** Resolves once the connections of every finished check are closed. */
export function checksClosed(): Promise<void> {
  return closing;
}

async function checkOnStaging(request: CheckRequest, staging: NonNullable<CheckRequest['staging']>, statements: readonly Statement[], signal: AbortSignal, onProgress: (progress: CheckProgress) => void): Promise<CheckResult> {
  const startedAt = new Date();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CLOSING_WAIT_MS);
    void closing.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  const target = resolveTarget(staging.url, staging.password);
  onProgress({ kind: 'connecting', target: target.display });
  const sessions = new Sessions(target, { connectTimeoutMs: request.connectTimeoutMs, applicationName: APPLICATION_NAME });
  try {
    // The probe session connects once the server accepted the tracer's credentials (a wrong password
    // fails one login, not two), while the tracer's backend starts and sets up its transaction; the first
    // statement waits for it: a backend starting up on the server would take CPU from the statement the check times.
    let probeConnecting: Promise<pg.Client> | undefined;
    const openProbe = () => (probeConnecting ??= sessions.open({ pipeline: true }));
    // Pipelined, so the transaction's setup (BEGIN, settings, first snapshot) goes out in one flight.
    const tracer = await sessions.open({ onAuthenticated: openProbe, pipeline: true });
    const probe = openProbe();
    // Watches who blocks a running statement: the probe session, idle while statements run.
    const watcher = serialized(probe);
    const production = await readProductionTables(request.production, target, tracer, request.connectTimeoutMs);
    const { version: serverVersion, major } = await serverVersionOf(tracer);
    const tracerPid = processId(tracer);

    // A CancelRequest needs no idle session: whichever of them is running something stops, and the trace then rolls back.
    const cancel = () => {
      void cancelRunningQuery(target, tracer);
      void probe.then((client) => cancelRunningQuery(target, client), () => {});
    };
    signal.addEventListener('abort', cancel, { once: true });
    const lockTimeout = request.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    const statementTimeout = request.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
    const backend: TraceBackend = {
      session: tracer,
      settings: {
        lock_timeout: String(Math.round(lockTimeout)),
        statement_timeout: String(Math.round(statementTimeout)),
        // Frees staging within seconds if this process dies or hangs while the transaction holds its
        // locks: the check never leaves its transaction idle for longer than a probe round.
        idle_in_transaction_session_timeout: String(IDLE_IN_TRANSACTION_LIMIT_MS),
        // PostgreSQL 14+: a statement running for a client that is gone stops within a second, instead
        // of holding its locks until it ends.
        ...(major >= 14 ? { client_connection_check_interval: String(CLIENT_CHECK_INTERVAL_MS) } : {}),
        ...productionSettings(production),
      },
      timing: { measured: true },
      // The tracer itself watches the probes: it is idle while they run, between statements.
      probe: measuringProbe({ probe, monitor: tracer, holderPid: tracerPid }, signal),
      watchBlockers: blockerWatcher(watcher, tracerPid, lockTimeout),
      ready: probe,
    };
    const plan = planFor(request, statements, major);
    checkRowCounts(request.production, plan);
    let run: TraceRun;
    try {
      run = await trace(backend, plan, signal, onProgress);
    } finally {
      signal.removeEventListener('abort', cancel);
    }
    // A probe connection that failed is the check's problem, as the tracer's would be.
    await probe;
    const checkTarget: CheckTarget = { kind: 'staging', url: target.display, serverVersion, major };
    // Before any connection closes (backends exiting would compete with it), from the tracer, whose
    // caches know these tables, else from a probe session (the tracer's connection may be the one that
    // was lost). Without sizes the report still stands.
    const tables = tablesOf(run.statements);
    const sizes = await stagingSizes(tracer, tables)
      .catch(() => stagingSizes(watcher, tables))
      .catch(() => []);
    return { kind: 'report', report: assemble(request, checkTarget, run, sizes, production, startedAt) };
  } finally {
    // Not awaited: the transaction is already rolled back (or the server rolls it back when the
    // connection goes), and a backend takes tens of milliseconds to exit, which the report need not wait for.
    const closed = sessions.closeAll();
    closing = Promise.all([closing, closed]).then(() => {});
  }
}

/** The server's version as it reported it at connect ("17.10", "16.4 (Debian …)"), else asked. */
async function serverVersionOf(session: pg.Client): Promise<{ version: string; major: number }> {
  const reported = reportedParameter(session, 'server_version');
  const major = reported === undefined ? Number.NaN : Number.parseInt(reported, 10);
  if (reported !== undefined && major >= 10) return { version: reported, major };
  const { rows } = await session.query<{ version: string; num: number }>(`SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int AS num`);
  return { version: rows[0]!.version, major: Math.floor(Number(rows[0]!.num) / 10_000) };
}

/** Production sizes from the source the request names; refuses a "production" that is the staging database itself. */
async function readProductionTables(source: ProductionSizes | undefined, staging: ConnectionTarget, stagingSession: pg.Client, connectTimeoutMs: number | undefined): Promise<ProductionTables | undefined> {
  if (!source) return undefined;
  if (source.kind === 'row-counts') return productionFromRowCounts(source.rows);
  const stagingId = await systemIdentifier(stagingSession);
  const refuse = (why: string) => {
    throw new RefusedProduction(`Refusing to check: the staging database ${staging.display} ${why}. The check runs the migration (and rolls it back) and must never run on production. Point the staging URL at a copy.`);
  };
  if (source.kind === 'stats-file') {
    const stats = await readStatsFile(source.path);
    if (stagingId !== null && stats.server.systemIdentifier === stagingId) refuse(`is the cluster the stats file ${source.path} was exported from (same system identifier ${stagingId})`);
    return productionFromStats(stats, 'stats-file');
  }
  const productionTarget = resolveTarget(source.url, source.password);
  if (sameDatabase(productionTarget, staging)) refuse(`is the configured production database (${productionTarget.display})`);
  const client = await connect(productionTarget, { connectTimeoutMs, applicationName: 'lockguard stats (read-only)', readOnly: true });
  try {
    const stats = await statisticsOf(client);
    if (stagingId !== null && stats.server.systemIdentifier === stagingId) refuse(`is the same cluster as the production database ${productionTarget.display} (system identifier ${stagingId})`);
    return productionFromStats(stats, 'connection');
  } finally {
    await client.end().catch(() => {});
  }
}

/** Row counts given by hand must name tables the migration touches: a typo would silently leave a statement unestimated. */
function checkRowCounts(source: ProductionSizes | undefined, plan: readonly PlannedStatement[]): void {
  if (source?.kind !== 'row-counts') return;
  const touched = [...new Set(plan.flatMap((step) => (step.action === 'run' ? step.documentedLocks : step.action === 'skip' ? step.knownLocks : []).map((lock) => lock.relation)))].sort();
  const byName = new Map(touched.map((table) => [table, table]));
  const unknown = Object.keys(source.rows).filter((table) => lookupTable(byName, table) === undefined);
  if (unknown.length === 0) return;
  const tables = touched.length === 0 ? 'it locks no existing table' : `it touches ${touched.join(', ')}`;
  throw new TargetError(`Production row counts were given for ${unknown.map((table) => `"${table}"`).join(', ')}, which this migration does not touch: ${tables}. Check the table names of --rows.`);
}

/** Production's sort memory and parallel workers, so the staging build runs in production's regime. */
function productionSettings(production: ProductionTables | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(production?.settings ?? {}).filter(([name, value]) => REGIME_SETTINGS.includes(name as RegimeSetting) && value !== undefined));
}

const sameDatabase = (a: ConnectionTarget, b: ConnectionTarget) => a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port && a.database === b.database;

// ---- embedded ------------------------------------------------------------------------------------

const EMBEDDED_NO_TIMING = 'embedded PGlite database: WebAssembly and no data, so its timings say nothing about staging or production';

function startEmbedded(signal: AbortSignal, onProgress: (progress: CheckProgress) => void): Promise<EmbeddedDatabase> {
  onProgress({ kind: 'connecting', target: 'embedded PostgreSQL (PGlite)' });
  const opening = openEmbedded(signal);
  // Awaited by checkEmbedded; a failure before then (the file does not parse) must not go unhandled.
  opening.catch(() => {});
  return opening;
}

async function checkEmbedded(request: CheckRequest, statements: readonly Statement[], opening: Promise<EmbeddedDatabase>, signal: AbortSignal, onProgress: (progress: CheckProgress) => void): Promise<CheckResult> {
  const startedAt = new Date();
  let db: EmbeddedDatabase | undefined;
  try {
    db = await opening;
    const replayed = await replayEarlierMigrations(db, request.file, signal, onProgress);
    if (replayed.kind === 'problem') return replayed;
    const backend: TraceBackend = { session: db, settings: {}, timing: { measured: false, reason: EMBEDDED_NO_TIMING }, probe: inferOnly };
    const run = await trace(backend, planFor(request, statements, db.major), signal, onProgress);
    const checkTarget: CheckTarget = { kind: 'embedded', engine: 'PGlite', serverVersion: db.serverVersion, major: db.major, replayedMigrations: replayed.files };
    return { kind: 'report', report: assemble(request, checkTarget, run, [], undefined, startedAt) };
  } catch (error) {
    // Cancelling ends the worker: the whole database, and with it the transaction, is gone.
    if (signal.aborted) return { kind: 'report', report: cancelledBeforeTrace(request, db, startedAt) };
    throw error;
  } finally {
    await db?.close();
  }
}

async function replayEarlierMigrations(db: EmbeddedDatabase, file: string, signal: AbortSignal, onProgress: (progress: CheckProgress) => void): Promise<{ kind: 'ok'; files: string[] } | Extract<CheckResult, { kind: 'problem' }>> {
  const files = earlierMigrations(file);
  const folder = dirname(file);
  for (const [i, path] of files.entries()) {
    signal.throwIfAborted();
    const shown = displayPath(path, folder);
    onProgress({ kind: 'replaying', migration: shown, n: i + 1, total: files.length });
    try {
      // Statement by statement, as psql sends them: one multi-statement script would be one implicit
      // transaction, where CREATE INDEX CONCURRENTLY fails.
      const text = upSection(readFileSync(path, 'utf8'));
      for (const source of splitStatements(text)) if (!source.isMetaCommand) await db.script(text.slice(source.start, source.end));
    } catch (error) {
      if (signal.aborted) throw error;
      return {
        kind: 'problem',
        problem: { kind: 'input', message: `Replaying the earlier migration ${shown} on the embedded database failed: ${(error as Error).message}. The embedded check builds the schema from the migrations before this one; fix that migration, or check against a staging database (--url).` },
      };
    }
  }
  return { kind: 'ok', files: files.map((path) => displayPath(path, folder)) };
}

function cancelledBeforeTrace(request: CheckRequest, db: EmbeddedDatabase | undefined, startedAt: Date): CheckReport {
  const target: CheckTarget = { kind: 'embedded', engine: 'PGlite', serverVersion: db?.serverVersion ?? 'not started', major: db?.major ?? 18, replayedMigrations: [] };
  return assemble(request, target, { statements: [], outcome: { kind: 'cancelled', statementIndex: undefined } }, [], undefined, startedAt);
}

// ---- the report ----------------------------------------------------------------------------------

/** Every existing table a traced statement locked, scanned or rewrote. */
function tablesOf(statements: readonly StatementResult[]): string[] {
  const tables = new Set<string>();
  for (const result of statements) {
    if (result.status !== 'traced') continue;
    for (const lock of result.trace.locksHeld) if (!lock.createdByMigration) tables.add(lock.relation.table);
    for (const scan of result.trace.fullScans) tables.add(scan.table);
  }
  return [...tables].sort();
}

function assemble(request: CheckRequest, target: CheckTarget, run: TraceRun, staging: readonly MeasuredSize[], production: ProductionTables | undefined, startedAt: Date): CheckReport {
  const tables: TableSize[] = staging.map((size) => {
    const inProduction = production && lookupTable(production.tables, size.table);
    return {
      table: size.table,
      staging: { rows: size.rows, bytes: size.bytes, totalBytes: size.totalBytes },
      production: inProduction && production ? { ...inProduction, source: production.source } : undefined,
    };
  });
  const sizes: SizeLookup = (table) => {
    const size = tables.find((candidate) => candidate.table === table) ?? lookupTable(new Map(tables.map((entry) => [entry.table, entry])), table);
    return size?.production ? { staging: size.staging, production: size.production } : undefined;
  };
  const statements = run.statements.map((result) => withEstimate(withWholeScans(result, tables), sizes, production !== undefined, production?.settings ?? {}));
  return {
    file: request.file,
    target,
    tables,
    statements,
    outcome: run.outcome,
    rolledBack: true,
    blocksTraffic: lockSpans(statements, target).some((span) => span.slow) || statements.some((result) => result.status === 'not-run' && knownLockBlocksTraffic(result.knownLocks)),
    startedAt: startedAt.toISOString(),
    elapsedMs: Date.now() - startedAt.getTime(),
  };
}

/**
 * A full scan read the whole table, but the transaction's statistics count only the leader's rows:
 * parallel workers (an index build's, a parallel seq scan's) report theirs elsewhere. Say the table's rows.
 */
function withWholeScans(result: StatementResult, tables: readonly TableSize[]): StatementResult {
  if (result.status !== 'traced' || result.trace.fullScans.length === 0) return result;
  const rowsOf = (table: string) => tables.find((size) => size.table === table)?.staging.rows ?? 0;
  return { ...result, trace: { ...result.trace, fullScans: result.trace.fullScans.map((scan) => ({ ...scan, rowsRead: Math.max(scan.rowsRead, scan.scans * rowsOf(scan.table)) })) } };
}

/** `settings`: production's (from `lockguard stats`), to tell when production runs in another regime than staging. */
function withEstimate(result: StatementResult, sizes: SizeLookup, haveProduction: boolean, settings: SettingValues): StatementResult {
  const none = { kind: 'not-estimated', reason: 'no production sizes given (--production-url, --stats or row counts)' } as const;
  if (result.status === 'traced') {
    const estimate = haveProduction || result.trace.duration.kind !== 'measured' ? estimateTraced(result.trace, sizes, settings) : none;
    return { ...result, trace: { ...result.trace, estimate } };
  }
  if (result.status === 'not-run' && result.reason.kind === 'non-transactional' && result.reason.equivalent) {
    const lock = result.knownLocks[0];
    const estimate = haveProduction && lock ? estimateConcurrent(result.reason.equivalent.duration, lock.relation, lock.mode, sizes, settings) : none;
    return { ...result, reason: { ...result.reason, equivalent: { ...result.reason.equivalent, estimate } } };
  }
  return result;
}

/** Statement errors can quote the server's text; make sure no secret rides along. */
function redactReport(report: CheckReport, secrets: readonly (string | undefined)[]): CheckReport {
  if (secrets.every((secret) => !secret)) return report;
  return JSON.parse(redactSecrets(JSON.stringify(report), secrets)) as CheckReport;
}
