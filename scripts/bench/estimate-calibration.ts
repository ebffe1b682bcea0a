/**
 * Calibrates the staging check's production estimate against real run times. Builds `orders` at each
 * size, times each statement kind (BEGIN, the statement, ROLLBACK; RUNS times), then predicts every
 * larger size from every smaller one with the estimator (`extrapolate` in
 * server/src/engine/staging/estimate.ts) and prints, per statement kind and ratio, the coverage (share
 * of measured times inside the predicted range) and the range's width (high ÷ low).
 * Each staging run is one prediction (the check times a statement once); the measured time is the
 * median of RUNS runs.
 * With --cold, the largest size is measured once more with its pages evicted from shared_buffers
 * (pg_buffercache_evict, PostgreSQL 17+) and from the OS page cache (posix_fadvise DONTNEED through
 * `dd iflag=nocache`) before each run, and predicted with effective_cache_size = shared_buffers: the
 * estimator must call those runs I/O-bound.
 * Measurements are cached in --cache FILE (per server major, size and statement kind), so a rerun
 * with another model or more sizes measures only what is missing; --fresh ignores the cache.
 * Run: `npm run bench:estimate -- [--sizes 100k,1M,3M] [--runs 3] [--major 17] [--cold] [--cache FILE] [--fresh] [--report-only]`
 * (the defaults ran in 7.5 minutes on a busy 2-core machine; 100k,300k,1M,3M,10M with --cold in about 40).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { extrapolate } from '../../server/src/engine/staging/estimate';
import type { WorkKind } from '../../server/src/engine/staging/production-regime';
import { startPostgres } from '../../test/postgres/pg-server';
import { median } from './stats';

interface StatementKind {
  kind: string;
  work: WorkKind;
  /** Run untimed first, in the same transaction. */
  setUp?: string;
  sql: string;
}

const KINDS: readonly StatementKind[] = [
  { kind: 'CREATE INDEX (int)', work: 'index-build', sql: 'CREATE INDEX orders_customer_idx ON orders (customer_id)' },
  { kind: 'CREATE INDEX (text, timestamptz)', work: 'index-build', sql: 'CREATE INDEX orders_note_created_idx ON orders (note, created_at)' },
  { kind: 'ADD CHECK (validation scan)', work: 'scan', sql: 'ALTER TABLE orders ADD CONSTRAINT orders_amount_chk CHECK (amount >= 0)' },
  { kind: 'ADD FOREIGN KEY (validation)', work: 'scan', sql: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)' },
  { kind: 'SET NOT NULL (scan)', work: 'scan', sql: 'ALTER TABLE orders ALTER COLUMN note SET NOT NULL' },
  { kind: 'ALTER COLUMN TYPE bigint (rewrite)', work: 'rewrite', sql: 'ALTER TABLE orders ALTER COLUMN customer_id TYPE bigint' },
  { kind: 'UPDATE backfill', work: 'row-changes', setUp: 'ALTER TABLE orders ADD COLUMN shipped_at timestamptz', sql: 'UPDATE orders SET shipped_at = created_at' },
];

const SETTING_NAMES = ['shared_buffers', 'effective_cache_size', 'maintenance_work_mem', 'max_parallel_maintenance_workers'] as const;

interface TableSizes {
  rows: number;
  bytes: number;
  indexBytes: number;
}

interface Measurement extends TableSizes {
  runsMs: number[];
}

/** Key: `${major}/${cold ? 'cold' : 'warm'}/${rows}/${kind}`. */
type Cache = Record<string, Measurement>;

interface Options {
  sizes: number[];
  runs: number;
  major: number;
  cold: boolean;
  cachePath: string;
  fresh: boolean;
  /** Print the table from the cache as it is, measuring nothing (e.g. while a long run is filling it). */
  reportOnly: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '100k,1M,3M' },
      runs: { type: 'string', default: '3' },
      major: { type: 'string', default: '17' },
      cold: { type: 'boolean', default: false },
      cache: { type: 'string', default: join(tmpdir(), 'lockguard-estimate-calibration.json') },
      fresh: { type: 'boolean', default: false },
      'report-only': { type: 'boolean', default: false },
    },
  });
  const sizes = values.sizes.split(',').map(parseCount).sort((a, b) => a - b);
  return { sizes, runs: Number(values.runs), major: Number(values.major), cold: values.cold, cachePath: values.cache, fresh: values.fresh, reportOnly: values['report-only'] };
}

