import { blockedOperations } from '../locks/lock-modes';
import { locksOf } from '../locks/statement-locks';
import { displayRelation } from '../model/relations';
import { nodeAs } from '../model/statement';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Rule } from './rule';
import { leadingKeywords } from './support/keywords';

const DOCS_CLUSTER = 'https://www.postgresql.org/docs/current/sql-cluster.html';

const NO_ONLINE_STATEMENT =
  'PostgreSQL 18 and older have no statement that reorders a table online. Use pg_repack --order-by=<columns> from outside ' +
  'the migration (it copies the table while writes continue and takes ACCESS EXCLUSIVE only for the final swap); ' +
  'REPACK (CONCURRENTLY) is planned for PostgreSQL 19 (in development).';

const ADVICE = 'Use pg_repack --order-by=<columns> from outside the migration to reorder the table online.';

/** CLUSTER rewrites the table in index order under ACCESS EXCLUSIVE: an outage that grows with the table. */
export const cluster: Rule = {
  id: 'cluster',
  severity: 'error',
  category: 'rewrites',
  docs: {
    summary: 'CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock: no reads or writes until the copy is done.',
    why:
      '`CLUSTER` writes a new copy of the table sorted by an index and rebuilds all its indexes while holding an ACCESS ' +
      'EXCLUSIVE lock: every SELECT, INSERT, UPDATE and DELETE on the table waits for the whole copy, minutes to hours ' +
      'on a large table, and it needs free disk for a second copy. The order is not maintained afterwards, so the ' +
      'benefit decays as rows change. Without a table name, `CLUSTER` re-clusters every table of the database that was ' +
      'clustered before.',
    example: {
      bad: 'CLUSTER orders USING orders_created_at_idx;',
      good: '-- from outside the migration, online:\n-- pg_repack --table=orders --order-by=created_at',
    },
    instead:
      'Use `pg_repack --order-by=<columns>`: it builds the sorted copy while reads and writes continue and takes ACCESS ' +
      'EXCLUSIVE only for the final swap. `REPACK (CONCURRENTLY)` is planned for PostgreSQL 19 (in development). There is ' +
      'no automatic fix. `ALTER TABLE … CLUSTER ON index` only records the index and is not flagged. Tables created ' +
      'earlier in the same migration are exempt.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'CLUSTER table USING index',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table (and its indexes)',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: true,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_CLUSTER,
      probe: { setup: PROBE_TABLE_SETUP, statement: 'CLUSTER lock_probe USING lock_probe_pkey', relation: 'lock_probe' },
    },
  ],
  fixChecks: [],
  check(statement, context) {
    if (!nodeAs(statement, 'ClusterStmt') || statement.kind !== 'parsed') return [];
    const range = leadingKeywords(statement, ['CLUSTER']);
    const [lock] = locksOf(statement, context.options.pgVersion);
    if (!lock) {
      return [
        {
          message:
            'CLUSTER without a table rewrites every table of the database that was clustered before, one after the other, ' +
            `each under an ACCESS EXCLUSIVE lock: reads and writes on each wait for its whole copy. ${ADVICE}`,
          range,
          noFixReason: NO_ONLINE_STATEMENT,
          safeAlternative: ADVICE,
        },
      ];
    }
    if (context.isCreatedInFile(lock.relation, statement.index)) return [];
    const table = displayRelation(lock.relation);
    return [
      {
        message:
          `CLUSTER rewrites ${table} in index order under an ACCESS EXCLUSIVE lock: every read and write on ${table} waits ` +
          `for the whole copy (hours on a large table), which also needs free disk for a second copy. ${ADVICE}`,
        range,
        lock: { mode: lock.mode, relation: lock.relation, blocks: blockedOperations(lock.mode) },
        noFixReason: NO_ONLINE_STATEMENT,
        safeAlternative: ADVICE,
      },
    ];
  },
};
