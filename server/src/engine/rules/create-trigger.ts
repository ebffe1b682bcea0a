import type { Node } from '@pgsql/types';
import { blockedOperations } from '../locks/lock-modes';
import { locksOf } from '../locks/statement-locks';
import { displayRelation, sameRelation, type RelationName } from '../model/relations';
import { nodeAs, type ParsedStatement } from '../model/statement';
import type { Rule, RuleContext } from './rule';
import { earlierInSameTransaction, namesOf } from './support/constraints';
import { heldEarlierInTransaction } from './support/held-locks';
import { leadingKeywords } from './support/keywords';
import { isTaken } from './support/trigger-guards';
import { boundTheWait, PROBE_CREATE_TRIGGER, PROBE_TRIGGER_FUNCTION_SETUP, SHARE_ROW_EXCLUSIVE_QUEUE } from './support/triggers';

const DOCS_LOCKING = 'https://www.postgresql.org/docs/current/explicit-locking.html';

/** The events of CreateTrigStmt.events (TRIGGER_TYPE_* bits of PostgreSQL's pg_trigger.h). */
const EVENTS: readonly [number, string][] = [
  [1 << 2, 'INSERT'],
  [1 << 4, 'UPDATE'],
  [1 << 3, 'DELETE'],
  [1 << 5, 'TRUNCATE'],
];

/**
 * CREATE TRIGGER on a table in use: a SHARE ROW EXCLUSIVE lock (writes wait while it queues and until
 * COMMIT), and from then on the trigger's function runs inside every write the trigger fires on.
 */
export const createTrigger: Rule = {
  id: 'create-trigger',
  severity: 'warning',
  category: 'locks',
  docs: {
    summary: 'CREATE TRIGGER on an existing table: SHARE ROW EXCLUSIVE lock (writes wait), and new code runs inside every write.',
    why:
      '`CREATE TRIGGER` takes a SHARE ROW EXCLUSIVE lock on the table: INSERT, UPDATE and DELETE wait until the ' +
      'transaction commits, and while the lock waits for queries already running on the table, every later write ' +
      'queues behind it. The lock itself is short, so this is a warning. What lasts is the trigger: its function ' +
      'runs inside each write it fires on, adding time to every one of them, and an error in it makes those writes ' +
      'fail. A slow or failing trigger function on a busy table is an outage that no lock analysis shows.',
    example: {
      bad: 'CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit_order();',
      good:
        "SET lock_timeout = '2s';\n-- lockguard-ignore create-trigger: audit_order() inserts one row, load-tested at 3x peak writes\n" +
        'CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit_order();',
    },
    instead:
      'Set a short `lock_timeout` before the statement (and retry on timeout), keep the transaction short, and test ' +
      'the function against production-like write volume: keep it small, and prefer `AFTER … FOR EACH STATEMENT` ' +
      'with transition tables over per-row work where you can. Tables created earlier in the same migration are exempt.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'CREATE TRIGGER … ON table',
      mode: 'SHARE ROW EXCLUSIVE',
      on: 'the table',
      blocks: blockedOperations('SHARE ROW EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 10 },
      source: DOCS_LOCKING,
      probe: { setup: PROBE_TRIGGER_FUNCTION_SETUP, statement: PROBE_CREATE_TRIGGER, relation: 'lock_probe' },
    },
  ],
  fixChecks: [],
  check(statement, context) {
    const trigger = nodeAs(statement, 'CreateTrigStmt');
    if (!trigger || statement.kind !== 'parsed') return [];
    const [lock] = locksOf(statement, context.options.pgVersion).filter((candidate) => !context.isCreatedInFile(candidate.relation, statement.index));
    if (!lock) return [];
    // Dropped and created again in one transaction: the trigger was running already, and the drop-trigger finding tells the story.
    if (trigger.trigname !== undefined && droppedEarlierInTransaction(trigger.trigname, lock.relation, statement, context)) return [];
    const table = displayRelation(lock.relation);
    const events = EVENTS.filter(([bit]) => ((trigger.events ?? 0) & bit) !== 0).map(([, name]) => name);
    const fires = events.length > 0 ? events.join(' or ') : 'write';
    const runs = `the function runs inside every ${fires} on ${table}: it adds time to each one, and an error in it fails them.`;
    // An earlier statement of the transaction holds a lock at least as blocking: this one makes nobody wait, only the function is new.
    if (heldEarlierInTransaction(statement, context, lock.relation, lock.mode)) {
      return [
        {
          message: `Once CREATE TRIGGER commits, ${runs}`,
          range: leadingKeywords(statement, ['TRIGGER']),
          safeAlternative: 'A trigger function tested for speed and errors against production-like writes.',
        },
      ];
    }
    return [
      {
        message:
          `CREATE TRIGGER takes a SHARE ROW EXCLUSIVE lock on ${table}: INSERT, UPDATE and DELETE wait until the transaction ` +
          `commits, and ${SHARE_ROW_EXCLUSIVE_QUEUE}. From then on ${runs} ${boundTheWait(statement, context)}`,
        range: leadingKeywords(statement, ['TRIGGER']),
        lock: { mode: lock.mode, relation: lock.relation, blocks: blockedOperations(lock.mode) },
        safeAlternative: 'A short lock_timeout before it, a quick commit after it, and a trigger function tested for speed and errors.',
      },
    ];
  },
};

/** Whether an earlier statement of the transaction drops the trigger `name` on `table` (`DROP TRIGGER name ON [schema.]table`). */
function droppedEarlierInTransaction(name: string, table: RelationName, statement: ParsedStatement, context: RuleContext): boolean {
  return earlierInSameTransaction(statement, context).some((earlier) => {
    const drop = nodeAs(earlier, 'DropStmt');
    // A DROP TRIGGER IF EXISTS that finds no trigger (the re-run guard of this CREATE) dropped nothing that was running.
    if (drop?.removeType !== 'OBJECT_TRIGGER' || !locksOf(earlier, context.options.pgVersion).some((lock) => isTaken(lock, earlier, context))) return false;
    return (drop.objects ?? []).some((object) => {
      const dropped = droppedTrigger(object);
      return dropped !== undefined && dropped.name === name && sameRelation(dropped.table, table);
    });
  });
}

/** The trigger and table of a DROP TRIGGER object: the list [schema,] table, trigger. */
function droppedTrigger(object: Node): { name: string; table: RelationName } | undefined {
  const names = namesOf('List' in object ? object.List.items : undefined);
  const [name, table, schema] = names.reverse();
  return name === undefined || table === undefined ? undefined : { name, table: { schema, name: table } };
}
