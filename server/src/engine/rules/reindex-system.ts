import { nodeAs } from '../model/statement';
import { refusedInTransaction } from './probe-fixtures';
import type { Rule } from './rule';
import { leadingKeywords } from './support/keywords';

const DOCS_REINDEX = 'https://www.postgresql.org/docs/current/sql-reindex.html';

/**
 * REINDEX SYSTEM repairs the indexes of the system catalogs: a maintenance operation with no
 * CONCURRENTLY form, which stalls catalog lookups while it runs and fails in a wrapped migration.
 */
export const reindexSystem: Rule = {
  id: 'reindex-system',
  severity: 'warning',
  category: 'locks',
  docs: {
    summary: 'REINDEX SYSTEM in a migration: it rebuilds the system catalogs\' indexes, which has no CONCURRENTLY form, and cannot run in a transaction.',
    why:
      '`REINDEX SYSTEM` rebuilds every index of the current database\'s system catalogs, shared catalogs included, ' +
      'one catalog after the other, each under a SHARE lock on the catalog and an ACCESS EXCLUSIVE lock on the index ' +
      'being rebuilt. While `pg_class`, `pg_attribute` and the others are rebuilt, sessions that must look them up ' +
      '(planning a query on a relation not yet in their cache, any DDL) wait. PostgreSQL cannot reindex system ' +
      'catalogs concurrently, so there is no safe form to ask for; and `REINDEX SYSTEM` cannot run inside a ' +
      'transaction block, so a migration tool that wraps each file fails on it. It is the repair for corrupted ' +
      'catalog indexes — an operator\'s task, not a schema change.',
    example: { bad: 'REINDEX SYSTEM;', good: 'REINDEX INDEX CONCURRENTLY orders_status_idx;' },
    instead:
      'Remove it from the migration. If catalog indexes need a rebuild (corruption, or after an upgrade note says so), ' +
      'run `REINDEX SYSTEM` by hand in a maintenance window, outside a transaction. To rebuild application indexes, ' +
      'use `REINDEX INDEX|TABLE … CONCURRENTLY` (PostgreSQL 12+).',
  },
  facts: [
    // Probed from PostgreSQL 16: before it, the statement must name the current database, which the probe cannot know.
    refusedInTransaction('REINDEX SYSTEM', DOCS_REINDEX, { setup: [], statement: 'REINDEX SYSTEM' }, { from: 16 }),
  ],
  fixChecks: [],
  check(statement) {
    if (nodeAs(statement, 'ReindexStmt')?.kind !== 'REINDEX_OBJECT_SYSTEM') return [];
    return [
      {
        message:
          'REINDEX SYSTEM rebuilds the indexes of the system catalogs, each under an ACCESS EXCLUSIVE lock (SHARE on the catalog): ' +
          'sessions that must look a catalog up meanwhile (planning a query on a relation they have not cached, any DDL) wait. ' +
          'It has no CONCURRENTLY form and cannot run inside a transaction block. It repairs corrupted catalog indexes: run it by ' +
          'hand in a maintenance window, not in a migration.',
        range: leadingKeywords(statement, ['SYSTEM']),
        noFixReason: 'PostgreSQL cannot reindex system catalogs concurrently: the statement belongs in a maintenance window, not in a migration.',
      },
    ];
  },
};
