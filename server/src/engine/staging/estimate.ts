/**
 * Scales a statement's staging duration to production table sizes, by the kind of work the trace saw:
 * - an index build (a new index on an existing table, or a rebuilt one): n·log n of the rows;
 * - a rewrite or a full scan: the table's bytes (rows when bytes are unknown);
 * - rows changed by DML: the rows.
 * The range around that point is calibrated per kind of work and ratio of sizes (estimate-calibration.ts),
 * then widened where production runs in another regime than staging: reads from disk, a sort spilling
 * to disk, parallel workers (production-regime.ts). docs/staging-check.md states the assumptions.
 */
import { heldByTable, inferredVerdicts } from './blocking';
import { bandFor, shortRunWidening, STAGING_JITTER_MS } from './estimate-calibration';
import { formatDuration, formatRange, formatRows } from './format';
import { productionServerOf, type SettingValues } from './production-server';
import { regimeAdjustments, type WorkKind } from './production-regime';
import type { Duration, EstimateAdjustment, FullScan, ProductionEstimate, RelationLabel, TracedLock } from './report';
import type { LockMode } from '../locks/lock-modes';

export interface SizePair {
  staging: { rows: number; bytes: number };
  /** `indexBytes`: the table's indexes, from a stats file that has them. */
  production: { rows: number; bytes: number | undefined; indexBytes?: number };
}

export type SizeLookup = (table: string) => SizePair | undefined;

type Model = Extract<ProductionEstimate, { kind: 'estimated' }>['model'];

/** CREATE INDEX CONCURRENTLY took 1.2–1.5× the plain build at 1M rows on an idle server, before waiting for older transactions. */
export const CONCURRENT_BUILD_FACTOR = { low: 1.2, high: 1.5 } as const;

export interface TracedWork {
  duration: Duration;
  locksAcquired: readonly TracedLock[];
  locksHeld: readonly TracedLock[];
  rewritten: readonly RelationLabel[];
  fullScans: readonly FullScan[];
  rowsTouched: number;
}

/** `server`: production's settings (`lockguard stats`), to tell where production runs in another regime than staging. */
export function estimateTraced(work: TracedWork, sizes: SizeLookup, server: SettingValues = {}): ProductionEstimate {
  if (work.duration.kind !== 'measured') return { kind: 'not-estimated', reason: `no staging duration (${work.duration.reason})` };
  const subject = subjectOf(work);
  if (!subject) return { kind: 'not-estimated', reason: 'a catalog change only: it takes as long as on staging once it has its lock' };
  const held = heldByTable(work.locksHeld).find((entry) => entry.table === subject.table);
  return scale(work.duration.ms, subject.table, subject.work, held?.strongestMode, sizes, server, { low: 1, high: 1 });
}

/** The estimate for a CONCURRENTLY statement, from its plain equivalent's staging time. */
export function estimateConcurrent(duration: Duration, table: string | undefined, mode: LockMode, sizes: SizeLookup, server: SettingValues = {}): ProductionEstimate {
  if (duration.kind !== 'measured') return { kind: 'not-estimated', reason: `no staging duration (${duration.reason})` };
  if (table === undefined) return { kind: 'not-estimated', reason: 'the statement names no table' };
  const estimate = scale(duration.ms, table, 'index-build', mode, sizes, server, CONCURRENT_BUILD_FACTOR);
  return estimate.kind === 'estimated' ? { ...estimate, sentence: `${estimate.sentence}, plus the wait for every transaction older than it` } : estimate;
}

function subjectOf(work: TracedWork): { table: string; work: WorkKind } | undefined {
  // An index on a table this migration created is built on an empty table: no work to scale.
  const newTables = new Set(work.locksHeld.filter((lock) => lock.createdByMigration && lock.relation.kind !== 'index').map((lock) => lock.relation.name));
  const builtIndex = [...work.locksAcquired.filter((lock) => lock.relation.kind === 'index' && lock.createdByMigration), ...work.rewritten.filter((label) => label.kind === 'index').map((relation) => ({ relation }))].find(
    (entry) => entry.relation.table !== entry.relation.name && !newTables.has(entry.relation.table),
  );
  const rewrittenTable = work.rewritten.find((label) => label.kind !== 'index');
  if (rewrittenTable) return { table: rewrittenTable.table, work: 'rewrite' };
  if (builtIndex) return { table: builtIndex.relation.table, work: 'index-build' };
  const scan = [...work.fullScans].sort((a, b) => b.rowsRead - a.rowsRead)[0];
  if (scan) return { table: scan.table, work: 'scan' };
  const written = work.locksAcquired.find((lock) => !lock.createdByMigration && lock.relation.kind !== 'index');
  if (work.rowsTouched > 0 && written) return { table: written.relation.table, work: 'row-changes' };
  return undefined;
}