/** `100k`, `1M`, `2.5M`, `1000000`. */
function parseCount(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kM]?)$/.exec(text.trim());
  if (!match) throw new Error(`--sizes: "${text}" is not a row count such as 100k or 1M`);
  return Math.round(Number(match[1]) * (match[2] === 'M' ? 1e6 : match[2] === 'k' ? 1e3 : 1));
}

async function main(): Promise<void> {
  const opts = options();
  const cache: Cache = !opts.fresh && existsSync(opts.cachePath) ? (JSON.parse(readFileSync(opts.cachePath, 'utf8')) as Cache) : {};
  const scenarios = [...opts.sizes.map((rows) => ({ rows, cold: false })), ...(opts.cold ? [{ rows: opts.sizes.at(-1)!, cold: true }] : [])];
  const missing = opts.reportOnly ? [] : scenarios.filter(({ rows, cold }) => KINDS.some((kind) => (cache[keyOf(opts.major, cold, rows, kind)]?.runsMs.length ?? 0) < opts.runs));
  let settings: Record<string, string> = {};
  const settingsPath = `${opts.cachePath}.settings-${opts.major}.json`;
  if (missing.length > 0) {
    const server = await startPostgres({ major: opts.major });
    try {
      const client = new pg.Client(server.url);
      await client.connect();
      try {
        settings = await settingsOf(client);
        writeFileSync(settingsPath, JSON.stringify(settings));
        for (const rows of [...new Set(missing.map((scenario) => scenario.rows))]) {
          process.stderr.write(`building orders with ${rows.toLocaleString('en-US')} rows…\n`);
          await buildTables(client, rows);
          for (const { cold } of missing.filter((scenario) => scenario.rows === rows)) {
            for (const kind of KINDS) {
              const key = keyOf(opts.major, cold, rows, kind);
              if ((cache[key]?.runsMs.length ?? 0) >= opts.runs) continue;
              cache[key] = await measure(client, kind, opts.runs, cold);
              process.stderr.write(`  ${cold ? 'cold ' : ''}${kind.kind}: ${cache[key].runsMs.map((ms) => Math.round(ms)).join(', ')} ms\n`);
              writeFileSync(opts.cachePath, JSON.stringify(cache, null, 1));
            }
          }
        }
      } finally {
        await client.end();
      }
    } finally {
      await server.stop();
    }
  } else if (existsSync(settingsPath)) {
    settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, string>;
  }
  process.stdout.write(report(cache, opts, settings));
}

const keyOf = (major: number, cold: boolean, rows: number, kind: StatementKind) => `${major}/${cold ? 'cold' : 'warm'}/${rows}/${kind.kind}`;

async function settingsOf(client: pg.Client): Promise<Record<string, string>> {
  const { rows } = await client.query<{ name: string; setting: string }>(`SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name = ANY ($1)`, [[...SETTING_NAMES]]);
  return Object.fromEntries(rows.map((row) => [row.name, row.setting]));
}

/** `orders` as the staging fixture seeds it (test/postgres/staging-fixture.ts), plus an amount; vacuumed and frozen, so no run sets hint bits. */
async function buildTables(client: pg.Client, rows: number): Promise<void> {
  await client.query(`
    DROP TABLE IF EXISTS orders, customers;
    CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
    INSERT INTO customers SELECT i, 'customer ' || i FROM generate_series(1, 1000) AS i;
    CREATE TABLE orders (
      id          bigint PRIMARY KEY,
      customer_id int NOT NULL,
      status      text NOT NULL DEFAULT 'new',
      note        varchar(50),
      amount      int NOT NULL,
      created_at  timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO orders (id, customer_id, status, note, amount, created_at)
      SELECT i, 1 + i % 1000, (ARRAY['new', 'paid', 'shipped'])[1 + i % 3], 'note ' || (i::int8 * 7919) % ${rows}, i % 5000, timestamptz '2026-01-01' + i * interval '1 minute'
      FROM generate_series(1, ${rows}) AS i;
    CREATE INDEX orders_status_idx ON orders (status);
  `);
  await client.query('VACUUM (FREEZE, ANALYZE) customers');
  await client.query('VACUUM (FREEZE, ANALYZE) orders');
}

