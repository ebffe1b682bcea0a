import { blockedOperations } from '../locks/lock-modes';
import { locksOf } from '../locks/statement-locks';
import { displayRelation, sameRelation, type RelationName } from '../model/relations';
import { nodeAs, type ParsedStatement, type Statement } from '../model/statement';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Fix, Report, Rule, RuleContext } from './rule';
import { addConcurrently } from './support/concurrently';
import { findCreatedIndex, isIndexOfNewTable } from './support/created-indexes';
import { sameTransaction } from './support/constraints';
import { heldEarlierInTransaction, locksOnTables } from './support/held-locks';
import { firstKeyword, leadingKeywords } from './support/keywords';
import { lineOf } from './support/lines';
import { mentionsOf } from './support/mentions';
import { sectionOf } from '../model/migration';
import { inescapableRunner, optOutOf } from './support/transaction-control';
import { dropsTable } from './support/breaking-changes';
import { slowLocksOf } from './support/slow-work';

const DOCS_DROP_INDEX = 'https://www.postgresql.org/docs/current/sql-dropindex.html';
const PROBE_INDEX_SETUP = [...PROBE_TABLE_SETUP, 'CREATE INDEX lock_probe_customer_idx ON lock_probe (customer_id)'];

/**
 * DROP INDEX takes ACCESS EXCLUSIVE on the index's table. The drop itself is instant, but the lock
 * waits for every query already running on the table, and every query after it queues behind it.
 */
export const dropIndexWithoutConcurrently: Rule = {
  id: 'drop-index-without-concurrently',
  severity: 'error',
  category: 'locks',
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
    const inUse = indexes.filter(
      (index) => !isIndexOfNewTable(context, index, statement.index) && !findsNothingToDrop(index, statement, drop.missing_ok === true, context) && !blocksNobodyNew(index, statement, context),
    );
    if (inUse.length === 0) return [];

    const report: Report = {
      message:
        `DROP INDEX takes an ACCESS EXCLUSIVE lock on ${inUse.map((index) => tableOf(index, statement, context)).join(', ')}: it first waits ` +
        'for every query already running on the table, and every read and write arriving meanwhile waits behind it ' +
        `(a single long query stalls the table). Use DROP INDEX CONCURRENTLY.${optOutOf(inescapableRunner(statement, context))}`,
      range: leadingKeywords(statement, ['INDEX']),
      lock: { mode: 'ACCESS EXCLUSIVE', relation: inUse[0]!, blocks: blockedOperations('ACCESS EXCLUSIVE') },
      safeAlternative: 'DROP INDEX CONCURRENTLY: reads and writes continue (one index per statement, outside a transaction block).',
    };
    const fix = concurrentFix(statement, context, indexes);
    return [typeof fix === 'string' ? { ...report, noFixReason: fix } : { ...report, fixes: [fix] }];
  },
};

/** "orders (the table of orders_status_idx)" when the migrations show the table, else "the table of orders_status_idx". */
function tableOf(index: RelationName, statement: ParsedStatement, context: RuleContext): string {
  const table = existingIndexTable(index, statement, context);
  return table ? `${displayRelation(table)} (the table of ${displayRelation(index)})` : `the table of ${displayRelation(index)}`;
}

/**
 * Whether the drop finds no index, as far as the migrations can tell, and so takes no lock. Either an
 * earlier statement dropped it (by name, with its table, or with a column it covers): `IF EXISTS` does
 * nothing, and without it the statement fails, which is not a lock hazard. Or, for `IF EXISTS` (a
 * re-run guard), the file creates it later on a table whose whole history the migrations show (as
 * drop-column judges a column) and nothing before made an index of that name.
 */
function findsNothingToDrop(index: RelationName, statement: ParsedStatement, ifExists: boolean, context: RuleContext): boolean {
  const known = context.schema.before(statement.index);
  if (known.indexTable(index) !== undefined) return false;
  if (known.isDroppedIndex(index)) return true;
  if (!ifExists) return false;
  const recreatedOn = laterCreation(index, statement, context)?.table;
  if (recreatedOn === undefined || known.table(recreatedOn)?.columnsKnown !== true) return false;
  // A statement the engine could not read may have made it (a template, a syntax error): the history would not show it.
  const mentions = mentionsOf(index.name);
  return !context.statements.slice(0, statement.index).some((earlier) => earlier.kind !== 'parsed' && mentions(earlier));
}

/**
 * Whether the drop makes nobody wait who was not waiting already: an earlier statement of its transaction
 * holds ACCESS EXCLUSIVE on the index's table, a later one drops that table, or an earlier statement renamed that table away (the
 * migration is rebuilding it: the application's queries name the table that replaces it).
 */
function blocksNobodyNew(index: RelationName, statement: ParsedStatement, context: RuleContext): boolean {
  const table = indexTable(index, statement, context);
  if (table && heldEarlierInTransaction(statement, context, table, 'ACCESS EXCLUSIVE')) return true;
  // A later DROP TABLE of the same transaction takes the same lock and the index with it (drop-table reports it).
  if (table && statement.transaction.kind !== 'autocommit' && dropsTable(context, table, statement.index + 1, (statement.transaction.end ?? context.statements.length - 1) + 1)) return true;
  if (table && lockedExclusivelyNext(table, statement, context)) return true;
  return renamedAwayEarlier(index, table, statement, context);
}

