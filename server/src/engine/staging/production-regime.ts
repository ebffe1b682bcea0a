/**
 * Where production's run differs in kind, not only in size, from the staging run it is scaled from:
 * reads from disk instead of memory, an index build's sort spilling to disk, parallel workers. Each
 * widens one end of the range by a factor the calibration bench measured or, where it could not, an
 * assumption docs/staging-check.md states ("How production time is estimated").
 */
import { formatBytes, type ProductionServer } from './production-server';
import type { EstimateAdjustment } from './report';

/** What the statement does with the table: it decides which regime changes apply. */
export type WorkKind = 'index-build' | 'rewrite' | 'scan' | 'row-changes';

export interface RegimeInput {
  work: WorkKind;
  staging: { rows: number; bytes: number };
  /** The table's heap bytes in production; its index bytes (rewrites and row changes write them too). */
  production: { rows: number; bytes: number; indexBytes: number };
  server: ProductionServer;
  /** How much faster than the point the extrapolation's range already allows (its low factor). */
  coveredSpeedup: number;
}

/**
 * Reads from disk instead of the cache: the staging run read a table small enough to stay cached.
 * On the bench, 10M rows evicted from shared_buffers and the OS cache took ×1.2–×1.6 the cached time
 * (×2.0 of the point at most), on a virtual disk; production volumes are often slower, hence ×3. It
 * covers all of the statement's I/O, a spilled sort's temporary files included.
 */
export const IO_BOUND_WIDENING = 3;
/**
 * A sort larger than maintenance_work_mem is merged from temporary files. While those stay in the OS
 * cache the bench measured no slowdown (1M rows in memory → 3M spilled: ×2.3 the time for ×3 the rows);
 * pushed out to disk they cost another write and read of the sorted data: assumed ×1.5, not measured.
 */
export const SORT_SPILL_WIDENING = 1.5;
/**
 * Bytes an index build's sort holds per row: the sort slot (24 B), the index tuple header (8 B), an
 * integer key and allocation overhead. Wider keys hold more: this is the lower bound, so a spill it
 * predicts is certain, and some spills go unsaid.
 */
export const SORT_BYTES_PER_ROW = 56;
/** A parallel worker adds at most half of the leader's speed to a build (the leader also merges their runs). */
const SPEEDUP_PER_WORKER = 0.5;

/** PostgreSQL's defaults (min_parallel_table_scan_size, the 32 MB of maintenance_work_mem each build participant needs). */
const MIN_PARALLEL_TABLE_BYTES = 8 * 1024 ** 2;
const MEMORY_PER_PARTICIPANT = 32 * 1024 ** 2;

export function regimeAdjustments(input: RegimeInput): EstimateAdjustment[] {
  return [ioBound(input), sortSpill(input), parallelWorkers(input)].filter((adjustment): adjustment is EstimateAdjustment => adjustment !== undefined);
}

function ioBound({ work, production, server }: RegimeInput): EstimateAdjustment | undefined {
  const cache = server.effectiveCacheBytes;
  // Rewrites and row changes also write every index: their pages compete for the same cache.
  const bytes = work === 'rewrite' || work === 'row-changes' ? production.bytes + production.indexBytes : production.bytes;
  if (cache === undefined || bytes <= cache) return undefined;
  const what = bytes === production.bytes ? 'table' : 'table and indexes';
  return { kind: 'io-bound', lowFactor: 1, highFactor: IO_BOUND_WIDENING, reason: `I/O-bound: ${what} ${formatBytes(bytes)} > effective_cache_size ${formatBytes(cache)} → range widened ×${IO_BOUND_WIDENING}` };
}

function sortSpill({ work, staging, production, server }: RegimeInput): EstimateAdjustment | undefined {
  const memory = server.maintenanceWorkMemBytes;
  if (memory === undefined || (work !== 'index-build' && !(work === 'rewrite' && production.indexBytes > 0))) return undefined;
  const sortBytes = production.rows * SORT_BYTES_PER_ROW;
  // Staging ran with production's maintenance_work_mem: if its sort spilled too, the scaling already includes it.
  if (sortBytes <= memory || staging.rows * SORT_BYTES_PER_ROW > memory) return undefined;
  const spill = `spills to disk: index sort ≥ ${formatBytes(sortBytes)} > maintenance_work_mem ${formatBytes(memory)}`;
  const cache = server.effectiveCacheBytes;
  if (cache !== undefined && production.bytes + sortBytes <= cache) return { kind: 'sort-spill', lowFactor: 1, highFactor: 1, reason: `${spill}; its temporary files fit in the cache: not widened` };
  if (cache !== undefined && production.bytes > cache) return { kind: 'sort-spill', lowFactor: 1, highFactor: 1, reason: `${spill}; the I/O-bound range already covers its temporary files` };
  return { kind: 'sort-spill', lowFactor: 1, highFactor: SORT_SPILL_WIDENING, reason: `${spill} and the cache → range widened ×${SORT_SPILL_WIDENING}` };
}

/**
 * More workers in production than on staging make the build up to `speedup` faster: the low end must
 * allow it. Only the part the extrapolation's range does not already allow widens it.
 */
function parallelWorkers({ work, staging, production, server, coveredSpeedup }: RegimeInput): EstimateAdjustment | undefined {
  if (work !== 'index-build') return undefined;
  const inProduction = buildWorkers(production.bytes, server);
  const onStaging = buildWorkers(staging.bytes, server);
  if (inProduction <= onStaging) return undefined;
  const speedup = (1 + SPEEDUP_PER_WORKER * inProduction) / (1 + SPEEDUP_PER_WORKER * onStaging);
  if (speedup <= coveredSpeedup) return undefined;
  const lowFactor = Math.round((speedup / coveredSpeedup) * 100) / 100;
  const workers = `${inProduction} parallel worker${inProduction === 1 ? '' : 's'} in production, ${onStaging} on staging`;
  return { kind: 'parallel-workers', lowFactor, highFactor: 1, reason: `parallel build: up to ${workers}, up to ×${Math.round(speedup * 10) / 10} faster → low end ÷${lowFactor}` };
}

/** The workers PostgreSQL plans for a build on a table of `bytes` (plan_create_index_workers): one more each time the table triples past 8 MB. */
function buildWorkers(bytes: number, server: ProductionServer): number {
  const limit = server.maxParallelMaintenanceWorkers;
  const memory = server.maintenanceWorkMemBytes;
  if (limit === undefined || memory === undefined || bytes < MIN_PARALLEL_TABLE_BYTES) return 0;
  let workers = 1;
  for (let threshold = MIN_PARALLEL_TABLE_BYTES * 3; bytes >= threshold; threshold *= 3) workers++;
  workers = Math.min(workers, limit);
  while (workers > 0 && memory / (workers + 1) < MEMORY_PER_PARTICIPANT) workers--;
  return workers;
}
