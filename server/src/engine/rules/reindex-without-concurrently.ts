import type { ReindexStmt } from '@pgsql/types';
import { blockedOperations, type Operation } from '../locks/lock-modes';
import { locksOf } from '../locks/statement-locks';
import { displayRelation, type RelationName } from '../model/relations';
import { nodeAs, type ParsedStatement } from '../model/statement';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { LockImpact, Report, Rule, RuleContext } from './rule';
import { addConcurrently } from './support/concurrently';
import { findCreatedIndex, isIndexOfNewTable } from './support/created-indexes';
import { firstKeyword, leadingKeywords } from './support/keywords';
import { optionEnabled } from './support/statement-options';

const DOCS_REINDEX = 'https://www.postgresql.org/docs/current/sql-reindex.html';
const CONCURRENT_REINDEX_SINCE = 12;
const KIND_KEYWORDS = ['INDEX', 'TABLE', 'SCHEMA', 'DATABASE'];

/**
 * What waits while REINDEX INDEX or TABLE runs, although the table itself only gets a SHARE lock:
 * the index being rebuilt is ACCESS EXCLUSIVE, and the planner opens every index of a table it plans
 * a query on, so plain SELECTs (and SELECT … FOR UPDATE) wait too. Measured on PostgreSQL 13–18
 * (this rule's lock facts; docs/postgres-locks.md: "all four" for both forms).
 */
const REINDEX_BLOCKS: readonly Operation[] = ['SELECT', 'SELECT FOR UPDATE', 'INSERT', 'UPDATE', 'DELETE', 'VACUUM / ANALYZE', 'other DDL'];

/** REINDEX without CONCURRENTLY rebuilds indexes while every query on their table waits. */
export const reindexWithoutConcurrently: Rule = {
  id: 'reindex-without-concurrently',
  severity: 'error',
  category: 'locks',
  docs: {
    summary: 'REINDEX without CONCURRENTLY blocks reads and writes on the table for the whole rebuild.',
    why:
      '`REINDEX INDEX` and `REINDEX TABLE` take a SHARE lock on the table and an ACCESS EXCLUSIVE lock on each index ' +
      'while they rebuild it. SHARE alone would stop only writes, but the planner opens every index of a table when it ' +
      'plans a query on it, so in practice every SELECT, INSERT, UPDATE and DELETE on the table waits until the rebuild ' +
      'ends: minutes to hours on a large table. `REINDEX SCHEMA` and `DATABASE` do the same to every table ' +
      'they reach, one after the other. (`REINDEX SYSTEM` has no CONCURRENTLY form: `reindex-system` reports it.)',
    example: {
      bad: 'REINDEX INDEX orders_status_idx;',
      good: 'REINDEX INDEX CONCURRENTLY orders_status_idx;',
    },
    instead:
      'On PostgreSQL 12 and later, `REINDEX … CONCURRENTLY` builds a new copy of each index next to the old one under a ' +
      'SHARE UPDATE EXCLUSIVE lock (reads and writes continue) and swaps them. It cannot run inside a transaction block, ' +
      'does not rebuild exclusion-constraint indexes or system catalogs, and if it fails it leaves an invalid ' +
      '`…_ccnew` index to drop. Before PostgreSQL 12, build a replacement with `CREATE INDEX CONCURRENTLY`, drop the old ' +
      'index with `DROP INDEX CONCURRENTLY` and rename the new one. Indexes of tables created earlier in the same ' +
      'migration are exempt, and so is a REINDEX that repairs indexes the same file switched off by writing `pg_index` ' +
      '(`indisready = false` around a bulk update): rebuilt concurrently or later, the stale indexes would serve queries meanwhile.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'REINDEX INDEX index',
      mode: 'SHARE',
      on: "the index's table (ACCESS EXCLUSIVE on the index itself)",
      blocks: REINDEX_BLOCKS,
      // The table is read, not rewritten: each index gets a new file.
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_REINDEX,
      probe: {
        setup: [...PROBE_TABLE_SETUP, 'CREATE INDEX lock_probe_customer_idx ON lock_probe (customer_id)'],
        statement: 'REINDEX INDEX lock_probe_customer_idx',
        relation: 'lock_probe',
      },
    },
    {
      kind: 'lock',
      statement: 'REINDEX TABLE table',
      mode: 'SHARE',
      on: 'the table (ACCESS EXCLUSIVE on each of its indexes)',
      blocks: REINDEX_BLOCKS,
      // The table is read, not rewritten: each index gets a new file.
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_REINDEX,
      probe: { setup: PROBE_TABLE_SETUP, statement: 'REINDEX TABLE lock_probe', relation: 'lock_probe' },
    },
  ],
  fixChecks: [
    { setup: [...PROBE_TABLE_SETUP, 'CREATE INDEX lock_probe_customer_idx ON lock_probe (customer_id)'], migration: 'REINDEX INDEX lock_probe_customer_idx;' },
    { setup: PROBE_TABLE_SETUP, migration: 'BEGIN;\nALTER TABLE lock_probe ADD COLUMN note text;\nREINDEX (VERBOSE) TABLE lock_probe;\nCOMMIT;\n' },
  ],
  check(statement, context) {
    const reindex = nodeAs(statement, 'ReindexStmt');
    if (!reindex || optionEnabled(reindex.params, 'concurrently') || statement.kind !== 'parsed') return [];
    const target = describeTarget(reindex, statement, context);
    if (!target || (target.lock && repairsIndexesTheFileSwitchedOff(statement, context, target.lock.relation))) return [];
    const catalog = target.lock !== undefined && isSystemCatalog(target.lock.relation);
    const alternative = advice(target.keyword, context.options.pgVersion, catalog);
    const report: Report = {
      message: `${target.effect} ${alternative}`,
      range: leadingKeywords(statement, KIND_KEYWORDS),
      lock: target.lock,
      safeAlternative: alternative,
    };
    // Not auto-applicable: CONCURRENTLY refuses (INDEX) or skips (TABLE, SCHEMA, DATABASE) exclusion-constraint
    // indexes, and a failure leaves an invalid `_ccnew` index behind.
    const fix =
      catalog || context.options.pgVersion < CONCURRENT_REINDEX_SINCE
        ? alternative
        : addConcurrently(statement, context, firstKeyword(statement, [target.keyword])!, `Rebuild with REINDEX ${target.keyword} CONCURRENTLY`, false);
    return [typeof fix === 'string' ? { ...report, noFixReason: fix } : { ...report, fixes: [fix] }];
  },
};

