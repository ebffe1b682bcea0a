import type { Rule } from '../rule';

/** Index and table-maintenance rules (DROP INDEX, REINDEX, REFRESH MATERIALIZED VIEW, VACUUM FULL, CLUSTER, TRUNCATE, LOCK TABLE). */
export const INDEX_RULES: readonly Rule[] = [];