function scale(ms: number, table: string, work: WorkKind, mode: LockMode | undefined, sizes: SizeLookup, server: SettingValues, factor: { low: number; high: number }): ProductionEstimate {
  const size = sizes(table);
  if (!size) return { kind: 'not-estimated', reason: `no production size for ${table}` };
  if (size.staging.rows === 0) return { kind: 'not-estimated', reason: `${table} is empty on staging: there is nothing to scale from. Seed it with representative data.` };
  const range = extrapolate({ work, stagingMs: ms, ...size, server });
  const lowMs = range.lowMs * factor.low;
  const highMs = range.highMs * factor.high;
  return {
    kind: 'estimated',
    table,
    model: range.model,
    stagingRows: size.staging.rows,
    productionRows: size.production.rows,
    lowMs: Math.round(lowMs),
    pointMs: Math.round(range.pointMs),
    highMs: Math.round(highMs),
    sentence: `${mode ?? 'Its locks'} on ${table} for ~${formatRange(lowMs, highMs)} at ${formatRows(size.production.rows)} rows: ${impactOf(mode)}`,
    adjustments: range.adjustments,
  };
}

export interface Extrapolation extends SizePair {
  work: WorkKind;
  stagingMs: number;
  server: SettingValues;
}

export interface ExtrapolatedRange {
  model: Model;
  lowMs: number;
  pointMs: number;
  highMs: number;
  /** The extrapolation's own range first, then each regime change that widened it. */
  adjustments: EstimateAdjustment[];
}

/** A staging time scaled to production, with its calibrated range (the calibration bench calls this too). */
export function extrapolate({ work, stagingMs, staging, production, server }: Extrapolation): ExtrapolatedRange {
  const model = modelOf(work, staging, production);
  const nLogN = (rows: number) => rows * Math.log2(Math.max(rows, 2));
  const growth =
    model === 'n-log-n' ? nLogN(production.rows) / nLogN(staging.rows) : model === 'linear-bytes' && production.bytes !== undefined ? production.bytes / staging.bytes : production.rows / staging.rows;
  const rowRatio = production.rows / staging.rows;
  const band = bandFor(work, rowRatio);
  const pointMs = stagingMs * growth * band.drift;
  // Without production's bytes (row counts given by hand), staging's bytes per row stand in.
  const productionBytes = production.bytes ?? (staging.bytes / staging.rows) * production.rows;
  const productionIndexBytes = production.indexBytes ?? 0;
  const adjustments: EstimateAdjustment[] = [
    { kind: 'extrapolation', lowFactor: round(band.low), highFactor: round(band.high), reason: `scaled ×${formatRatio(rowRatio)} from ${formatRows(staging.rows)} rows: ÷${round(band.low)}–×${round(band.high)}` },
    ...shortRunAdjustment(stagingMs),
    ...regimeAdjustments({ work, staging, production: { rows: production.rows, bytes: productionBytes, indexBytes: productionIndexBytes }, server: productionServerOf(server), coveredSpeedup: band.low }),
  ];
  const lowFactor = adjustments.reduce((product, adjustment) => product * adjustment.lowFactor, 1);
  const highFactor = adjustments.reduce((product, adjustment) => product * adjustment.highFactor, 1);
  return { model, lowMs: pointMs / lowFactor, pointMs, highMs: pointMs * highFactor, adjustments };
}

function shortRunAdjustment(stagingMs: number): EstimateAdjustment[] {
  const widening = shortRunWidening(stagingMs);
  if (widening === undefined) return [];
  const factor = round(widening);
  const reason = `staging ran ${formatDuration(stagingMs)}, too short to time within ±${STAGING_JITTER_MS} ms → range widened ×${factor} each way; more rows on staging narrow it`;
  return [{ kind: 'short-staging-run', lowFactor: factor, highFactor: factor, reason }];
}

function modelOf(work: WorkKind, staging: SizePair['staging'], production: SizePair['production']): Model {
  if (work === 'index-build') return 'n-log-n';
  if (work === 'row-changes' || production.bytes === undefined || staging.bytes === 0) return 'linear-rows';
  return 'linear-bytes';
}

const round = (factor: number) => Math.round(factor * 10) / 10;
const formatRatio = (ratio: number) => (ratio >= 10 ? String(Math.round(ratio)) : String(round(ratio)));

function impactOf(mode: LockMode | undefined): string {
  if (mode === undefined) return 'no existing table is locked';
  const blocked = new Set(inferredVerdicts(mode).filter((verdict) => verdict.blocked).map((verdict) => verdict.operation));
  if (blocked.has('SELECT')) return 'every read and write waits';
  if (blocked.has('INSERT')) return 'every write waits; reads continue';
  return 'reads and writes continue';
}

export { formatDuration, formatRange, formatRows } from './format';
