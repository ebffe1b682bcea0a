import { blockedOperations, LOCK_MODES, trafficImpact, type LockMode } from '../locks/lock-modes';
import { displayRelation, sameRelation, type RelationName } from '../model/relations';
import { nodeAs, type ParsedStatement } from '../model/statement';
import { runOutsideTransaction } from './fixes/new-migration';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Fix, Rule, RuleContext } from './rule';
import { heldEarlierInTransaction, locksOnTables } from './support/held-locks';
import { lineOf } from './support/lines';
import { postgresOnlyRewriteRefused } from './fixes/postgres-only';
import { sectionOf } from '../model/migration';
import { holdsFewRowsOrNone } from './support/tables-with-rows';

const DOCS_CREATE_INDEX = 'https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY';

/**
 * CREATE INDEX without CONCURRENTLY holds a SHARE lock on the table for the whole build:
 * the incident that started Lockguard (4 hours of blocked writes on a 50M-row table).
 */
export const createIndexWithoutConcurrently: Rule = {
  id: 'create-index-without-concurrently',
  severity: 'error',
  category: 'locks',
  docs: {
    summary: 'CREATE INDEX on an existing table without CONCURRENTLY blocks every write for the whole build.',
    why:
      'A plain `CREATE INDEX` takes a SHARE lock on the table until the build finishes. SHARE conflicts with ' +
      'ROW EXCLUSIVE, so every INSERT, UPDATE and DELETE on the table waits — for seconds on a small table, ' +
      'for hours on a large one. Reads continue. Waiting writers hold connections, so the pool runs dry and the ' +
      'application goes down with the table.',
    example: {
      bad: 'CREATE INDEX orders_customer_id_idx ON orders (customer_id);',
      good: 'CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);',
    },
    instead:
      '`CREATE INDEX CONCURRENTLY` takes only a SHARE UPDATE EXCLUSIVE lock: reads and writes continue while the ' +
      'index is built (it scans the table twice and waits for transactions that were already running). It cannot ' +
      'run inside a transaction block, so put it in a migration that is not wrapped in a transaction. If it fails, ' +
      'it leaves an INVALID index: drop it with `DROP INDEX CONCURRENTLY` and try again. Tables created earlier in ' +
      'the same migration are exempt: nobody else can use them yet. So is `CREATE INDEX … ON ONLY` a partitioned ' +
      'table: it builds nothing (see concurrent-index-on-partitioned-table).',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'CREATE [UNIQUE] INDEX … ON table',
      mode: 'SHARE',
      on: 'the indexed table',
      blocks: blockedOperations('SHARE'),
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: 'https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-TABLES',
      probe: { setup: PROBE_TABLE_SETUP, statement: 'CREATE INDEX lock_probe_customer_idx ON lock_probe (customer_id)', relation: 'lock_probe' },
    },
    {
      kind: 'lock',
      statement: 'CREATE INDEX CONCURRENTLY … ON table (the safe alternative)',
      mode: 'SHARE UPDATE EXCLUSIVE',
      on: 'the indexed table',
      blocks: blockedOperations('SHARE UPDATE EXCLUSIVE'),
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_CREATE_INDEX,
      // CONCURRENTLY cannot run in the probe's transaction; ANALYZE takes the same mode and shows what it blocks.
      probe: { setup: PROBE_TABLE_SETUP, statement: 'ANALYZE lock_probe', relation: 'lock_probe' },
    },
  ],
  fixChecks: [
    { setup: PROBE_TABLE_SETUP, migration: 'CREATE INDEX lock_probe_customer_idx ON lock_probe (customer_id);' },
    {
      setup: PROBE_TABLE_SETUP,
      migration: 'BEGIN;\nALTER TABLE lock_probe ADD COLUMN note text;\nCREATE UNIQUE INDEX IF NOT EXISTS lock_probe_id_uidx ON lock_probe (id);\nCOMMIT;\n',
    },
  ],
  check(statement, context) {
    const index = nodeAs(statement, 'IndexStmt');
    if (!index || index.concurrent || !index.relation || statement.kind !== 'parsed') return [];
    // ON ONLY is written for a partitioned table: it creates the parent's (invalid) index without building
    // anything, the first step of the safe pattern (see concurrent-index-on-partitioned-table.ts).
    if (index.relation.inh !== true) return [];
    const table = statement.targets[0]!;
    if (holdsFewRowsOrNone(context, table, statement.index)) return [];

    const indexKeyword = statement.tokens.find((token) => token.type === 'word' && token.value === 'INDEX');
    if (!indexKeyword) return [];
    // IF NOT EXISTS too (it needs the index's name): a retried build should not fail (see concurrent-index-without-if-exists).
    const inserted = index.idxname && !index.if_not_exists ? ' CONCURRENTLY IF NOT EXISTS' : ' CONCURRENTLY';
    const keywordEnd = indexKeyword.end - statement.range.start;
    const concurrentText = statement.text.slice(0, keywordEnd) + inserted + statement.text.slice(keywordEnd);

    const name = displayRelation(table);
    // An earlier statement of the transaction already holds a lock that blocks more than SHARE (ACCESS EXCLUSIVE after an
    // ALTER TABLE): the build then runs while everything that lock blocks waits, reads included.
    const holder = heldEarlierInTransaction(statement, context, table, 'SHARE');
    const heldMode = holder && strongestLockOn(holder, table, context);
    const waits =
      holder && heldMode && heldMode !== 'SHARE'
        ? `${name} is already locked ${heldMode} by line ${lineOf(holder, context)} of this transaction, so the whole build runs ` +
          `under that lock: ${trafficImpact(heldMode)} until the index is built (hours on a large table). Build it with ` +
          'CREATE INDEX CONCURRENTLY after that transaction commits.'
        : `CREATE INDEX takes a SHARE lock on ${name} for the whole build: every INSERT, UPDATE and DELETE on it waits ` +
          `until the index is built (hours on a large table). Use CREATE INDEX CONCURRENTLY.`;
    const report = {
      message: waits,
      range: { start: statement.range.start, end: indexKeyword.end },
      lock: { mode: 'SHARE' as const, relation: table, blocks: blockedOperations('SHARE') },
      safeAlternative: 'CREATE INDEX CONCURRENTLY: reads and writes continue during the build (run it outside a transaction block).',
    };

    const otherDatabases = postgresOnlyRewriteRefused(statement, context, 'CREATE INDEX CONCURRENTLY');
    if (otherDatabases) return [{ ...report, noFixReason: otherDatabases }];
    if (statement.transaction.kind === 'autocommit') {
      const fix: Fix = {
        title: `Build the index with CREATE INDEX${inserted}`,
        edits: [{ range: { start: indexKeyword.end, end: indexKeyword.end }, newText: inserted }],
        preferred: true,
        autoApplicable: true,
      };
      return [{ ...report, fixes: [fix] }];
    }
    // In a transaction, CONCURRENTLY would fail with "cannot run inside a transaction block".
    const swap = index.unique ? laterDropOfOldKey(statement, table, context) : undefined;
    if (swap) return [{ ...report, noFixReason: swapReason(swap, name, context) }];
    const moved = runOutsideTransaction(statement, context, { text: concurrentText, title: `Build the index with CREATE INDEX${inserted}`, outsideTransaction: true });
    return typeof moved === 'string' ? [{ ...report, noFixReason: moved }] : [{ ...report, fixes: [moved] }];
  },
};