interface Target {
  keyword: string;
  /** What the statement blocks, in one or two sentences. */
  effect: string;
  lock: LockImpact | undefined;
}

/**
 * What the REINDEX rebuilds and what waits, or undefined when no one else can be using it, or when it
 * has no CONCURRENTLY form to ask for (REINDEX SYSTEM: reindex-system reports it).
 */
function describeTarget(reindex: ReindexStmt, statement: ParsedStatement, context: RuleContext): Target | undefined {
  const [lock] = locksOf(statement, context.options.pgVersion);
  switch (reindex.kind) {
    case 'REINDEX_OBJECT_INDEX': {
      if (!lock || isIndexOfNewTable(context, lock.relation, statement.index)) return undefined;
      const index = displayRelation(lock.relation);
      const created = findCreatedIndex(context.statements, lock.relation, statement.index);
      const table = created ? displayRelation(created.table) : `the table of ${index}`;
      return {
        keyword: 'INDEX',
        effect:
          `REINDEX INDEX holds an ACCESS EXCLUSIVE lock on ${index} and a SHARE lock on ${table} for the whole rebuild: ` +
          'writes wait, and so does every query the planner plans on the table (it opens all of its indexes), so in ' +
          'practice every read and write waits (hours on a large table).',
        lock: { mode: lock.mode, relation: lock.relation, blocks: blockedOperations(lock.mode) },
      };
    }
    case 'REINDEX_OBJECT_TABLE': {
      if (!lock || context.isCreatedInFile(lock.relation, statement.index)) return undefined;
      const table = displayRelation(lock.relation);
      return {
        keyword: 'TABLE',
        effect:
          `REINDEX TABLE holds a SHARE lock on ${table} and an ACCESS EXCLUSIVE lock on each index it rebuilds: writes ` +
          'wait, and so does every query the planner plans on the table, so in practice every read and write waits until ' +
          'all its indexes are rebuilt (hours on a large table).',
        lock: { mode: lock.mode, relation: lock.relation, blocks: REINDEX_BLOCKS },
      };
    }
    case 'REINDEX_OBJECT_SCHEMA':
      return wholeScope('SCHEMA', `every table of schema ${displayRelation({ schema: undefined, name: reindex.name ?? '' })}`);
    case 'REINDEX_OBJECT_DATABASE':
      return wholeScope('DATABASE', 'every table of the database');
    default:
      return undefined;
  }
}

function wholeScope(keyword: string, scope: string): Target {
  return {
    keyword,
    effect:
      `REINDEX ${keyword} rebuilds the indexes of ${scope}, table after table: while a table's indexes are rebuilt, ` +
      'every read and write on that table waits (SHARE lock on the table, ACCESS EXCLUSIVE on its indexes).',
    lock: undefined,
  };
}

/**
 * Whether an earlier statement of the file writes pg_index for this table or index (`UPDATE pg_index SET
 * indisready = false … WHERE indrelid = … 'person'`), a bulk-load trick that stops index maintenance: the
 * REINDEX then repairs indexes that miss rows. It has to finish in the migration, and without
 * CONCURRENTLY — a concurrent or later rebuild leaves the application reading the stale indexes meanwhile.
 */
function repairsIndexesTheFileSwitchedOff(statement: ParsedStatement, context: RuleContext, target: RelationName): boolean {
  const mentionsTarget = new RegExp(`\\b${target.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i');
  return context.statements.some((earlier) => {
    if (earlier.index >= statement.index) return false;
    const written = nodeAs(earlier, 'UpdateStmt')?.relation;
    return written?.relname === 'pg_index' && (written.schemaname ?? 'pg_catalog') === 'pg_catalog' && mentionsTarget.test(earlier.text);
  });
}

/** The safe alternative on the project's PostgreSQL version. */
function advice(keyword: string, version: number, catalog: boolean): string {
  if (catalog) return 'PostgreSQL cannot reindex system catalogs concurrently: run it in a maintenance window, not in a migration.';
  if (version >= CONCURRENT_REINDEX_SINCE) return `Use REINDEX ${keyword} CONCURRENTLY: reads and writes continue during the rebuild (outside a transaction block).`;
  return (
    `REINDEX CONCURRENTLY needs PostgreSQL ${CONCURRENT_REINDEX_SINCE} or later (this project targets ${version}): build a replacement ` +
    'with CREATE INDEX CONCURRENTLY, drop the old index with DROP INDEX CONCURRENTLY and rename the new one.'
  );
}

/** pg_catalog and pg_toast relations; an unqualified `pg_…` name resolves to pg_catalog first. */
function isSystemCatalog(relation: RelationName): boolean {
  return relation.schema === undefined ? relation.name.startsWith('pg_') : relation.schema === 'pg_catalog' || relation.schema === 'pg_toast';
}
