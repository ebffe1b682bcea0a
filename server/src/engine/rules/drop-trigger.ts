import type { Node } from '@pgsql/types';
import { blockedOperations } from '../locks/lock-modes';
import { locksOf } from '../locks/statement-locks';
import { displayRelation, sameRelation, type RelationName } from '../model/relations';
import { nodeAs, type ParsedStatement, type Statement } from '../model/statement';
import type { Rule, RuleContext } from './rule';
import { dropsTable } from './support/breaking-changes';
import { earlierInSameTransaction, namesOf, sameTransaction } from './support/constraints';
import { heldEarlierInTransaction, locksOnTables } from './support/held-locks';
import { leadingKeywords } from './support/keywords';
import { lineOf } from './support/lines';
import { isLockTimeoutInForce } from './support/timeout-coverage';
import { createsTrigger, isTaken } from './support/trigger-guards';
import { boundTheWait, PROBE_CREATE_TRIGGER, PROBE_TRIGGER_FUNCTION_SETUP, PROBE_TRIGGER_SETUP } from './support/triggers';

const DOCS_DROP_TRIGGER = 'https://www.postgresql.org/docs/current/sql-droptrigger.html';
/** CREATE OR REPLACE TRIGGER exists from PostgreSQL 14 (not for constraint triggers). */
const CREATE_OR_REPLACE_TRIGGER_SINCE = 14;

/** DROP TRIGGER on a table in use: a brief ACCESS EXCLUSIVE lock, and writes stop doing what the trigger did. */
export const dropTrigger: Rule = {
  id: 'drop-trigger',
  severity: 'warning',
  category: 'locks',
  docs: {
    summary: 'DROP TRIGGER on an existing table: ACCESS EXCLUSIVE lock on the table (reads and writes wait), and writes stop running the trigger.',
    why:
      '`DROP TRIGGER` takes an ACCESS EXCLUSIVE lock on the trigger\'s table (the lock chapter of the documentation ' +
      'does not list it; measured on PostgreSQL 13–18): every read and write waits until the transaction commits, ' +
      'and while the statement waits for queries already running on the table, every later query queues behind it. ' +
      'The drop itself is instant, so this is a warning. From the commit on, writes no longer run the trigger: ' +
      'whatever it maintained (audit rows, derived columns, counters) stops being maintained for the running ' +
      'application too. `DROP TRIGGER IF EXISTS` of a trigger the table does not have drops nothing, holds no lock on ' +
      'the table once it has run and makes no read or write wait (measured on PostgreSQL 13–18). It is not ' +
      'reported when the earlier migrations created the table and show all its triggers, none of them this one, and ' +
      'the file creates the trigger afterwards (the drop is that CREATE\'s re-run guard). A table they adopted with ' +
      '`CREATE TABLE IF NOT EXISTS` may have triggers they do not show, and stays reported.',
    example: {
      bad: 'DROP TRIGGER orders_audit ON orders;',
      good: "SET lock_timeout = '2s';\n-- lockguard-ignore drop-trigger: the application writes the audit rows itself since v4.2\nDROP TRIGGER orders_audit ON orders;",
    },
    instead:
      'Make sure nothing relies on what the trigger maintains any more, set a short `lock_timeout` before the drop ' +
      '(and retry on timeout) and commit right after it. To change a trigger, `CREATE OR REPLACE TRIGGER` (PostgreSQL ' +
      '14+, not for constraint triggers) replaces it in one step under SHARE ROW EXCLUSIVE: reads go on, and no write ' +
      'runs without it, unlike DROP TRIGGER followed by CREATE TRIGGER. Tables created earlier in the same migration, or dropped later in it, are exempt.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'DROP TRIGGER trigger ON table',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 10 },
      source: DOCS_DROP_TRIGGER,
      probe: { setup: PROBE_TRIGGER_SETUP, statement: 'DROP TRIGGER lock_probe_trigger ON lock_probe', relation: 'lock_probe' },
    },
    {
      kind: 'lock',
      statement: 'DROP TRIGGER IF EXISTS trigger ON table (the table has no such trigger)',
      mode: 'none',
      on: 'the table',
      blocks: [],
      rewrite: false,
      fullScan: false,
      versions: { from: 13 },
      source: DOCS_DROP_TRIGGER,
      probe: { setup: PROBE_TRIGGER_FUNCTION_SETUP, statement: 'DROP TRIGGER IF EXISTS lock_probe_trigger ON lock_probe', relation: 'lock_probe' },
    },
    {
      kind: 'lock',
      statement: 'CREATE OR REPLACE TRIGGER trigger … ON table (replacing an existing trigger)',
      mode: 'SHARE ROW EXCLUSIVE',
      on: 'the table',
      blocks: blockedOperations('SHARE ROW EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: CREATE_OR_REPLACE_TRIGGER_SINCE },
      source: 'https://www.postgresql.org/docs/current/sql-createtrigger.html',
      probe: { setup: PROBE_TRIGGER_SETUP, statement: PROBE_CREATE_TRIGGER.replace('CREATE TRIGGER', 'CREATE OR REPLACE TRIGGER'), relation: 'lock_probe' },
    },
  ],
  fixChecks: [],
  check(statement, context) {
    const drop = nodeAs(statement, 'DropStmt');
    const object = drop?.removeType === 'OBJECT_TRIGGER' ? drop.objects?.[0] : undefined;
    const trigger = object && droppedTrigger(object);
    // A table the file creates, or drops afterwards (its drop is the story, and drops the trigger too).
    if (!trigger || statement.kind !== 'parsed' || context.isCreatedInFile(trigger.table, statement.index) || dropsTable(context, trigger.table, statement.index + 1, context.statements.length)) return [];
    // IF EXISTS of a trigger the table does not have yet (the re-run guard of the file's CREATE TRIGGER) drops nothing and holds no lock.
    if (!locksOf(statement, context.options.pgVersion).some((lock) => isTaken(lock, statement, context))) return [];
    // An earlier statement of the transaction holds the table ACCESS EXCLUSIVE already: the drop waits for no one and
    // queues no one, and it belongs to that change (a trigger dropped with the column it filled), which its own rules report.
    if (heldEarlierInTransaction(statement, context, trigger.table, 'ACCESS EXCLUSIVE')) return [];
    const recreatedAt = context.statements.slice(statement.index + 1).find((later) => createsTrigger(later, trigger.name, trigger.table));
    const sameTransactionRecreation = recreatedAt && statement.transaction.kind !== 'autocommit' && sameTransaction(recreatedAt.transaction, statement.transaction) ? recreatedAt : undefined;
    const afterwards = sameTransactionRecreation
      ? recreationInTransaction(statement, sameTransactionRecreation, trigger.table, context)
      : `${recreatedAt ? recreation(recreatedAt, context) : NO_LONGER_RUNS} ${boundTheWait(statement, context)}`;
    return [
      {
        message:
          `DROP TRIGGER takes an ACCESS EXCLUSIVE lock on ${displayRelation(trigger.table)}: every read and write waits until the transaction ` +
          `commits, and queues behind any query already running on it. ${afterwards}`,
        range: leadingKeywords(statement, ['TRIGGER']),
        lock: { mode: 'ACCESS EXCLUSIVE', relation: trigger.table, blocks: blockedOperations('ACCESS EXCLUSIVE') },
        safeAlternative: 'A short lock_timeout before it and a quick commit after it, once nothing relies on the trigger (PostgreSQL 14+: CREATE OR REPLACE TRIGGER to replace one).',
      },
    ];
  },
};