/** The most blocking lock `statement` takes on `table` (LOCK_MODES runs from the weakest to the strongest). */
function strongestLockOn(statement: ParsedStatement, table: RelationName, context: RuleContext): LockMode | undefined {
  const modes = locksOnTables(statement, context).filter((lock) => sameRelation(lock.relation, table)).map((lock) => lock.mode);
  return modes.sort((a, b) => LOCK_MODES.indexOf(b) - LOCK_MODES.indexOf(a))[0];
}

/**
 * A later statement of the section that drops an index or a constraint of the table: after a new unique
 * index, the old key it replaces (an index swap). Moving only the build out would put it after that drop.
 */
function laterDropOfOldKey(statement: ParsedStatement, table: RelationName, context: RuleContext): ParsedStatement | undefined {
  const section = sectionOf(context.migration, statement);
  return context.statements.slice(statement.index + 1).find((later): later is ParsedStatement => {
    if (later.kind !== 'parsed' || sectionOf(context.migration, later) !== section) return false;
    if (nodeAs(later, 'DropStmt')?.removeType === 'OBJECT_INDEX') return locksOnTables(later, context).some((lock) => sameRelation(lock.relation, table));
    const target = later.targets[0];
    return nodeAs(later, 'AlterTableStmt') !== undefined && target !== undefined && sameRelation(target, table) && later.alterTableCommands.some((cmd) => cmd.subtype === 'AT_DropConstraint');
  });
}

function swapReason(drop: ParsedStatement, table: string, context: RuleContext): string {
  return (
    `Line ${lineOf(drop, context)} then drops an index or constraint of ${table}: an index swap. Moved alone into a later migration, the new unique ` +
    `index would be built after that drop, and ${table} would accept duplicates in between (which then make the unique build fail). Move both, ` +
    'in this order: CREATE UNIQUE INDEX CONCURRENTLY, then the drop (DROP INDEX CONCURRENTLY), each outside a transaction.'
  );
}
