import type { FailureFact, VersionRange } from './rule';

/**
 * The table lock facts are probed on (in a schema of its own per test): a primary key, a plain
 * column and a thousand rows, so scans and index builds do real work.
 */
export const PROBE_TABLE_SETUP: readonly string[] = [
  'CREATE TABLE lock_probe (id int PRIMARY KEY, customer_id int)',
  'INSERT INTO lock_probe SELECT g, g % 100 FROM generate_series(1, 1000) g',
];

/** A parent table whose keys cover every customer_id of the probe table. */
export const PROBE_PARENT_SETUP: readonly string[] = [
  ...PROBE_TABLE_SETUP,
  'CREATE TABLE lock_probe_parent (id int PRIMARY KEY)',
  'INSERT INTO lock_probe_parent SELECT g FROM generate_series(0, 99) g',
];

/** A view over the probe table, so that reads and writes through it can be measured. */
export const PROBE_VIEW_SETUP: readonly string[] = [...PROBE_TABLE_SETUP, 'CREATE VIEW lock_probe_view AS SELECT id, customer_id FROM lock_probe'];

/** A statement form PostgreSQL refuses inside a transaction block (SQLSTATE 25001, active_sql_transaction). */
export function refusedInTransaction(form: string, source: string, probe: FailureFact['probe'], versions: VersionRange): FailureFact {
  return {
    kind: 'failure',
    statement: `${form} inside BEGIN … COMMIT`,
    sqlstate: '25001',
    message: `${form} cannot run inside a transaction block`,
    versions,
    source,
    probe,
  };
}
