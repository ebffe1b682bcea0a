import { describe, expect, it } from 'vitest';
import { bandFor, NARROWEST } from '../../server/src/engine/staging/estimate-calibration';
import { estimateConcurrent, estimateTraced, formatRange, formatRows, type SizeLookup, type TracedWork } from '../../server/src/engine/staging/estimate';
import { IO_BOUND_WIDENING, SORT_SPILL_WIDENING } from '../../server/src/engine/staging/production-regime';
import { productionServerOf } from '../../server/src/engine/staging/production-server';
import type { ProductionEstimate, RelationLabel, TracedLock } from '../../server/src/engine/staging/report';
import { productionFromStats, type StatsFile } from '../../server/src/engine/staging/sizes';

const orders: RelationLabel = { name: 'public.orders', kind: 'table', table: 'public.orders' };
const newIndex: TracedLock = { relation: { name: 'public.orders_customer_idx', kind: 'index', table: 'public.orders' }, mode: 'ACCESS EXCLUSIVE', createdByMigration: true };
const sizes: SizeLookup = (table) => (table === 'public.orders' || table === 'orders' ? { staging: { rows: 100_000, bytes: 10_000_000 }, production: { rows: 50_000_000, bytes: 4_000_000_000 } } : undefined);

const work = (overrides: Partial<TracedWork>): TracedWork => ({
  duration: { kind: 'measured', ms: 3_000 },
  locksAcquired: [],
  locksHeld: [],
  rewritten: [],
  fullScans: [],
  rowsTouched: 0,
  ...overrides,
});

