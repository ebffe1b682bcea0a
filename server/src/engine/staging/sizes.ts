/**
 * Table sizes on staging and production, and the stats file `lockguard stats` exports. Production is
 * read with catalog statistics only (reltuples, relpages): no table lock, no scan.
 */
import { readFile } from 'node:fs/promises';
import type { SqlSession } from './snapshot';
import type { ProductionSource } from './report';

export interface MeasuredSize {
  table: string;
  rows: number;
  bytes: number;
  totalBytes: number;
  /** The table's indexes (from relpages; absent in older stats files and on staging). */
  indexBytes?: number;
}

/**
 * The file `lockguard stats --url URL` writes and `lockguard check --stats FILE` reads (JSON):
 * `{ "format": "lockguard-stats", "version": 1, "exportedAt": ISO time, "server": { "version": "17.10",
 * "systemIdentifier": "7312…" | null }, "settings": { "maintenance_work_mem": "64MB", "shared_buffers": "4GB", … },
 * "tables": [{ "table": "public.orders", "rows": 50000000,
 * "bytes": 4096000000, "totalBytes": 6144000000, "indexBytes": 2048000000 }] }` — rows from reltuples, bytes from
 * relpages. Readers must accept files without `settings` or `indexBytes` (older exports).
 */
export interface StatsFile {
  format: 'lockguard-stats';
  version: 1;
  exportedAt: string;
  server: { version: string; systemIdentifier: string | null };
  /** Production's values of the settings that change how fast an index build or rewrite runs (absent in older files). */
  settings?: Partial<Record<ExportedSetting, string>>;
  tables: MeasuredSize[];
}

/**
 * Settings that switch a build between regimes (in-memory or spilled sort, parallel workers): the
 * staging measurement runs with production's values (docs/staging-measurements.md §5).
 */
export const REGIME_SETTINGS = ['maintenance_work_mem', 'max_parallel_maintenance_workers', 'work_mem'] as const;
export type RegimeSetting = (typeof REGIME_SETTINGS)[number];

/**
 * Settings the estimate reads but staging cannot take (they need a restart): what production keeps
 * cached, to tell a statement that will read from disk there (production-regime.ts).
 */
export const CACHE_SETTINGS = ['shared_buffers', 'effective_cache_size'] as const;
export type ExportedSetting = RegimeSetting | (typeof CACHE_SETTINGS)[number];

export interface ProductionTables {
  source: ProductionSource;
  systemIdentifier: string | null;
  settings: Partial<Record<ExportedSetting, string>>;
  tables: Map<string, { rows: number; bytes: number | undefined; indexBytes?: number }>;
}

