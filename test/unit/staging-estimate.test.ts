import { describe, expect, it } from 'vitest';
import { estimateConcurrent, estimateTraced, formatRange, formatRows, type SizeLookup, type TracedWork } from '../../server/src/engine/staging/estimate';
import type { RelationLabel, TracedLock } from '../../server/src/engine/staging/report';

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
  it('an index build scales by n·log n of the rows, as a ×0.5–×2 range with what it means', () => {
    const estimate = estimateTraced(work({ locksAcquired: [{ relation: orders, mode: 'SHARE', createdByMigration: false }, newIndex], locksHeld: [{ relation: orders, mode: 'SHARE', createdByMigration: false }, newIndex] }), sizes);
    const ratio = (50e6 * Math.log2(50e6)) / (1e5 * Math.log2(1e5));
    expect(estimate).toMatchObject({ kind: 'estimated', model: 'n-log-n', table: 'public.orders', stagingRows: 100_000, productionRows: 50_000_000, pointMs: Math.round(3_000 * ratio) });
    if (estimate.kind !== 'estimated') throw new Error();
    expect(estimate.lowMs).toBe(Math.round(3_000 * ratio * 0.5));
    expect(estimate.highMs).toBe(Math.round(3_000 * ratio * 2));
    // The incident: 3 s at 100k rows is 19 min–1.3 h at 50M rows (the real one blocked writes for 4 h, queueing included).
    expect(estimate.sentence).toBe('SHARE on public.orders for ~19 min–1.3 h at 50M rows: every write waits; reads continue');
  });

  it('a rewrite scales by bytes and blocks everything', () => {
    const estimate = estimateTraced(work({ duration: { kind: 'measured', ms: 1_000 }, rewritten: [orders], locksHeld: [{ relation: orders, mode: 'ACCESS EXCLUSIVE', createdByMigration: false }] }), sizes);
    expect(estimate).toMatchObject({ kind: 'estimated', model: 'linear-bytes', pointMs: 400_000, sentence: 'ACCESS EXCLUSIVE on public.orders for ~3.3–13 min at 50M rows: every read and write waits' });
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
    expect(estimate.lowMs).toBe(Math.round(estimate.pointMs * 0.5 * 1.2));
    expect(estimate.highMs).toBe(Math.round(estimate.pointMs * 2 * 1.5));
    expect(estimate.sentence).toMatch(/^SHARE UPDATE EXCLUSIVE on orders for ~.* at 50M rows: reads and writes continue, plus the wait for every transaction older than it$/);
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