async function measure(client: pg.Client, kind: StatementKind, runs: number, cold: boolean): Promise<Measurement> {
  const sizes = await tableSizes(client);
  const runsMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    if (cold) await evictOrders(client);
    else await client.query('SELECT count(*) FROM orders'); // warm: the staging check reads a cached table
    await client.query('BEGIN');
    if (kind.setUp) await client.query(kind.setUp);
    const started = performance.now();
    await client.query(kind.sql);
    runsMs.push(performance.now() - started);
    await client.query('ROLLBACK');
    // A rolled-back UPDATE leaves a dead copy of every row: the next run must find the table as before.
    if (kind.work === 'row-changes') await client.query('VACUUM orders');
  }
  return { ...sizes, runsMs };
}

async function tableSizes(client: pg.Client): Promise<TableSizes> {
  const { rows } = await client.query<{ rows: string; bytes: string; index_bytes: string }>(
    `SELECT (SELECT count(*) FROM orders) AS rows, pg_relation_size('orders') AS bytes, pg_indexes_size('orders') AS index_bytes`,
  );
  return { rows: Number(rows[0]!.rows), bytes: Number(rows[0]!.bytes), indexBytes: Number(rows[0]!.index_bytes) };
}

/** Out of shared_buffers and the OS page cache: the next read of `orders` (and its indexes) comes from disk. */
async function evictOrders(client: pg.Client): Promise<void> {
  await client.query('CHECKPOINT');
  await client.query('CREATE EXTENSION IF NOT EXISTS pg_buffercache');
  await client.query(`SELECT pg_buffercache_evict(bufferid) FROM pg_buffercache b JOIN pg_class c ON b.relfilenode = pg_relation_filenode(c.oid)
    WHERE c.relname IN ('orders', 'orders_pkey', 'orders_status_idx')`);
  const { rows } = await client.query<{ path: string }>(
    `SELECT current_setting('data_directory') || '/' || pg_relation_filepath(c.oid) AS path FROM pg_class c WHERE c.relname IN ('orders', 'orders_pkey', 'orders_status_idx')`,
  );
  for (const { path } of rows) {
    for (let segment = 0; existsSync(segment === 0 ? path : `${path}.${segment}`); segment++) {
      execFileSync('dd', [`if=${segment === 0 ? path : `${path}.${segment}`}`, 'iflag=nocache', 'count=0', 'status=none']);
    }
  }
}

interface Prediction {
  kind: string;
  ratio: number;
  scenario: 'warm' | 'cold';
  covered: boolean;
  width: number;
  /** Measured ÷ the model's point. */
  error: number;
}

function predictions(cache: Cache, opts: Options, settings: Record<string, string>): Prediction[] {
  const found: Prediction[] = [];
  for (const kind of KINDS) {
    for (const stagingRows of opts.sizes) {
      const staging = cache[keyOf(opts.major, false, stagingRows, kind)];
      if (!staging) continue;
      const targets = [...opts.sizes.filter((rows) => rows > stagingRows).map((rows) => ({ rows, cold: false })), ...(opts.cold ? [{ rows: opts.sizes.at(-1)!, cold: true }] : [])];
      for (const target of targets) {
        const production = cache[keyOf(opts.major, target.cold, target.rows, kind)];
        if (!production || production.rows <= staging.rows) continue;
        const actual = median(production.runsMs);
        // Cold: nothing beyond shared_buffers stays cached, which is what the estimator is told.
        const server = target.cold ? { ...settings, effective_cache_size: settings.shared_buffers ?? '128MB' } : settings;
        for (const stagingMs of staging.runsMs) {
          const range = extrapolate({ work: kind.work, stagingMs, staging: { rows: staging.rows, bytes: staging.bytes }, production: { rows: production.rows, bytes: production.bytes, indexBytes: production.indexBytes }, server });
          found.push({ kind: kind.kind, ratio: production.rows / staging.rows, scenario: target.cold ? 'cold' : 'warm', covered: actual >= range.lowMs && actual <= range.highMs, width: range.highMs / range.lowMs, error: actual / range.pointMs });
        }
      }
    }
  }
  return found;
}

