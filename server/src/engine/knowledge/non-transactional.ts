import type { ReindexObjectType } from '@pgsql/types';
import { nodeAs, type Statement } from '../model/statement';

/** The REINDEX forms that work through many tables, committing after each: never inside a transaction block. */
const MULTI_TABLE_REINDEX: Partial<Readonly<Record<ReindexObjectType, string>>> = {
  REINDEX_OBJECT_SCHEMA: 'REINDEX SCHEMA',
  REINDEX_OBJECT_DATABASE: 'REINDEX DATABASE',
  REINDEX_OBJECT_SYSTEM: 'REINDEX SYSTEM',
};

/**
 * The statement forms PostgreSQL refuses inside a transaction block (SQLSTATE 25001), named as a
 * user writes them, or undefined when the statement may run in a transaction. Sources: the
 * reference pages of CREATE/DROP INDEX, REINDEX (CONCURRENTLY, and the SCHEMA, DATABASE and SYSTEM
 * forms), ALTER TABLE (DETACH PARTITION CONCURRENTLY, PG 14+),
 * VACUUM, CREATE/DROP DATABASE, CREATE/DROP TABLESPACE and ALTER SYSTEM.
 */
export function nonTransactionalForm(statement: Statement, pgVersion: number): string | undefined {
  if (statement.kind !== 'parsed') return undefined;
  if (nodeAs(statement, 'IndexStmt')?.concurrent) return 'CREATE INDEX CONCURRENTLY';
  const drop = nodeAs(statement, 'DropStmt');
  if (drop?.concurrent && drop.removeType === 'OBJECT_INDEX') return 'DROP INDEX CONCURRENTLY';
  const reindex = nodeAs(statement, 'ReindexStmt');
  // PostgreSQL checks CONCURRENTLY first: `REINDEX SCHEMA CONCURRENTLY s` is refused as REINDEX CONCURRENTLY.
  if (reindex?.params?.some((param) => 'DefElem' in param && param.DefElem.defname === 'concurrently')) return 'REINDEX CONCURRENTLY';
  const multiTable = reindex?.kind && MULTI_TABLE_REINDEX[reindex.kind];
  if (multiTable) return multiTable;
  if (statement.alterTableCommands.some((cmd) => cmd.subtype === 'AT_DetachPartition' && cmd.def !== undefined && 'PartitionCmd' in cmd.def && cmd.def.PartitionCmd.concurrent)) {
    return 'DETACH PARTITION CONCURRENTLY';
  }
  if (nodeAs(statement, 'VacuumStmt')?.is_vacuumcmd) return 'VACUUM';
  if (nodeAs(statement, 'CreatedbStmt')) return 'CREATE DATABASE';
  if (nodeAs(statement, 'DropdbStmt')) return 'DROP DATABASE';
  if (nodeAs(statement, 'CreateTableSpaceStmt')) return 'CREATE TABLESPACE';
  if (nodeAs(statement, 'DropTableSpaceStmt')) return 'DROP TABLESPACE';
  if (nodeAs(statement, 'AlterSystemStmt')) return 'ALTER SYSTEM';
  // Before PostgreSQL 12, ALTER TYPE … ADD VALUE could not run in a transaction block either.
  if (pgVersion < 12 && nodeAs(statement, 'AlterEnumStmt')?.newVal !== undefined) return 'ALTER TYPE … ADD VALUE (before PostgreSQL 12)';
  return undefined;
}
