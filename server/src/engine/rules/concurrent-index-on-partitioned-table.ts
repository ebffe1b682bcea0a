import { blockedOperations } from '../locks/lock-modes';
import { displayRelation, relationFromRangeVar } from '../model/relations';
import { nodeAs, type ParsedStatement } from '../model/statement';
import type { Fix, Rule } from './rule';
import { firstKeyword } from './support/keywords';
import { isPartitionedInFile } from './support/partitioned-tables';
import { PROBE_PARTITIONED_SETUP } from './support/partitions';

/** CREATE INDEX CONCURRENTLY on a table the migration shows is partitioned: PostgreSQL refuses it. */
export const concurrentIndexOnPartitionedTable: Rule = {
  id: 'concurrent-index-on-partitioned-table',
  severity: 'error',
  category: 'locks',
  docs: {
    summary: 'CREATE INDEX CONCURRENTLY on a partitioned table: PostgreSQL refuses it and the migration fails.',
    why:
      'PostgreSQL cannot build an index on a partitioned table concurrently ("cannot create index on partitioned table … ' +
      'concurrently"), so the migration stops at this statement. Dropping CONCURRENTLY is no way out on a table in use: ' +
      'a plain `CREATE INDEX` on the parent builds the index of every partition while holding SHARE locks on them, so ' +
      'writes to the whole partitioned table wait for all the builds. The rule fires when the migration shows the table ' +
      'is partitioned (created `PARTITION BY`, or a partition created `PARTITION OF` it, attached or detached).',
    example: {
      bad:
        "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');\n" +
        'CREATE INDEX CONCURRENTLY events_customer_idx ON events (customer_id);',
      good:
        'CREATE INDEX events_customer_idx ON ONLY events (customer_id);\n' +
        'CREATE INDEX CONCURRENTLY events_2025_customer_idx ON events_2025 (customer_id);\n' +
        'ALTER INDEX events_customer_idx ATTACH PARTITION events_2025_customer_idx;',
    },
    instead:
      'Create the index `ON ONLY` the parent (no build: it stays invalid until every partition has its index), build the ' +
      "index of each partition with `CREATE INDEX CONCURRENTLY` (reads and writes continue), and attach each one with " +
      '`ALTER INDEX parent_index ATTACH PARTITION partition_index`; the parent index becomes valid once all are attached. ' +
      'For `CREATE INDEX CONCURRENTLY … ON ONLY parent` the fix removes CONCURRENTLY: on a partitioned table that ' +
      'statement builds nothing.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'CREATE INDEX … ON ONLY partitioned_table (no build: the index stays invalid until every partition has one attached)',
      mode: 'SHARE',
      on: 'the partitioned parent only, for an instant: no partition is locked or read',
      blocks: blockedOperations('SHARE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 11 },
      source: 'https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY',
      probe: { setup: PROBE_PARTITIONED_SETUP, statement: 'CREATE INDEX lock_probe_parent_customer_idx ON ONLY lock_probe_parent (customer_id)', relation: 'lock_probe_parent' },
    },
    {
      kind: 'lock',
      statement: "ALTER INDEX parent_index ATTACH PARTITION partition_index (the partition's index, built CONCURRENTLY, is adopted)",
      mode: 'ACCESS SHARE',
      on:
        "the partitioned parent and the partition; the partition's index is locked ACCESS EXCLUSIVE (the parent's SHARE UPDATE EXCLUSIVE), " +
        'so queries planned on the partition wait for an instant — no table is read',
      // Measured: a SELECT must lock the partition's indexes to plan, and waits for the catalogue change.
      blocks: ['SELECT'],
      rewrite: false,
      fullScan: false,
      versions: { from: 11 },
      source: 'https://www.postgresql.org/docs/current/sql-alterindex.html',
      probe: {
        setup: [
          ...PROBE_PARTITIONED_SETUP,
          'CREATE INDEX lock_probe_parent_customer_idx ON ONLY lock_probe_parent (customer_id)',
          'CREATE INDEX lock_probe_old_customer_idx ON lock_probe_old (customer_id)',
        ],
        statement: 'ALTER INDEX lock_probe_parent_customer_idx ATTACH PARTITION lock_probe_old_customer_idx',
        relation: 'lock_probe_parent',
      },
    },
  ],
  fixChecks: [
    {
      setup: PROBE_PARTITIONED_SETUP,
      migration:
        'CREATE TABLE lock_probe_new PARTITION OF lock_probe_parent FOR VALUES FROM (1) TO (1001);\n' +
        'CREATE INDEX CONCURRENTLY lock_probe_parent_customer_idx ON ONLY lock_probe_parent (customer_id);\n',
      versions: { from: 11 },
    },
  ],
  check(statement, context) {
    const index = nodeAs(statement, 'IndexStmt');
    if (statement.kind !== 'parsed' || !index?.concurrent || !index.relation) return [];
    const table = relationFromRangeVar(index.relation, statement.locate);
    if (!isPartitionedInFile(context, table, statement.index)) return [];
    const concurrently = firstKeyword(statement, ['CONCURRENTLY']);
    const range = concurrently ? { start: statement.range.start, end: concurrently.end } : statement.range;
    const name = displayRelation(table);
    // ON ONLY leaves the parent's index without storage: the statement builds nothing, so it needs no CONCURRENTLY.
    if (index.relation.inh !== true) {
      return [
        {
          message:
            `${name} is partitioned: PostgreSQL refuses CREATE INDEX CONCURRENTLY on it and the migration fails here. ON ONLY builds ` +
            'nothing on a partitioned table, so drop CONCURRENTLY; then build each partition\'s index CONCURRENTLY and ATTACH it.',
          range,
          fixes: concurrently ? [removeConcurrently(statement, concurrently)] : [],
          safeAlternative: 'CREATE INDEX … ON ONLY parent (instant), CREATE INDEX CONCURRENTLY per partition, ALTER INDEX … ATTACH PARTITION.',
        },
      ];
    }
    return [
      {
        message:
          `${name} is partitioned: PostgreSQL refuses CREATE INDEX CONCURRENTLY on it and the migration fails here. Without CONCURRENTLY ` +
          'every partition is built under a SHARE lock (writes wait). Create the index ON ONLY the parent, build each partition\'s index ' +
          'CONCURRENTLY, then ALTER INDEX … ATTACH PARTITION each one.',
        range,
        noFixReason: "The partitions are not all in the migration: each one's index must be built and attached by name.",
        safeAlternative: 'CREATE INDEX … ON ONLY parent (instant), CREATE INDEX CONCURRENTLY per partition, ALTER INDEX … ATTACH PARTITION.',
      },
    ];
  },
};

function removeConcurrently(statement: ParsedStatement, concurrently: { start: number; end: number }): Fix {
  const next = statement.tokens.find((token) => token.start >= concurrently.end);
  return {
    title: 'Remove CONCURRENTLY (ON ONLY a partitioned table builds nothing)',
    edits: [{ range: { start: concurrently.start, end: next?.start ?? concurrently.end }, newText: '' }],
    preferred: true,
    autoApplicable: true,
  };
}
