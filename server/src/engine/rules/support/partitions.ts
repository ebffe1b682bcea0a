import type { AlterTableCmd } from '@pgsql/types';
import { relationFromRangeVar, type RelationRef } from '../../model/relations';
import type { ParsedStatement } from '../../model/statement';
import { PROBE_TABLE_SETUP } from '../probe-fixtures';
import { nameEnd } from './alter-table-clauses';

/** The ATTACH or DETACH PARTITION of an ALTER TABLE (the grammar allows one, alone). */
export interface PartitionCommand {
  cmd: AlterTableCmd;
  /** The table attached or detached, with the range of its written name. */
  partition: RelationRef;
  concurrent: boolean;
}

export function partitionCommand(statement: ParsedStatement, subtype: 'AT_AttachPartition' | 'AT_DetachPartition'): PartitionCommand | undefined {
  const cmd = statement.alterTableCommands.find((candidate) => candidate.subtype === subtype);
  const partitionCmd = cmd?.def && 'PartitionCmd' in cmd.def ? cmd.def.PartitionCmd : undefined;
  if (!cmd || !partitionCmd?.name) return undefined;
  const partition = relationFromRangeVar(partitionCmd.name, statement.locate);
  const range = partition.range && { start: partition.range.start, end: nameEnd(statement, partition.range.start) };
  return { cmd, partition: { ...partition, range }, concurrent: partitionCmd.concurrent === true };
}

/** A range-partitioned probe table `lock_probe_parent` with one partition `lock_probe_old` (ids 1001–2000) holding rows. */
export const PROBE_PARTITIONED_SETUP: readonly string[] = [
  'CREATE TABLE lock_probe_parent (id int, customer_id int) PARTITION BY RANGE (id)',
  'CREATE TABLE lock_probe_old PARTITION OF lock_probe_parent FOR VALUES FROM (1001) TO (2001)',
  'INSERT INTO lock_probe_parent SELECT g, g % 100 FROM generate_series(1001, 2000) g',
];

/** PROBE_PARTITIONED_SETUP and the probe table `lock_probe` (ids 1–1000), not yet a partition: it fits `FOR VALUES FROM (1) TO (1001)`. */
export const PROBE_ATTACH_SETUP: readonly string[] = [...PROBE_PARTITIONED_SETUP, ...PROBE_TABLE_SETUP];
