import { blockedOperations } from '../locks/lock-modes';
import { locksOf } from '../locks/statement-locks';
import { displayRelation, type RelationName } from '../model/relations';
import { nodeAs, type ParsedStatement } from '../model/statement';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Fix, Report, Rule, RuleContext } from './rule';
import { addConcurrently } from './support/concurrently';
import { findCreatedIndex, isIndexOfNewTable } from './support/created-indexes';
import { firstKeyword, leadingKeywords } from './support/keywords';

const DOCS_DROP_INDEX = 'https://www.postgresql.org/docs/current/sql-dropindex.html';
const PROBE_INDEX_SETUP = [...PROBE_TABLE_SETUP, 'CREATE INDEX lock_probe_customer_idx ON lock_probe (customer_id)'];

/**
 * DROP INDEX takes ACCESS EXCLUSIVE on the index's table. The drop itself is instant, but the lock
 * waits for every query already running on the table, and every query after it queues behind it.
 */
export const dropIndexWithoutConcurrently: Rule = {
  id: 'drop-index-without-concurrently',
  severity: 'error',
  docs: {
    summary: 'DROP INDEX without CONCURRENTLY locks the whole table against reads and writes, and queues behind long queries.',
    why:
      'A plain `DROP INDEX` takes an ACCESS EXCLUSIVE lock on the table the index belongs to, not only on the index. ' +
      'Dropping is quick, but the lock must first wait for every transaction that has touched the table, and every ' +
      'read and write that arrives meanwhile queues behind the waiting DROP. One long report query or an idle ' +
      'transaction turns an instant drop into minutes of a table nobody can read or write; waiting requests hold ' +
      'connections until the pool runs dry.',
    example: {
      bad: 'DROP INDEX orders_status_idx;',
      good: 'DROP INDEX CONCURRENTLY orders_status_idx;',
    },
    instead:
      '`DROP INDEX CONCURRENTLY` takes only a SHARE UPDATE EXCLUSIVE lock: reads and writes continue while it waits ' +
      'for the transactions using the index to finish. It drops one index per statement, does not support `CASCADE`, ' +
      'cannot drop an index that backs a constraint (use `ALTER TABLE … DROP CONSTRAINT`) and cannot run inside a ' +
      'transaction block: put it after the COMMIT, or in a migration that is not wrapped in a transaction. Indexes of ' +
      'tables created earlier in the same migration are exempt: nobody else can use them yet.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'DROP INDEX index',
      mode: 'ACCESS EXCLUSIVE',
      on: "the index's table (and the index)",
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 9 },
      source: DOCS_DROP_INDEX,
      probe: { setup: PROBE_INDEX_SETUP, statement: 'DROP INDEX lock_probe_customer_idx', relation: 'lock_probe' },
    },
  ],
  fixChecks: [
    { setup: PROBE_INDEX_SETUP, migration: 'DROP INDEX lock_probe_customer_idx;' },
    { setup: PROBE_INDEX_SETUP, migration: 'BEGIN;\nALTER TABLE lock_probe ADD COLUMN note text;\nDROP INDEX IF EXISTS lock_probe_customer_idx;\nCOMMIT;\n' },
  ],
  check(statement, context) {
    const drop = nodeAs(statement, 'DropStmt');
    if (!drop || drop.removeType !== 'OBJECT_INDEX' || drop.concurrent || statement.kind !== 'parsed') return [];
    const indexes = locksOf(statement, context.options.pgVersion).map((lock) => lock.relation);
    const inUse = indexes.filter((index) => !isIndexOfNewTable(context, index, statement.index));
    if (inUse.length === 0) return [];

    const report: Report = {
      message:
        `DROP INDEX takes an ACCESS EXCLUSIVE lock on ${inUse.map((index) => tableOf(index, statement, context)).join(', ')}: it first waits ` +
        'for every query already running on the table, and every read and write arriving meanwhile waits behind it ' +
        '(a single long query stalls the table). Use DROP INDEX CONCURRENTLY.',
      range: leadingKeywords(statement, ['INDEX']),
      lock: { mode: 'ACCESS EXCLUSIVE', relation: inUse[0]!, blocks: blockedOperations('ACCESS EXCLUSIVE') },
      safeAlternative: 'DROP INDEX CONCURRENTLY: reads and writes continue (one index per statement, outside a transaction block).',
    };
    const fix = concurrentFix(statement, context, indexes.length);
    return [typeof fix === 'string' ? { ...report, noFixReason: fix } : { ...report, fixes: [fix] }];
  },
};

/** "orders (the table of orders_status_idx)" when the file shows the table, else "the table of orders_status_idx". */
function tableOf(index: RelationName, statement: ParsedStatement, context: RuleContext): string {
  const created = findCreatedIndex(context.statements, index, statement.index);
  return created ? `${displayRelation(created.table)} (the table of ${displayRelation(index)})` : `the table of ${displayRelation(index)}`;
}

/** DROP INDEX CONCURRENTLY, in place or after COMMIT, or why PostgreSQL would refuse it. */
function concurrentFix(statement: ParsedStatement, context: RuleContext, indexCount: number): Fix | string {
  if (indexCount > 1) {
    return 'DROP INDEX CONCURRENTLY drops only one index per statement (PostgreSQL rejects a list): write one DROP INDEX CONCURRENTLY per index.';
  }
  if (nodeAs(statement, 'DropStmt')?.behavior === 'DROP_CASCADE') {
    return 'DROP INDEX CONCURRENTLY does not support CASCADE: drop the objects that depend on the index first, then drop the index concurrently.';
  }
  // Keeps the meaning; like CREATE INDEX CONCURRENTLY it is refused only on a partitioned table's index.
  // IF EXISTS too: a retried DROP INDEX CONCURRENTLY should not fail (see concurrent-index-without-if-exists).
  const guard = nodeAs(statement, 'DropStmt')?.missing_ok ? '' : ' IF EXISTS';
  return addConcurrently(statement, context, firstKeyword(statement, ['INDEX'])!, `Drop the index with DROP INDEX CONCURRENTLY${guard}`, true, guard);
}
