/**
 * The production estimate against reality: a CREATE INDEX traced on a 200k-row staging table is
 * scaled to a 10× larger table, and the time the same statement really takes there must land inside
 * the stated range. Production sizes come from the stats export (`lockguard stats`'s reader), as row
 * counts: both databases live in the same test cluster, which the check would refuse as production.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { checkMigration } from '../../server/src/engine/staging/check';
import type { ProductionEstimate } from '../../server/src/engine/staging/report';
import { productionServerOf } from '../../server/src/engine/staging/production-server';
import { CACHE_SETTINGS, REGIME_SETTINGS, statisticsOf } from '../../server/src/engine/staging/sizes';
import { createStagingDatabase, ORDERS_ROWS, type StagingDatabase } from './staging-fixture';

const serverUrl = inject('pgUrl');
let staging: StagingDatabase;
let production: StagingDatabase;

beforeAll(async () => {
  staging = await createStagingDatabase(serverUrl, 'estimate_staging');
  production = await createStagingDatabase(serverUrl, 'estimate_production', ORDERS_ROWS * 10);
}, 120_000);
afterAll(async () => {
  await staging?.drop();
  await production?.drop();
});

it('CREATE INDEX on 200k rows, scaled to 2M: the real 2M-row build lands inside the range', async () => {
  const statement = 'CREATE INDEX orders_customer_idx ON orders (customer_id)';
  const stats = await statisticsOf(await production.session());
  const orders = stats.tables.find((table) => table.table === 'public.orders')!;
  expect(orders.rows).toBe(ORDERS_ROWS * 10);

  // Timings on a shared machine are noisy (±25 %): like the real build below, the check runs three times and the median counts.
  const estimates: Extract<ProductionEstimate, { kind: 'estimated' }>[] = [];
  for (let run = 0; run < 3; run++) {
    const result = await checkMigration({ file: 'm.sql', text: `${statement};`, staging: { url: staging.url }, production: { kind: 'row-counts', rows: { 'public.orders': orders.rows } } });
    if (result.kind !== 'report') throw new Error(JSON.stringify(result.problem));
    const [traced] = result.report.statements;
    if (traced?.status !== 'traced' || traced.trace.estimate.kind !== 'estimated') throw new Error(JSON.stringify(traced));
    expect(result.report.tables).toEqual([{ table: 'public.orders', staging: expect.objectContaining({ rows: ORDERS_ROWS }), production: { rows: ORDERS_ROWS * 10, bytes: undefined, source: 'row-counts' } }]);
    estimates.push(traced.trace.estimate);
  }
  const estimate = estimates.sort((a, b) => a.pointMs - b.pointMs)[1]!;
  expect(estimate).toMatchObject({ model: 'n-log-n', stagingRows: ORDERS_ROWS, productionRows: ORDERS_ROWS * 10 });

  // The same statement, plainly, on the larger table: the median of three rolled-back builds.
  const session = await production.session();
  const times: number[] = [];
  for (let run = 0; run < 3; run++) {
    await session.query('BEGIN');
    const started = performance.now();
    await session.query(statement);
    times.push(performance.now() - started);
    await session.query('ROLLBACK');
  }
  const real = times.sort((a, b) => a - b)[1]!;
  expect(real, `real ${Math.round(real)} ms; estimate ${estimate.lowMs}–${estimate.highMs} ms`).toBeGreaterThanOrEqual(estimate.lowMs);
  expect(real, `real ${Math.round(real)} ms; estimate ${estimate.lowMs}–${estimate.highMs} ms`).toBeLessThanOrEqual(estimate.highMs);
}, 120_000);

it('the stats export carries the memory settings and index sizes the estimate reads, from the catalog', async () => {
  const session = await production.session();
  const stats = await statisticsOf(session);
  expect(Object.keys(stats.settings ?? {}).sort()).toEqual([...REGIME_SETTINGS, ...CACHE_SETTINGS].sort());
  const { rows } = await session.query<{ shared_buffers: string; effective_cache_size: string; maintenance_work_mem: string; index_bytes: string }>(
    `SELECT (SELECT setting::int8 * 8192 FROM pg_settings WHERE name = 'shared_buffers') AS shared_buffers,
       (SELECT setting::int8 * 8192 FROM pg_settings WHERE name = 'effective_cache_size') AS effective_cache_size,
       (SELECT setting::int8 * 1024 FROM pg_settings WHERE name = 'maintenance_work_mem') AS maintenance_work_mem,
       pg_indexes_size('orders') AS index_bytes`,
  );
  const real = rows[0]!;
  expect(productionServerOf(stats.settings ?? {})).toMatchObject({
    sharedBuffersBytes: Number(real.shared_buffers),
    effectiveCacheBytes: Number(real.effective_cache_size),
    maintenanceWorkMemBytes: Number(real.maintenance_work_mem),
  });
  // The fixture vacuumed orders: the statistics' page counts are the index files' sizes.
  expect(stats.tables.find((table) => table.table === 'public.orders')?.indexBytes).toBe(Number(real.index_bytes));
});