/**
 * Whether a later statement of the same transaction locks the table ACCESS EXCLUSIVE, with nothing slow between:
 * the drop then only starts that lock a moment earlier (the drop before an ALTER … TYPE that would rebuild the index).
 */
function lockedExclusivelyNext(table: RelationName, statement: ParsedStatement, context: RuleContext): boolean {
  if (statement.transaction.kind === 'autocommit') return false;
  for (const later of context.statements.slice(statement.index + 1)) {
    if (later.kind !== 'parsed' || !sameTransaction(later.transaction, statement.transaction)) return false;
    // Another DROP INDEX is this rule's own to report: the first of the two carries the lock.
    if (nodeAs(later, 'DropStmt')?.removeType === 'OBJECT_INDEX') continue;
    if (locksOnTables(later, context).some((lock) => lock.mode === 'ACCESS EXCLUSIVE' && sameRelation(lock.relation, table))) return true;
    if (slowLocksOf(later, context).length > 0) return false;
  }
  return false;
}

/**
 * The index's table: where the migrations made the index, else where the file creates one of that name
 * again (a drop and re-create), else the table an earlier statement of the transaction dropped a
 * constraint of that name from (a UNIQUE or PRIMARY KEY's index bears its name: a cleanup that drops
 * both ways, as Authelia's V0007 does).
 */
function indexTable(index: RelationName, statement: ParsedStatement, context: RuleContext): RelationName | undefined {
  return existingIndexTable(index, statement, context) ?? laterCreation(index, statement, context)?.table ?? constraintDroppedEarlier(index, statement, context);
}

function constraintDroppedEarlier(index: RelationName, statement: ParsedStatement, context: RuleContext): RelationName | undefined {
  for (let at = statement.index - 1; at >= 0; at--) {
    const earlier = context.statements[at]!;
    if (earlier.kind !== 'parsed' || !sameTransaction(earlier.transaction, statement.transaction)) continue;
    const table = earlier.targets[0];
    const dropsNamed = earlier.alterTableCommands.some((cmd) => cmd.subtype === 'AT_DropConstraint' && cmd.name === index.name);
    if (table && dropsNamed && (index.schema === undefined || table.schema === undefined || table.schema === index.schema)) return table;
  }
  return undefined;
}

/** The table of the index as it exists before the drop: in the schema history, else where an earlier statement of the file created it. */
function existingIndexTable(index: RelationName, statement: ParsedStatement, context: RuleContext): RelationName | undefined {
  return context.schema.before(statement.index).indexTable(index) ?? findCreatedIndex(context.statements, index, statement.index)?.table;
}

/** Whether an earlier statement of the section renames the index's table to another name (the table the schema knows as owning the index, or `table`). */
function renamedAwayEarlier(index: RelationName, table: RelationName | undefined, statement: ParsedStatement, context: RuleContext): boolean {
  const known = context.schema.before(statement.index);
  return sectionAround(statement, context).filter((other) => other.index < statement.index).some((earlier) => {
    const rename = nodeAs(earlier, 'RenameStmt');
    if (rename?.renameType !== 'OBJECT_TABLE' || !rename.relation?.relname || rename.newname === undefined) return false;
    const from = { schema: rename.relation.schemaname, name: rename.relation.relname };
    const to = { schema: rename.relation.schemaname, name: rename.newname };
    return (table !== undefined && sameRelation(from, table)) || known.indexes(to).some((owned) => sameRelation(owned.name, index));
  });
}

/** The first later statement of the section that creates an index of this name, and its table. */
function laterCreation(index: RelationName, statement: Statement, context: RuleContext): { statement: Statement; table: RelationName } | undefined {
  for (const later of sectionAround(statement, context).filter((other) => other.index > statement.index)) {
    const create = nodeAs(later, 'IndexStmt');
    const table = create?.relation?.relname === undefined ? undefined : { schema: create.relation.schemaname, name: create.relation.relname };
    // An index lives in its table's schema.
    if (table && create?.idxname !== undefined && sameRelation({ schema: table.schema, name: create.idxname }, index)) return { statement: later, table };
  }
  return undefined;
}

/**
 * The first later statement of the section that names the index: one that creates it, or any other,
 * parsed or not (a template or a syntax error can hide a re-creation from the parser), that mentions the name.
 */
function laterMention(index: RelationName, statement: Statement, context: RuleContext): { statement: Statement; creates: boolean } | undefined {
  const creation = laterCreation(index, statement, context)?.statement;
  const mentions = mentionsOf(index.name);
  const mention = sectionAround(statement, context).find((other) => other.index > statement.index && mentions(other));
  if (creation && (!mention || creation.index <= mention.index)) return { statement: creation, creates: true };
  return mention && { statement: mention, creates: false };
}