const NO_LONGER_RUNS = 'After the commit, writes no longer run the trigger: check that nothing relies on what it maintained.';

interface DroppedTrigger {
  name: string;
  table: RelationName;
}

/** What the file's later CREATE TRIGGER of the same trigger means: on PostgreSQL 14+, one step under a weaker lock. */
function recreation(create: Statement, context: RuleContext): string {
  const line = context.source.slice(0, create.range.start).split('\n').length;
  if (context.options.pgVersion < CREATE_OR_REPLACE_TRIGGER_SINCE || nodeAs(create, 'CreateTrigStmt')?.isconstraint) {
    return `Line ${line} creates it again; until then, writes do not run it.`;
  }
  return `Line ${line} creates it again: CREATE OR REPLACE TRIGGER (PostgreSQL 14+) replaces it in one step under SHARE ROW EXCLUSIVE, so reads go on and no write misses the trigger.`;
}

/**
 * A CREATE TRIGGER of the same trigger later in the same transaction: the drop's lock keeps every write out until the
 * commit, so none misses the trigger, and committing between them would open that window. CREATE OR REPLACE
 * (PostgreSQL 14+) only lets reads go on when nothing else in the transaction locks the table ACCESS EXCLUSIVE.
 */
function recreationInTransaction(drop: ParsedStatement, create: Statement, table: RelationName, context: RuleContext): string {
  const line = lineOf(create, context);
  const keepShort = `Keep what runs before line ${line} short: the lock is held until the commit.`;
  const bounded = isLockTimeoutInForce(drop, context) ? keepShort : `Set a short lock_timeout before it (and retry on timeout). ${keepShort}`;
  const recreated = `Line ${line} creates it again in the same transaction, so no write misses it.`;
  if (context.options.pgVersion < CREATE_OR_REPLACE_TRIGGER_SINCE || nodeAs(create, 'CreateTrigStmt')?.isconstraint) return `${recreated} ${bounded}`;
  const other = earlierInSameTransaction(create as ParsedStatement, context).find(
    (by) => by.index !== drop.index && locksOnTables(by, context).some((lock) => lock.mode === 'ACCESS EXCLUSIVE' && sameRelation(lock.relation, table)),
  );
  const replace = other
    ? `CREATE OR REPLACE TRIGGER (PostgreSQL 14+) would replace it in one step, though line ${lineOf(other, context)} locks the table ACCESS EXCLUSIVE in this transaction anyway.`
    : 'CREATE OR REPLACE TRIGGER (PostgreSQL 14+) replaces it in one step under SHARE ROW EXCLUSIVE, so reads go on.';
  return `${recreated} ${replace} ${bounded}`;
}

/** The trigger of `DROP TRIGGER name ON [schema.]table`, whose object is the list schema, table, trigger. */
function droppedTrigger(object: Node): DroppedTrigger | undefined {
  const names = namesOf('List' in object ? object.List.items : undefined);
  const trigger = names.pop();
  const table = names.pop();
  return trigger === undefined || table === undefined ? undefined : { name: trigger, table: { schema: names.pop(), name: table } };
}
