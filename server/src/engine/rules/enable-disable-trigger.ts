import type { AlterTableCmd } from '@pgsql/types';
import { blockedOperations } from '../locks/lock-modes';
import { alterTableCommandLock } from '../locks/statement-locks';
import { displayRelation, sameRelation, type RelationName } from '../model/relations';
import { nodeAs, type ParsedStatement } from '../model/statement';
import type { LockFact, Rule, RuleContext } from './rule';
import { alterTableClause } from './support/alter-table-clauses';
import { sameTransaction } from './support/constraints';
import { heldEarlierInTransaction } from './support/held-locks';
import { boundTheWait, keepTheWindowShort, PROBE_TRIGGER_SETUP, SHARE_ROW_EXCLUSIVE_QUEUE } from './support/triggers';

const DOCS_ALTER_TABLE = 'https://www.postgresql.org/docs/current/sql-altertable.html';

const DISABLING: readonly AlterTableCmd['subtype'][] = ['AT_DisableTrig', 'AT_DisableTrigAll', 'AT_DisableTrigUser'];
const ENABLING: readonly AlterTableCmd['subtype'][] = ['AT_EnableTrig', 'AT_EnableAlwaysTrig', 'AT_EnableReplicaTrig', 'AT_EnableTrigAll', 'AT_EnableTrigUser'];
/** ALL also switches the internal triggers that enforce foreign keys. */
const WITH_CONSTRAINT_TRIGGERS: readonly AlterTableCmd['subtype'][] = ['AT_DisableTrigAll', 'AT_EnableTrigAll'];

/** ALTER TABLE … ENABLE/DISABLE TRIGGER on a table in use: writes wait for the lock, and a disabled trigger skips the application's writes. */
export const enableDisableTrigger: Rule = {
  id: 'enable-disable-trigger',
  severity: 'warning',
  category: 'locks',
  docs: {
    summary: 'ALTER TABLE … ENABLE/DISABLE TRIGGER on an existing table: SHARE ROW EXCLUSIVE lock (writes wait), and writes skip a disabled trigger.',
    why:
      'Enabling or disabling a trigger takes a SHARE ROW EXCLUSIVE lock on the table: INSERT, UPDATE and DELETE wait ' +
      'until the transaction commits, and queue behind the statement while it waits for the writes already running on ' +
      'the table (plain reads go on). The lock is brief once granted (a warning), unless the transaction goes on to do slow work — the ' +
      'common "disable triggers, backfill, enable triggers" migration blocks writes for the whole backfill. While a ' +
      'trigger is disabled, the running application\'s writes skip it too: audit rows, derived columns and ' +
      'denormalised counters silently go missing. `DISABLE TRIGGER ALL` also disables the internal triggers that ' +
      'enforce foreign keys, so rows that break them get in.',
    example: {
      bad: 'BEGIN;\nALTER TABLE orders DISABLE TRIGGER ALL;\nUPDATE orders SET total = subtotal + tax;\nALTER TABLE orders ENABLE TRIGGER ALL;\nCOMMIT;',
      good: "-- batch the backfill in short transactions, with the triggers on\nSET lock_timeout = '2s';\nUPDATE orders SET total = subtotal + tax WHERE id BETWEEN 1 AND 10000;",
    },
    instead:
      'Avoid disabling triggers on a table in use; if a backfill must not fire them, make the trigger skip it (e.g. a ' +
      'session setting the function checks) rather than disabling it for every session. Otherwise set a short ' +
      '`lock_timeout`, commit right after, and never do slow work while the lock is held. Tables created earlier in ' +
      'the same migration are exempt.',
  },
  facts: [
    triggerFact('ALTER TABLE table DISABLE TRIGGER trigger', 'ALTER TABLE lock_probe DISABLE TRIGGER lock_probe_trigger'),
    triggerFact('ALTER TABLE table ENABLE TRIGGER trigger', 'ALTER TABLE lock_probe ENABLE TRIGGER lock_probe_trigger'),
    triggerFact('ALTER TABLE table DISABLE TRIGGER ALL', 'ALTER TABLE lock_probe DISABLE TRIGGER ALL'),
  ],
  fixChecks: [],
  check(statement, context) {
    const alter = nodeAs(statement, 'AlterTableStmt');
    const table = statement.kind === 'parsed' ? statement.targets[0] : undefined;
    if (!alter || statement.kind !== 'parsed' || !table) return [];
    const commands = statement.alterTableCommands;
    const first = commands.findIndex((cmd) => DISABLING.includes(cmd.subtype) || ENABLING.includes(cmd.subtype));
    if (first === -1 || context.isCreatedInFile(table, statement.index)) return [];
    const mode = alterTableCommandLock(commands[first]!, context.options.pgVersion).mode;
    // An earlier statement of the transaction already holds the lock (a backfill's ALTER TABLE, the DISABLE before an ENABLE).
    if (heldEarlierInTransaction(statement, context, table, mode)) return [];
    const name = displayRelation(table);
    const disables = commands.some((cmd) => DISABLING.includes(cmd.subtype));
    const foreignKeys = commands.some((cmd) => WITH_CONSTRAINT_TRIGGERS.includes(cmd.subtype) && DISABLING.includes(cmd.subtype));
    // Re-enabled before the COMMIT, the application's writes (held off by the lock until then) never see the trigger off.
    const reenabled = disables && reenabledInSameTransaction(statement, context, table);
    const skipped = disables && !reenabled
      ? ` While disabled, the running application's writes skip the trigger too${foreignKeys ? ', and ALL includes the triggers that enforce foreign keys: rows that break them get in' : ''}.`
      : '';
    return [
      {
        message:
          `${disables ? 'DISABLE' : 'ENABLE'} TRIGGER takes a SHARE ROW EXCLUSIVE lock on ${name}: INSERT, UPDATE and DELETE wait ` +
          `until the transaction commits (through any backfill it runs meanwhile), and ${SHARE_ROW_EXCLUSIVE_QUEUE}.${skipped} ${reenabled ? keepTheWindowShort(statement, context) : boundTheWait(statement, context)}`,
        range: alterTableClause(statement, first),
        lock: { mode, relation: table, blocks: blockedOperations(mode) },
        safeAlternative: 'Keep triggers enabled; if a backfill must skip one, make the function skip it. Otherwise a short lock_timeout and a quick commit.',
      },
    ];
  },
};

/** Whether a later statement of the same transaction (not autocommit) enables triggers of the table again. */
function reenabledInSameTransaction(statement: ParsedStatement, context: RuleContext, table: RelationName): boolean {
  if (statement.transaction.kind === 'autocommit') return false;
  return context.statements
    .slice(statement.index + 1)
    .some(
      (later) =>
        later.kind === 'parsed' &&
        sameTransaction(later.transaction, statement.transaction) &&
        nodeAs(later, 'AlterTableStmt') !== undefined &&
        later.targets[0] !== undefined &&
        sameRelation(later.targets[0], table) &&
        later.alterTableCommands.some((cmd) => ENABLING.includes(cmd.subtype)),
    );
}

function triggerFact(form: string, statement: string): LockFact {
  return {
    kind: 'lock',
    statement: form,
    mode: 'SHARE ROW EXCLUSIVE',
    on: 'the table',
    blocks: blockedOperations('SHARE ROW EXCLUSIVE'),
    rewrite: false,
    fullScan: false,
    versions: { from: 10 },
    source: DOCS_ALTER_TABLE,
    probe: { setup: PROBE_TRIGGER_SETUP, statement, relation: 'lock_probe' },
  };
}
