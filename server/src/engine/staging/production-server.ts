/**
 * Production's memory and parallelism, read from the settings `lockguard stats` exports: what decides
 * whether a statement's reads come from memory or disk, and whether an index build's sort spills.
 */

/** The settings as `current_setting()` prints them, e.g. `{ shared_buffers: '4GB', max_parallel_maintenance_workers: '2' }`. */
export type SettingValues = Readonly<Partial<Record<string, string>>>;

export interface ProductionServer {
  sharedBuffersBytes: number | undefined;
  /** The planner's assumption of shared_buffers plus the OS page cache: what can stay cached. */
  effectiveCacheBytes: number | undefined;
  maintenanceWorkMemBytes: number | undefined;
  maxParallelMaintenanceWorkers: number | undefined;
}

const UNIT_BYTES: Readonly<Record<string, number>> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
/** The unit of a memory setting written without one (pg_settings.unit): 8 kB pages for the cache sizes, kB for work memory. */
const BARE_UNIT: Readonly<Record<string, number>> = { shared_buffers: 8192, effective_cache_size: 8192, maintenance_work_mem: 1024, work_mem: 1024 };

export function productionServerOf(settings: SettingValues): ProductionServer {
  const workers = settings.max_parallel_maintenance_workers === undefined ? Number.NaN : Number(settings.max_parallel_maintenance_workers);
  return {
    sharedBuffersBytes: memoryBytes(settings, 'shared_buffers'),
    effectiveCacheBytes: memoryBytes(settings, 'effective_cache_size'),
    maintenanceWorkMemBytes: memoryBytes(settings, 'maintenance_work_mem'),
    maxParallelMaintenanceWorkers: Number.isInteger(workers) && workers >= 0 ? workers : undefined,
  };
}

/** `128MB`, `4GB`, `65536kB`, or a bare number in the setting's own unit; undefined when unreadable. */
function memoryBytes(settings: SettingValues, name: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kMGT]?B)?\s*$/.exec(settings[name] ?? '');
  if (!match) return undefined;
  const unit = match[2] === undefined ? BARE_UNIT[name] : UNIT_BYTES[match[2]];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}

/** `38 GB`, `64 MB`: sizes in the settings' own binary units. */
export function formatBytes(bytes: number): string {
  const units = ['TB', 'GB', 'MB', 'kB'] as const;
  for (const unit of units) {
    const value = bytes / UNIT_BYTES[unit]!;
    if (value >= 1) return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} ${unit}`;
  }
  return `${Math.round(bytes)} B`;
}
