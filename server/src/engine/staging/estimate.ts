/**
 * Scales a statement's staging duration to production table sizes, by the kind of work the trace saw:
 * - an index build (a new index on an existing table, or a rebuilt one): n·log n of the rows;
 * - a rewrite or a full scan: the table's bytes (rows when bytes are unknown);
 * - rows changed by DML: the rows.
 * Within one regime CREATE INDEX scaled close to linearly (×6.9–14.4 from 100k to 1M rows) and simple
 * models were off by −53 %…+107 % at 5M (postgres-for-tests.md §5): hence a range of ×0.5–×2.
 */
import { heldByTable, inferredVerdicts } from './blocking';
import type { Duration, FullScan, ProductionEstimate, RelationLabel, TracedLock } from './report';
import type { LockMode } from '../locks/lock-modes';

export interface SizePair {
  staging: { rows: number; bytes: number };
  production: { rows: number; bytes: number | undefined };
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

export function estimateTraced(work: TracedWork, sizes: SizeLookup): ProductionEstimate {
  if (work.duration.kind !== 'measured') return { kind: 'not-estimated', reason: `no staging duration (${work.duration.reason})` };
  const subject = subjectOf(work);
  if (!subject) return { kind: 'not-estimated', reason: 'a catalog change only: it takes as long as on staging once it has its lock' };
  const held = heldByTable(work.locksHeld).find((entry) => entry.table === subject.table);
  return scale(work.duration.ms, subject.table, subject.model, held?.strongestMode, sizes, { low: 1, high: 1 });
}

/** The estimate for a CONCURRENTLY statement, from its plain equivalent's staging time. */
export function estimateConcurrent(duration: Duration, table: string | undefined, mode: LockMode, sizes: SizeLookup): ProductionEstimate {
  if (duration.kind !== 'measured') return { kind: 'not-estimated', reason: `no staging duration (${duration.reason})` };
  if (table === undefined) return { kind: 'not-estimated', reason: 'the statement names no table' };
  const estimate = scale(duration.ms, table, 'n-log-n', mode, sizes, CONCURRENT_BUILD_FACTOR);
  return estimate.kind === 'estimated' ? { ...estimate, sentence: `${estimate.sentence}, plus the wait for every transaction older than it` } : estimate;
}

function subjectOf(work: TracedWork): { table: string; model: Model } | undefined {
  // An index on a table this migration created is built on an empty table: no work to scale.
  const newTables = new Set(work.locksHeld.filter((lock) => lock.createdByMigration && lock.relation.kind !== 'index').map((lock) => lock.relation.name));
  const builtIndex = [...work.locksAcquired.filter((lock) => lock.relation.kind === 'index' && lock.createdByMigration), ...work.rewritten.filter((label) => label.kind === 'index').map((relation) => ({ relation }))].find(
    (entry) => entry.relation.table !== entry.relation.name && !newTables.has(entry.relation.table),
  );
  const rewrittenTable = work.rewritten.find((label) => label.kind !== 'index');
  if (rewrittenTable) return { table: rewrittenTable.table, model: 'linear-bytes' };
  if (builtIndex) return { table: builtIndex.relation.table, model: 'n-log-n' };
  const scan = [...work.fullScans].sort((a, b) => b.rowsRead - a.rowsRead)[0];
  if (scan) return { table: scan.table, model: 'linear-bytes' };
  const written = work.locksAcquired.find((lock) => !lock.createdByMigration && lock.relation.kind !== 'index');
  if (work.rowsTouched > 0 && written) return { table: written.relation.table, model: 'linear-rows' };
  return undefined;
}

function scale(ms: number, table: string, model: Model, mode: LockMode | undefined, sizes: SizeLookup, factor: { low: number; high: number }): ProductionEstimate {
  const size = sizes(table);
  if (!size) return { kind: 'not-estimated', reason: `no production size for ${table}` };
  const { staging, production } = size;
  if (staging.rows === 0) return { kind: 'not-estimated', reason: `${table} is empty on staging: there is nothing to scale from. Seed it with representative data.` };
  const ratio =
    model === 'n-log-n'
      ? (production.rows * Math.log2(Math.max(production.rows, 2))) / (staging.rows * Math.log2(Math.max(staging.rows, 2)))
      : model === 'linear-bytes' && production.bytes !== undefined && staging.bytes > 0
        ? production.bytes / staging.bytes
        : production.rows / staging.rows;
  const pointMs = ms * ratio;
  const lowMs = pointMs * 0.5 * factor.low;
  const highMs = pointMs * 2 * factor.high;
  const effectiveModel: Model = model === 'linear-bytes' && (production.bytes === undefined || staging.bytes === 0) ? 'linear-rows' : model;
  return {
    kind: 'estimated',
    table,
    model: effectiveModel,
    stagingRows: staging.rows,
    productionRows: production.rows,
    lowMs: Math.round(lowMs),
    pointMs: Math.round(pointMs),
    highMs: Math.round(highMs),
    sentence: `${mode ?? 'Its locks'} on ${table} for ~${formatRange(lowMs, highMs)} at ${formatRows(production.rows)} rows: ${impactOf(mode)}`,
  };
}

function impactOf(mode: LockMode | undefined): string {
  if (mode === undefined) return 'no existing table is locked';
  const blocked = new Set(inferredVerdicts(mode).filter((verdict) => verdict.blocked).map((verdict) => verdict.operation));
  if (blocked.has('SELECT')) return 'every read and write waits';
  if (blocked.has('INSERT')) return 'every write waits; reads continue';
  return 'reads and writes continue';
}

const UNITS = [
  { unit: 'h', ms: 3_600_000 },
  { unit: 'min', ms: 60_000 },
  { unit: 's', ms: 1_000 },
  { unit: 'ms', ms: 1 },
] as const;

/** `3–12 min`, `40 s–2 min`, `<1 ms`. */
export function formatRange(lowMs: number, highMs: number): string {
  const low = splitUnit(lowMs);
  const high = splitUnit(highMs);
  return low.unit === high.unit ? `${low.value}–${high.value} ${high.unit}` : `${low.value} ${low.unit}–${high.value} ${high.unit}`;
}

export function formatDuration(ms: number): string {
  const { value, unit } = splitUnit(ms);
  return `${value} ${unit}`;
}

function splitUnit(ms: number): { value: string; unit: string } {
  const { unit, ms: size } = UNITS.find((candidate) => ms >= candidate.ms) ?? { unit: 'ms', ms: 1 };
  const value = ms / size;
  return { value: value >= 10 ? String(Math.round(value)) : String(Math.round(value * 10) / 10), unit };
}

/** `50M`, `1.2k`, `800`. */
export function formatRows(rows: number): string {
  if (rows >= 1e9) return `${round(rows / 1e9)}G`;
  if (rows >= 1e6) return `${round(rows / 1e6)}M`;
  if (rows >= 1e3) return `${round(rows / 1e3)}k`;
  return String(rows);
}

const round = (value: number) => (value >= 10 ? String(Math.round(value)) : String(Math.round(value * 10) / 10));
