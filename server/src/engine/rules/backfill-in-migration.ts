import type { Node } from '@pgsql/types';
import { blockedOperations } from '../locks/lock-modes';
import { isSystemCatalog, rowSelection } from '../locks/statement-cost';
import { displayRelation, relationFromRangeVar, type RelationRef } from '../model/relations';
import { nodeAs, type ParsedStatement } from '../model/statement';
import type { OffsetRange } from '../text/positions';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Rule } from './rule';
import { batchedBackfillFix, changesOneBatchOfWalk } from './fixes/batched-backfill';
import { emptiedEarlierInTransaction } from './support/emptied-tables';
import { slowWorkUnderHeldLocks } from './support/slow-work';
import { inescapableRunner, optOutOf } from './support/transaction-control';

const DOCS_EXPLICIT_LOCKING = 'https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-ROWS';

/**
 * An unbounded data backfill of an existing table inside a migration: every row it touches stays
 * locked until it commits, for a time that grows with the table, and every changed row leaves a dead
 * copy behind. The fix walks the table's key in batches that each commit.
 */
export const backfillInMigration: Rule = {
  id: 'backfill-in-migration',
  severity: 'error',
  category: 'rewrites',
  docs: {
    summary: 'UPDATE or DELETE of many rows of an existing table (no WHERE, or a WHERE that does not pin specific rows or one batch of keys) in one statement of a migration.',
    why:
      'UPDATE and DELETE take only a ROW EXCLUSIVE lock on the table, so reads and inserts continue, but every row ' +
      'they touch stays locked until the statement (or, when the migration tool wraps the file in a transaction, the ' +
      "whole migration) commits: the application's UPDATE, DELETE and SELECT … FOR UPDATE of those rows wait, for a time " +
      'that grows with the table — minutes on a large one, which is an outage for the rows the application writes most. ' +
      'A long transaction also holds back VACUUM everywhere, and each changed row leaves a dead copy behind (bloat, ' +
      'replication lag). Reported as an error for statements without WHERE and for WHERE clauses that select by ' +
      "condition (`IS NULL`, ranges, joins, subqueries) rather than by specific values (`id = 42`, `code IN ('a', 'b')`) " +
      'or one batch of keys (`id IN (SELECT id … LIMIT 10000)`, `id BETWEEN 1 AND 10000`, a `ctid` range). Tables created ' +
      'earlier in the migration, tables emptied earlier in the same transaction and system catalogs are exempt.',
    example: {
      bad: "ALTER TABLE orders ADD COLUMN status text;\nUPDATE orders SET status = 'new' WHERE status IS NULL;",
      good:
        "ALTER TABLE orders ADD COLUMN status text;\n-- then, outside the migration's transaction, in batches that each commit, until none is left:\n" +
        "-- UPDATE orders SET status = 'new' WHERE id IN (SELECT id FROM orders WHERE status IS NULL LIMIT 10000);",
    },
    instead:
      'Keep the schema change in the migration and run the backfill in batches of a few thousand rows that each commit, ' +
      'outside a transaction block. The quick fix does this when the migrations declare the table\'s single-column primary ' +
      'key: a `DO` block walks the key in order and COMMITs after each batch (PostgreSQL 11+), in place when the statement ' +
      'already runs on its own outside a transaction, or else in a new migration that the framework runs outside one. ' +
      'For a new column with a constant value, `ADD COLUMN … DEFAULT` needs no backfill (PostgreSQL 11+).',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'UPDATE table SET … (and DELETE FROM table): the table lock; touched rows stay locked until COMMIT',
      mode: 'ROW EXCLUSIVE',
      on: 'the updated table',
      blocks: blockedOperations('ROW EXCLUSIVE'),
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_EXPLICIT_LOCKING,
      probe: { setup: PROBE_TABLE_SETUP, statement: 'UPDATE lock_probe SET customer_id = customer_id + 1', relation: 'lock_probe' },
    },
  ],
  // Several batches each, on a key of integers and on a quoted text key; every matching row must be changed.
  fixChecks: [
    {
      setup: ['CREATE TABLE lockguard_backfill (id bigint PRIMARY KEY, status text)', "INSERT INTO lockguard_backfill SELECT g, CASE WHEN g % 3 = 0 THEN 'old' END FROM generate_series(1, 12345) g"],
      setupIsEarlierMigrations: true,
      migration: "UPDATE lockguard_backfill SET status = 'new' WHERE status IS NULL;\n",
      afterwards: "SELECT count(*) FILTER (WHERE status = 'new') = 8230 AND count(*) FILTER (WHERE status = 'old') = 4115 AND count(*) = 12345 FROM lockguard_backfill",
      versions: { from: 11 },
    },
    {
      setup: ['CREATE TABLE "Lockguard_Codes" ("Code" varchar(20) PRIMARY KEY, archived boolean NOT NULL)', 'INSERT INTO "Lockguard_Codes" SELECT \'c\' || g, g % 2 = 0 FROM generate_series(1, 11000) g'],
      setupIsEarlierMigrations: true,
      migration: 'DELETE FROM "Lockguard_Codes" WHERE archived;\n',
      afterwards: 'SELECT count(*) = 5500 AND bool_and(NOT archived) FROM "Lockguard_Codes"',
      versions: { from: 11 },
    },
  ],
  check(statement, context) {
    if (statement.kind !== 'parsed') return [];
    const change = nodeAs(statement, 'UpdateStmt') ?? nodeAs(statement, 'DeleteStmt');
    // A system catalog (`UPDATE pg_index …`) is not application data: small, and its rows are not the application's.
    if (!change?.relation || isSystemCatalog(change.relation)) return [];
    const table = relationFromRangeVar(change.relation, statement.locate);
    if (context.isCreatedInFile(table, statement.index) || selectsBoundedRows(change.whereClause)) return [];
    // The batched form's own statement: one batch of a key walk in a DO block.
    if (changesOneBatchOfWalk(statement, change.whereClause, context) || emptiedEarlierInTransaction(statement, table, context)) return [];
    // Already reported, as an error, when an earlier blocking lock of the transaction is held during it.
    if (slowWorkUnderHeldLocks(statement, context)) return [];

    const verb = nodeAs(statement, 'UpdateStmt') ? 'UPDATE' : 'DELETE';
    const name = displayRelation(table);
    const scope = change.whereClause ? `may touch a large part of ${name} (its WHERE selects rows by condition, not by specific values or one batch of keys)` : `touches every row of ${name}`;
    const held = statement.transaction.kind === 'autocommit' ? 'until it ends' : "until the migration's transaction commits";
    const fix = batchedBackfillFix(statement, table, context);
    return [
      {
        message:
          `This ${verb} ${scope} in one statement: each row stays locked ${held}, so the application's UPDATE, DELETE and ` +
          `SELECT … FOR UPDATE of those rows wait, for a time that grows with the table, and each ${verb === 'UPDATE' ? 'updated' : 'deleted'} row leaves a dead ` +
          `copy behind. Run it in batches of a few thousand rows that each commit, outside a transaction block.${optOutOf(inescapableRunner(statement, context))}`,
        range: headRange(statement, table),
        lock: { mode: 'ROW EXCLUSIVE', relation: table, blocks: blockedOperations('ROW EXCLUSIVE') },
        safeAlternative: 'Backfill in batches of a few thousand rows that each commit (a DO block walking the key, or a job).',
        ...(typeof fix === 'string' ? { noFixReason: fix } : { fixes: [fix] }),
      },
    ];
  },
};

/**
 * Whether the WHERE clause picks rows by specific values (`id = 42`, `code IN ('a', 'b')`,
 * `id = ANY('{1,2}')`) or one batch of keys (`id IN (SELECT id … LIMIT 10000)`, `id BETWEEN 1 AND
 * 10000`): in one of its AND-ed terms, or in every branch of an OR.
 */
function selectsBoundedRows(where: Node | undefined): boolean {
  const selection = rowSelection(where);
  return selection === 'by-value' || selection === 'by-batch' || selection === 'by-key';
}

/** `UPDATE orders` / `DELETE FROM app.orders`: from the statement's start through the table name. */
function headRange(statement: ParsedStatement, table: RelationRef): OffsetRange {
  const start = table.range?.start;
  const tokens = statement.tokens;
  let last = tokens.findIndex((token) => token.start === start);
  if (last < 0) return { start: statement.range.start, end: tokens[0]?.end ?? statement.range.end };
  while (tokens[last + 1]?.value === '.' && tokens[last + 2]) last += 2;
  return { start: statement.range.start, end: tokens[last]!.end };
}