describe('production estimate', () => {
  it('an index build scales by n·log n of the rows, in the range calibrated for its ratio, with what it means', () => {
    const estimate = estimateTraced(work({ locksAcquired: [{ relation: orders, mode: 'SHARE', createdByMigration: false }, newIndex], locksHeld: [{ relation: orders, mode: 'SHARE', createdByMigration: false }, newIndex] }), sizes);
    const band = bandFor('index-build', 500);
    const point = 3_000 * ((50e6 * Math.log2(50e6)) / (1e5 * Math.log2(1e5))) * band.drift;
    expect(estimate).toMatchObject({ kind: 'estimated', model: 'n-log-n', table: 'public.orders', stagingRows: 100_000, productionRows: 50_000_000, pointMs: Math.round(point) });
    const { lowMs, highMs, adjustments } = estimated(estimate);
    // The range is the product of the factors the adjustments state (rounded as they print).
    expect(lowMs).toBe(Math.round(point / round(band.low)));
    expect(highMs).toBe(Math.round(point * round(band.high)));
    // Without production's settings, only the extrapolation widens the range.
    expect(adjustments).toEqual([{ kind: 'extrapolation', lowFactor: round(band.low), highFactor: round(band.high), reason: `scaled ×500 from 100k rows: ÷${round(band.low)}–×${round(band.high)}` }]);
    // The incident: 3 s at 100k rows (the real one blocked writes for 4 h, queueing included).
    expect(estimate.kind === 'estimated' && estimate.sentence).toMatch(/^SHARE on public\.orders for ~.+ at 50M rows: every write waits; reads continue$/);
  });

  it('the range widens with the ratio of sizes, and is never narrower than one run\'s noise', () => {
    for (const kind of ['index-build', 'rewrite', 'scan', 'row-changes'] as const) {
      const [atTen, atHundred] = [bandFor(kind, 10), bandFor(kind, 100)];
      for (const ratio of [1, 1.5, 10, 1_000]) {
        expect(bandFor(kind, ratio).low, kind).toBeGreaterThanOrEqual(NARROWEST.low);
        expect(bandFor(kind, ratio).high, kind).toBeGreaterThanOrEqual(NARROWEST.high);
      }
      expect(atHundred.low, kind).toBeGreaterThan(atTen.low);
      expect(atHundred.high, kind).toBeGreaterThan(atTen.high);
      // Same size: only the noise of one run is left (for backfills, which scale closest to their model).
      expect(bandFor('row-changes', 1)).toEqual({ drift: 1, ...NARROWEST });
      // Production smaller than staging is as far off as larger by the same factor.
      expect(bandFor(kind, 0.1), kind).toEqual({ ...atTen, drift: 1 / atTen.drift });
    }
  });

  it('a rewrite scales by bytes and blocks everything', () => {
    const estimate = estimateTraced(work({ duration: { kind: 'measured', ms: 1_000 }, rewritten: [orders], locksHeld: [{ relation: orders, mode: 'ACCESS EXCLUSIVE', createdByMigration: false }] }), sizes);
    const band = bandFor('rewrite', 500);
    expect(estimate).toMatchObject({ kind: 'estimated', model: 'linear-bytes', pointMs: Math.round(400_000 * band.drift), sentence: expect.stringMatching(/^ACCESS EXCLUSIVE on public\.orders for ~.+ at 50M rows: every read and write waits$/) });
  });

  it('I/O-bound: a table larger than production\'s effective_cache_size widens the high end, and says so', () => {
    const scan = work({ duration: { kind: 'measured', ms: 1_000 }, fullScans: [{ table: 'public.orders', scans: 1, rowsRead: 100_000 }] });
    const cached = estimated(estimateTraced(scan, sizes, { effective_cache_size: '16GB', shared_buffers: '4GB' }));
    expect(cached.adjustments.map((adjustment) => adjustment.kind)).toEqual(['extrapolation']);
    const outgrown = estimated(estimateTraced(scan, sizes, { effective_cache_size: '1GB', shared_buffers: '256MB' }));
    expect(outgrown.adjustments[1]).toEqual({ kind: 'io-bound', lowFactor: 1, highFactor: IO_BOUND_WIDENING, reason: `I/O-bound: table 3.7 GB > effective_cache_size 1 GB → range widened ×${IO_BOUND_WIDENING}` });
    expect(outgrown.pointMs).toBe(cached.pointMs);
    expect(outgrown.lowMs).toBe(cached.lowMs);
    expect(outgrown.highMs / cached.highMs).toBeCloseTo(IO_BOUND_WIDENING, 4);
  });

  it('a staging run too short to time precisely widens both ends, and says how to narrow it', () => {
    const scanFor = (ms: number) => estimated(estimateTraced(work({ duration: { kind: 'measured', ms }, fullScans: [{ table: 'public.orders', scans: 1, rowsRead: 100_000 }] }), sizes));
    expect(scanFor(20).adjustments[1]).toEqual({ kind: 'short-staging-run', lowFactor: 1.5, highFactor: 1.5, reason: 'staging ran 20 ms, too short to time within ±10 ms → range widened ×1.5 each way; more rows on staging narrow it' });
    expect(scanFor(2_000).adjustments.map((adjustment) => adjustment.kind)).toEqual(['extrapolation']);
  });

  it('an index build whose sort outgrows maintenance_work_mem in production, but not on staging, spills to disk', () => {
    const build = work({ locksAcquired: [newIndex], locksHeld: [{ relation: orders, mode: 'SHARE', createdByMigration: false }, newIndex] });
    const spilled = estimated(estimateTraced(build, sizes, { maintenance_work_mem: '64MB', effective_cache_size: '4GB' }));
    expect(spilled.adjustments.find((adjustment) => adjustment.kind === 'sort-spill')).toEqual({
      kind: 'sort-spill',
      lowFactor: 1,
      highFactor: SORT_SPILL_WIDENING,
      reason: `spills to disk: index sort ≥ 2.6 GB > maintenance_work_mem 64 MB and the cache → range widened ×${SORT_SPILL_WIDENING}`,
    });
    // Temporary files the OS cache holds cost no more than the in-memory sort did (measured): said, not widened.
    const cached = estimated(estimateTraced(build, sizes, { maintenance_work_mem: '64MB', effective_cache_size: '16GB' }));
    expect(cached.adjustments.find((adjustment) => adjustment.kind === 'sort-spill')).toMatchObject({ highFactor: 1, reason: expect.stringMatching(/^spills to disk: .*: not widened$/) });
    expect(cached.highMs).toBe(estimated(estimateTraced(build, sizes, { maintenance_work_mem: '4GB', effective_cache_size: '16GB' })).highMs);
    // A table that outgrows the cache is I/O-bound: that widening covers the temporary files too.
    const ioBound = estimated(estimateTraced(build, sizes, { maintenance_work_mem: '64MB', effective_cache_size: '1GB' }));
    expect(ioBound.adjustments.map((adjustment) => [adjustment.kind, adjustment.highFactor])).toEqual([['extrapolation', round(bandFor('index-build', 500).high)], ['io-bound', IO_BOUND_WIDENING], ['sort-spill', 1]]);
    // 4 GB holds the whole sort; with 1 MB staging's sort of 100k rows spilled too, so the scaling already includes it.
    for (const memory of ['4GB', '1MB']) expect(estimated(estimateTraced(build, sizes, { maintenance_work_mem: memory })).adjustments.map((adjustment) => adjustment.kind)).toEqual(['extrapolation']);
  });

  it('parallel workers production plans and staging does not: the low end allows the speedup its range does not already allow', () => {
    const build = work({ locksAcquired: [newIndex], locksHeld: [{ relation: orders, mode: 'SHARE', createdByMigration: false }, newIndex] });
    const small: SizeLookup = () => ({ staging: { rows: 10_000, bytes: 1_000_000 }, production: { rows: 100_000, bytes: 4_000_000_000 } });
    // 4 GB: PostgreSQL plans 6 workers, capped at 4 by the setting; 1 GB of memory feeds 5 participants. 1 MB on staging: none.
    const parallel = estimated(estimateTraced(build, small, { maintenance_work_mem: '1GB', max_parallel_maintenance_workers: '4' }));
    const band = bandFor('index-build', 10);
    const speedup = 1 + 0.5 * 4;
    expect(parallel.adjustments.find((adjustment) => adjustment.kind === 'parallel-workers')).toMatchObject({ lowFactor: round2(speedup / band.low), highFactor: 1, reason: expect.stringContaining('up to 4 parallel workers in production, 0 on staging') });
    // 64 MB feeds only the leader and one worker: a speedup the range already allows.
    expect(estimated(estimateTraced(build, small, { maintenance_work_mem: '64MB', max_parallel_maintenance_workers: '4' })).adjustments.some((adjustment) => adjustment.kind === 'parallel-workers')).toBe(false);
  });

  it('says why it cannot estimate: catalog-only changes, no sizes, an empty staging table, no timing', () => {
    expect(estimateTraced(work({}), sizes)).toMatchObject({ kind: 'not-estimated', reason: expect.stringContaining('catalog change only') });
    expect(estimateTraced(work({ fullScans: [{ table: 'public.customers', scans: 1, rowsRead: 10 }] }), sizes)).toMatchObject({ kind: 'not-estimated', reason: 'no production size for public.customers' });
    const empty: SizeLookup = () => ({ staging: { rows: 0, bytes: 0 }, production: { rows: 10, bytes: undefined } });
    expect(estimateTraced(work({ fullScans: [{ table: 'public.orders', scans: 1, rowsRead: 1 }] }), empty)).toMatchObject({ reason: expect.stringContaining('empty on staging') });
    expect(estimateTraced(work({ duration: { kind: 'not-measured', reason: 'PGlite' } }), sizes)).toMatchObject({ kind: 'not-estimated', reason: 'no staging duration (PGlite)' });
  });

  it('an index on a table the migration created has nothing to scale', () => {
    const table: TracedLock = { relation: { name: 'public.fresh', kind: 'table', table: 'public.fresh' }, mode: 'ACCESS EXCLUSIVE', createdByMigration: true };
    const index: TracedLock = { relation: { name: 'public.fresh_idx', kind: 'index', table: 'public.fresh' }, mode: 'ACCESS EXCLUSIVE', createdByMigration: true };
    expect(estimateTraced(work({ locksAcquired: [index], locksHeld: [table, index] }), sizes).kind).toBe('not-estimated');
  });

  it('CREATE INDEX CONCURRENTLY: 1.2–1.5× the plain build, plus the wait for older transactions', () => {
    const estimate = estimateConcurrent({ kind: 'measured', ms: 3_000 }, 'orders', 'SHARE UPDATE EXCLUSIVE', sizes);
    if (estimate.kind !== 'estimated') throw new Error();
    const band = bandFor('index-build', 500);
    expect(estimate.lowMs / estimate.pointMs).toBeCloseTo((1 / round(band.low)) * 1.2, 5);
    expect(estimate.highMs / estimate.pointMs).toBeCloseTo(round(band.high) * 1.5, 5);
    expect(estimate.sentence).toMatch(/^SHARE UPDATE EXCLUSIVE on orders for ~.* at 50M rows: reads and writes continue, plus the wait for every transaction older than it$/);
  });

  it('reads production\'s memory settings as PostgreSQL prints them, and leaves out what it cannot read', () => {
    expect(productionServerOf({ shared_buffers: '128MB', effective_cache_size: '4GB', maintenance_work_mem: '65536kB', max_parallel_maintenance_workers: '2' })).toEqual({
      sharedBuffersBytes: 128 * 1024 ** 2,
      effectiveCacheBytes: 4 * 1024 ** 3,
      maintenanceWorkMemBytes: 64 * 1024 ** 2,
      maxParallelMaintenanceWorkers: 2,
    });
    // Bare numbers are in the setting's unit: 8 kB pages for the caches, kB for work memory.
    expect(productionServerOf({ shared_buffers: '16384', maintenance_work_mem: '1024', max_parallel_maintenance_workers: 'two' })).toEqual({
      sharedBuffersBytes: 128 * 1024 ** 2,
      effectiveCacheBytes: undefined,
      maintenanceWorkMemBytes: 1024 ** 2,
      maxParallelMaintenanceWorkers: undefined,
    });
  });

  it('a stats file exported before settings and index sizes were exported still reads', () => {
    const old: StatsFile = { format: 'lockguard-stats', version: 1, exportedAt: '2026-01-01T00:00:00Z', server: { version: '16.4', systemIdentifier: null }, tables: [{ table: 'public.orders', rows: 10, bytes: 8192, totalBytes: 8192 }] };
    expect(productionFromStats(old, 'stats-file')).toEqual({ source: 'stats-file', systemIdentifier: null, settings: {}, tables: new Map([['public.orders', { rows: 10, bytes: 8192 }]]) });
    const current: StatsFile = { ...old, settings: { shared_buffers: '4GB' }, tables: [{ ...old.tables[0]!, indexBytes: 16384 }] };
    expect(productionFromStats(current, 'stats-file').tables.get('public.orders')).toEqual({ rows: 10, bytes: 8192, indexBytes: 16384 });
  });

  it('formats ranges and row counts for people', () => {
    expect(formatRange(180_000, 720_000)).toBe('3–12 min');
    expect(formatRange(40_000, 120_000)).toBe('40 s–2 min');
    expect(formatRange(0.2, 0.8)).toBe('0.2–0.8 ms');
    expect(formatRows(50_000_000)).toBe('50M');
    expect(formatRows(1_200)).toBe('1.2k');
    expect(formatRows(800)).toBe('800');
  });
});

function estimated(estimate: ProductionEstimate): Extract<ProductionEstimate, { kind: 'estimated' }> & { adjustments: NonNullable<Extract<ProductionEstimate, { kind: 'estimated' }>['adjustments']> } {
  if (estimate.kind !== 'estimated' || !estimate.adjustments) throw new Error(`expected an estimate with its adjustments: ${JSON.stringify(estimate)}`);
  return { ...estimate, adjustments: estimate.adjustments };
}

const round = (factor: number) => Math.round(factor * 10) / 10;
const round2 = (factor: number) => Math.round(factor * 100) / 100;