function report(cache: Cache, opts: Options, settings: Record<string, string>): string {
  const all = predictions(cache, opts, settings);
  // Half-decades: 100k → 300k and 300k → 1M are both "3×".
  const ratioLabel = (ratio: number) => {
    const halfDecades = Math.round(Math.log10(ratio) * 2);
    return `${halfDecades % 2 === 0 ? 10 ** (halfDecades / 2) : 3 * 10 ** ((halfDecades - 1) / 2)}×`;
  };
  const lines: string[] = [
    `Production estimate calibration: PostgreSQL ${opts.major}, sizes ${opts.sizes.map((rows) => rows.toLocaleString('en-US')).join(', ')} rows${opts.cold ? ` (+ ${opts.sizes.at(-1)!.toLocaleString('en-US')} cold)` : ''}, ${opts.runs} runs each`,
    `settings: ${SETTING_NAMES.map((name) => `${name}=${settings[name] ?? '?'}`).join(', ')}`,
    'one prediction per staging run; actual = median of the larger size\'s runs; ratio = production ÷ staging rows, to the half-decade;',
    'coverage = share of actual times inside the range; width = median of high ÷ low; measured/point = median of actual ÷ the model\'s point',
    '',
    `${'statement kind'.padEnd(36)}${'ratio'.padStart(7)}${'scenario'.padStart(9)}${'n'.padStart(4)}${'coverage'.padStart(10)}${'width'.padStart(8)}${'measured/point'.padStart(16)}`,
  ];
  const groups = new Map<string, Prediction[]>();
  for (const prediction of all) {
    const key = `${prediction.kind}\t${ratioLabel(prediction.ratio)}\t${prediction.scenario}`;
    groups.set(key, [...(groups.get(key) ?? []), prediction]);
  }
  const row = (label: string, ratio: string, scenario: string, group: Prediction[]) =>
    `${label.padEnd(36)}${ratio.padStart(7)}${scenario.padStart(9)}${String(group.length).padStart(4)}${percent(group.filter((p) => p.covered).length / group.length).padStart(10)}${`×${median(group.map((p) => p.width)).toFixed(1)}`.padStart(8)}${median(group.map((p) => p.error)).toFixed(2).padStart(16)}`;
  // Statement kinds in KINDS' order, warm before cold, smaller ratios first.
  const order = (key: string) => {
    const [kind, ratio, scenario] = key.split('\t') as [string, string, string];
    return [KINDS.findIndex((candidate) => candidate.kind === kind), scenario === 'warm' ? 0 : 1, Number.parseFloat(ratio)];
  };
  const byOrder = (a: string, b: string) => {
    const [x, y] = [order(a), order(b)];
    return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
  };
  for (const key of [...groups.keys()].sort(byOrder)) {
    const [kind, ratio, scenario] = key.split('\t') as [string, string, string];
    lines.push(row(kind, ratio, scenario, groups.get(key)!));
  }
  lines.push('');
  const ratios = [...new Set(all.map((p) => `\t${ratioLabel(p.ratio)}\t${p.scenario}`))].sort(byOrder).map((key) => key.slice(1));
  for (const entry of ratios) {
    const [ratio, scenario] = entry.split('\t') as [string, string];
    lines.push(row('all kinds', ratio, scenario, all.filter((p) => ratioLabel(p.ratio) === ratio && p.scenario === scenario)));
  }
  return `${lines.join('\n')}\n`;
}

const percent = (share: number) => `${Math.round(share * 100)} %`;

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
