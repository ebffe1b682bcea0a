import { cluster } from '../cluster';
import { concurrentIndexOnPartitionedTable } from '../concurrent-index-on-partitioned-table';
import { dropIndexWithoutConcurrently } from '../drop-index-without-concurrently';
import { lockTable } from '../lock-table';
import { refreshMaterializedViewWithoutConcurrently } from '../refresh-materialized-view-without-concurrently';
import { reindexSystem } from '../reindex-system';
import { reindexWithoutConcurrently } from '../reindex-without-concurrently';
import type { Rule } from '../rule';
import { truncateTable } from '../truncate-table';
import { vacuumFull } from '../vacuum-full';

/** Index and table-maintenance rules (DROP INDEX, REINDEX, REFRESH MATERIALIZED VIEW, VACUUM FULL, CLUSTER, TRUNCATE, LOCK TABLE). */
export const INDEX_RULES: readonly Rule[] = [
  dropIndexWithoutConcurrently,
  reindexWithoutConcurrently,
  reindexSystem,
  refreshMaterializedViewWithoutConcurrently,
  vacuumFull,
  cluster,
  truncateTable,
  lockTable,
  concurrentIndexOnPartitionedTable,
];
