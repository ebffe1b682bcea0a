import type { Node } from '@pgsql/types';
import { blockedOperations } from '../locks/lock-modes';
import { isSystemCatalog, rowSelection } from '../locks/statement-cost';
import { displayRelation, relationFromRangeVar, type RelationRef } from '../model/relations';
import { nodeAs, type ParsedStatement } from '../model/statement';
import type { OffsetRange } from '../text/positions';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Rule } from './rule';
import { slowWorkUnderHeldLocks } from './support/slow-work';

const DOCS_EXPLICIT_LOCKING = 'https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-ROWS';

/**
 * A data backfill inside a schema migration: every row it touches stays locked until COMMIT, the
 * migration runs as long as the table is large, and every updated row leaves a dead copy behind.
 */
export const backfillInMigration: Rule = {
  id: 'backfill-in-migration',
  severity: 'warning',
  docs: {
    summary: 'UPDATE or DELETE of many rows of an existing table (no WHERE, or a WHERE that does not pin specific rows) inside a schema migration.',
    why:
      'UPDATE and DELETE take only a ROW EXCLUSIVE lock on the table, so reads and inserts continue, but every row ' +
      'they touch stays locked until the transaction commits: the application\'s UPDATE, DELETE and SELECT … FOR ' +
      'UPDATE of those rows wait, for as long as the whole statement (and, when the migration tool wraps the file in ' +
      'a transaction, the whole migration) takes — which grows with the table. A long transaction also holds back ' +
      'VACUUM everywhere, and each updated row leaves a dead copy behind (bloat, replication lag). Reported for ' +
      'statements without WHERE and for WHERE clauses that select by condition (`IS NULL`, ranges, joins, ' +
      'subqueries) rather than by specific values (`id = 42`, `code IN (\'a\', \'b\')`) or one batch of keys (`id IN ' +
      '(SELECT id … LIMIT 10000)`, `id BETWEEN 1 AND 10000`, a `ctid` range); tables created earlier ' +
      'in the migration are exempt. A warning rather than an error: Lockguard cannot see how many rows match, and ' +
      'data fixes on small tables are common and harmless.',
    example: {
      bad: "ALTER TABLE orders ADD COLUMN status text;\nUPDATE orders SET status = 'new' WHERE status IS NULL;",
      good:
        "ALTER TABLE orders ADD COLUMN status text;\n-- then, outside the migration (a job or script), in batches that each commit, until none is left:\n" +
        "-- UPDATE orders SET status = 'new' WHERE id IN (SELECT id FROM orders WHERE status IS NULL LIMIT 10000);",
    },
    instead:
      'Keep the schema change in the migration and run the backfill separately, in batches of a few thousand rows that ' +
      'each commit (a job, a script, or a migration that runs outside a transaction), pausing between batches so ' +
      'replicas and VACUUM keep up. For a new column with a constant value, `ADD COLUMN … DEFAULT` needs no backfill ' +
      '(PostgreSQL 11+).',
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
  fixChecks: [],
  check(statement, context) {
    if (statement.kind !== 'parsed') return [];
    const change = nodeAs(statement, 'UpdateStmt') ?? nodeAs(statement, 'DeleteStmt');
    // A system catalog (`UPDATE pg_index …`) is not application data: small, and its rows are not the application's.
    if (!change?.relation || isSystemCatalog(change.relation)) return [];
    const table = relationFromRangeVar(change.relation, statement.locate);
    if (context.isCreatedInFile(table, statement.index) || selectsBoundedRows(change.whereClause)) return [];
    // Already reported, as an error, when an earlier blocking lock of the transaction is held during it.
    if (slowWorkUnderHeldLocks(statement, context)) return [];

    const verb = nodeAs(statement, 'UpdateStmt') ? 'UPDATE' : 'DELETE';
    const name = displayRelation(table);
    const scope = change.whereClause ? `may touch a large part of ${name} (its WHERE selects rows by condition, not by specific values)` : `touches every row of ${name}`;
    const held = statement.transaction.kind === 'autocommit' ? 'until it ends' : 'until the migration\'s transaction commits';
    return [
      {
        message:
          `This ${verb} ${scope} inside the migration: each row stays locked ${held}, so the application's UPDATE, DELETE and ` +
          `SELECT … FOR UPDATE of those rows wait, for a time that grows with the table; each ${verb === 'UPDATE' ? 'updated' : 'deleted'} row also leaves a dead ` +
          'copy behind. Run it outside the schema migration, in batches that each commit.',
        range: headRange(statement, table),
        lock: { mode: 'ROW EXCLUSIVE', relation: table, blocks: blockedOperations('ROW EXCLUSIVE') },
        safeAlternative: 'Backfill outside the migration, in batches of a few thousand rows that each commit.',
        noFixReason: 'Batching depends on the data (key ranges, batch size, pauses): move the statement into a batched job or script.',
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