/** The statements of the section the statement is in: an up section's drop has nothing to do with its down section's statements. */
function sectionAround(statement: Statement, context: RuleContext): readonly Statement[] {
  const section = sectionOf(context.migration, statement);
  return section ? context.statements.filter((other) => other.range.start >= section.start && other.range.start < section.end) : context.statements;
}

/** Why the drop cannot move after the COMMIT or to a later migration: `later` names the index after it. */
function mustStayBefore({ statement: later, creates }: { statement: Statement; creates: boolean }, index: RelationName, context: RuleContext): string {
  const line = context.source.slice(0, later.range.start).split('\n').length;
  const name = displayRelation(index);
  const bothOutside = 'Move both, as DROP INDEX CONCURRENTLY and CREATE INDEX CONCURRENTLY, to a migration that runs outside a transaction.';
  if (creates) {
    return (
      `Line ${line} creates an index named ${name} again, so this drop must run before it: moved after the COMMIT ` +
      'or into a later migration, as DROP INDEX CONCURRENTLY must be, it would run after that CREATE INDEX, which would fail on the old ' +
      `index still there (or, with IF NOT EXISTS, skip, and the drop would then leave no index). ${bothOutside}`
    );
  }
  const unread = later.kind !== 'invalid' ? '' : later.templated ? ' in a statement Lockguard cannot parse (it uses template placeholders)' : ' in a statement Lockguard cannot parse';
  return (
    `Line ${line} also names ${name}${unread}, so this drop must stay before it: moved after the COMMIT or into a later migration, ` +
    'as DROP INDEX CONCURRENTLY must be, it would run after that statement, and if that statement creates the index again the moved ' +
    `drop would delete the new index. ${bothOutside}`
  );
}

/**
 * The first later statement of the drop's transaction that takes ACCESS EXCLUSIVE on the index's table
 * too (another DROP INDEX of it, say): moved out of the transaction alone, the drop leaves that lock
 * where it is, and nothing waits less.
 */
function lockedAgainLater(table: RelationName, statement: ParsedStatement, context: RuleContext): ParsedStatement | undefined {
  if (statement.transaction.kind === 'autocommit') return undefined;
  return context.statements
    .slice(statement.index + 1)
    .find(
      (later): later is ParsedStatement =>
        later.kind === 'parsed' &&
        sameTransaction(later.transaction, statement.transaction) &&
        locksOnTables(later, context).some((lock) => lock.mode === 'ACCESS EXCLUSIVE' && sameRelation(lock.relation, table)),
    );
}

function leavesLockInPlace(statement: ParsedStatement, later: ParsedStatement, table: RelationName, context: RuleContext): string {
  const line = lineOf(later, context);
  const name = displayRelation(table);
  if (nodeAs(later, 'DropStmt')?.removeType === 'OBJECT_INDEX') {
    const runner = inescapableRunner(statement, context);
    return (
      `Line ${line} drops another index of ${name} in this transaction, under the same ACCESS EXCLUSIVE lock: moved out alone, ` +
      `this drop would leave that lock where it is. Move the drops of ${name}'s indexes together, each as DROP INDEX CONCURRENTLY, ` +
      (runner ? `out of ${runner.name}'s transaction.${optOutOf(runner)}` : 'to a migration that runs outside a transaction.')
    );
  }
  return `Line ${line} also takes ACCESS EXCLUSIVE on ${name} in this transaction: moved out alone, this drop would leave that lock where it is, and nothing would wait less.`;
}

/** DROP INDEX CONCURRENTLY, in place or after COMMIT, or why PostgreSQL would refuse it. */
function concurrentFix(statement: ParsedStatement, context: RuleContext, indexes: readonly RelationName[]): Fix | string {
  if (indexes.length > 1) {
    return 'DROP INDEX CONCURRENTLY drops only one index per statement (PostgreSQL rejects a list): write one DROP INDEX CONCURRENTLY per index.';
  }
  if (nodeAs(statement, 'DropStmt')?.behavior === 'DROP_CASCADE') {
    return 'DROP INDEX CONCURRENTLY does not support CASCADE: drop the objects that depend on the index first, then drop the index concurrently.';
  }
  const later = statement.transaction.kind === 'autocommit' ? undefined : laterMention(indexes[0]!, statement, context);
  if (later) return mustStayBefore(later, indexes[0]!, context);
  const table = indexTable(indexes[0]!, statement, context);
  const lockedAgain = table && lockedAgainLater(table, statement, context);
  if (lockedAgain) return leavesLockInPlace(statement, lockedAgain, table, context);
  // Keeps the meaning; like CREATE INDEX CONCURRENTLY it is refused only on a partitioned table's index.
  // IF EXISTS too: a retried DROP INDEX CONCURRENTLY should not fail (see concurrent-index-without-if-exists).
  const guard = nodeAs(statement, 'DropStmt')?.missing_ok ? '' : ' IF EXISTS';
  return addConcurrently(statement, context, firstKeyword(statement, ['INDEX'])!, `Drop the index with DROP INDEX CONCURRENTLY${guard}`, true, guard);
}