const USER_TABLES = `c.relkind IN ('r', 'm', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

/** Statistics only, no lock: what production may be asked. reltuples is -1 (PG 14+) or 0 before the first ANALYZE. */
const STATISTICS_SQL = `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS table, c.reltuples::float8 AS rows,
    (c.relpages::int8 * current_setting('block_size')::int8) AS bytes,
    ((c.relpages::int8 + COALESCE(t.relpages, 0)) * current_setting('block_size')::int8) AS total_bytes,
    (SELECT COALESCE(sum(i.relpages::int8), 0) * current_setting('block_size')::int8 FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = c.oid) AS index_bytes
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
  WHERE ${USER_TABLES}`;

/** Staging: exact file sizes, and a count where the table was never analyzed (a freshly seeded staging copy). */
export async function stagingSizes(session: SqlSession, tables: readonly string[]): Promise<MeasuredSize[]> {
  if (tables.length === 0) return [];
  const { rows } = await session.query<{ table: string; rows: number; bytes: string; total_bytes: string }>(
    `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS table, c.reltuples::float8 AS rows,
       pg_relation_size(c.oid)::int8 AS bytes, pg_total_relation_size(c.oid)::int8 AS total_bytes
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE ${USER_TABLES} AND quote_ident(n.nspname) || '.' || quote_ident(c.relname) = ANY ($1)`,
    [tables],
  );
  const sizes: MeasuredSize[] = [];
  for (const row of rows) {
    let count = Number(row.rows);
    if (count <= 0 && Number(row.bytes) > 0) {
      const counted = await session.query<{ n: string }>(`SELECT count(*)::int8 AS n FROM ${row.table}`);
      count = Number(counted.rows[0]?.n ?? 0);
    }
    sizes.push({ table: row.table, rows: Math.round(Math.max(count, 0)), bytes: Number(row.bytes), totalBytes: Number(row.total_bytes) });
  }
  return sizes;
}

/** Production's sizes from a read-only connection: one read-only transaction, statistics only. */
export async function statisticsOf(session: SqlSession): Promise<StatsFile> {
  await session.query('BEGIN READ ONLY');
  try {
    await session.query(`SET LOCAL statement_timeout = 30000`);
    const version = await session.query<{ version: string }>(`SELECT current_setting('server_version') AS version`);
    const tables = await session.query<{ table: string; rows: number; bytes: string; total_bytes: string; index_bytes: string }>(STATISTICS_SQL);
    const settings = await session.query<{ name: ExportedSetting; setting: string }>(`SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name = ANY ($1)`, [
      [...REGIME_SETTINGS, ...CACHE_SETTINGS],
    ]);
    return {
      format: 'lockguard-stats',
      version: 1,
      exportedAt: new Date().toISOString(),
      server: { version: version.rows[0]?.version ?? 'unknown', systemIdentifier: await systemIdentifier(session) },
      settings: Object.fromEntries(settings.rows.map((row) => [row.name, row.setting])),
      tables: tables.rows.map((row) => ({
        table: row.table,
        rows: Math.max(0, Math.round(Number(row.rows))),
        bytes: Number(row.bytes),
        totalBytes: Number(row.total_bytes),
        indexBytes: Number(row.index_bytes),
      })),
    };
  } finally {
    await session.query('ROLLBACK');
  }
}

/** The cluster's identity, to tell a staging URL that points at production; null where the role may not read it. */
export async function systemIdentifier(session: SqlSession): Promise<string | null> {
  await session.query('SAVEPOINT lockguard_sysid').catch(() => undefined);
  try {
    const { rows } = await session.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()');
    return rows[0]?.id ?? null;
  } catch {
    await session.query('ROLLBACK TO SAVEPOINT lockguard_sysid').catch(() => undefined);
    return null;
  }
}

export class StatsFileError extends Error {}

export async function readStatsFile(path: string): Promise<StatsFile> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new StatsFileError(`Cannot read the stats file ${path}: ${(error as Error).message}. Export it with \`lockguard stats --url URL --out ${path}\`.`);
  }
  const file = parsed as Partial<StatsFile>;
  if (file.format !== 'lockguard-stats' || file.version !== 1 || !Array.isArray(file.tables)) {
    throw new StatsFileError(`${path} is not a Lockguard stats file (format "lockguard-stats", version 1). Export one with \`lockguard stats --url URL --out ${path}\`.`);
  }
  return file as StatsFile;
}

export function productionFromStats(stats: StatsFile, source: ProductionSource): ProductionTables {
  const sizeOf = (table: MeasuredSize) => ({ rows: table.rows, bytes: table.bytes, ...(table.indexBytes === undefined ? {} : { indexBytes: table.indexBytes }) });
  return { source, systemIdentifier: stats.server.systemIdentifier, settings: stats.settings ?? {}, tables: new Map(stats.tables.map((table) => [table.table, sizeOf(table)])) };
}

export function productionFromRowCounts(rows: Readonly<Record<string, number>>): ProductionTables {
  return { source: 'row-counts', systemIdentifier: null, settings: {}, tables: new Map(Object.entries(rows).map(([table, count]) => [table, { rows: count, bytes: undefined }])) };
}

/** `orders` matches `public.orders`; a qualified name matches exactly. */
export function lookupTable<T>(tables: ReadonlyMap<string, T>, table: string): T | undefined {
  const exact = tables.get(table);
  if (exact !== undefined) return exact;
  const bare = (name: string) => name.slice(name.lastIndexOf('.') + 1).replace(/^"|"$/g, '');
  for (const [name, value] of tables) if (bare(name) === bare(table) && (!table.includes('.') || !name.includes('.'))) return value;
  return undefined;
}
