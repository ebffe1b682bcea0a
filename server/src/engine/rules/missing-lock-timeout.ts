import { blockedOperations, conflicts, type LockMode } from '../locks/lock-modes';
import { displayRelation } from '../model/relations';
import { nonTransactionalForm } from '../knowledge/non-transactional';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { LockFact, Rule, RuleContext } from './rule';
import { formatMilliseconds, isTimeoutInForce, settingChange } from './support/session-settings';
import {
  type BlockingStatement,
  describeLines,
  planTimeoutSets,
  queuedTraffic,
  type TimeoutPolicy,
  uncoveredStatements,
  isFirstUncovered,
  SUGGESTED_LOCK_TIMEOUT_MS,
  statementKeywords,
  timeoutSetsFix,
  mayNeedTimeout,
} from './support/timeout-coverage';
import { PROBE_TRIGGER_FUNCTION_SETUP } from './support/triggers';

const DOCS_LOCKING = 'https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-TABLES';
/** Every blocking statement needs a lock_timeout. */
const LOCK_TIMEOUT: TimeoutPolicy = { setting: 'lock_timeout', needs: () => true };

/** A table and a trigger function, for probing CREATE TRIGGER. */

/**
 * A DDL statement waiting for its lock queues every later query on the table behind it: an instant
 * ALTER stuck behind one long report takes the table down. lock_timeout turns that into a quick,
 * retryable failure. Reported once per file, at the first statement that needs it.
 */
export const missingLockTimeout: Rule = {
  id: 'missing-lock-timeout',
  severity: 'warning',
  category: 'hygiene',
  docs: {
    summary: 'A statement takes a lock that blocks reads or writes on an existing table, and no lock_timeout is set before it.',
    why:
      'A lock request waits for every conflicting lock already held on the table, and every later request that ' +
      'conflicts with it queues behind it. So an ALTER TABLE that needs ACCESS EXCLUSIVE for a millisecond, stuck ' +
      'behind one long-running query or an idle-in-transaction session, makes every read and write on the table wait ' +
      'for as long as that query runs. Without `lock_timeout` (the default is 0: wait forever) nothing ends the wait ' +
      'but the blocker. Statements taking SHARE, SHARE ROW EXCLUSIVE, EXCLUSIVE or ACCESS EXCLUSIVE on a table the ' +
      'migration did not create are checked (most ALTER TABLE forms, CREATE TRIGGER, DROP TABLE, TRUNCATE, ' +
      'LOCK TABLE, a new table\'s foreign key on its referenced table); `lock_timeout = 0` counts as no timeout. ' +
      'Statements with a CONCURRENTLY form (CREATE INDEX, DROP INDEX, REINDEX on PostgreSQL 12+, REFRESH MATERIALIZED ' +
      'VIEW, DETACH PARTITION on 14+) are left to their own rules: written the safe way they take no blocking lock. ' +
      'The rule reports once per file, at the first such statement, and lists the others.',
    example: {
      bad: 'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;',
      good: "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;",
    },
    instead:
      "Set a short `lock_timeout` before the first blocking statement (`SET lock_timeout = '2s'`; inside a " +
      'transaction `SET LOCAL`, which ends with it and never leaks into a pooled connection) and retry the migration ' +
      'when it times out, ideally at a quiet moment. The quick fix inserts it: `SET LOCAL` at the first blocking ' +
      'statement of each transaction, a session `SET` in autocommit. It is applied automatically only inside a ' +
      'transaction, where a timeout rolls the whole migration back; in autocommit a timeout half-way leaves the ' +
      'earlier statements applied. In autocommit the fix also puts `RESET lock_timeout` before a later CONCURRENTLY ' +
      'statement: those wait for every older transaction, and a short lock_timeout would cancel them half-way, leaving ' +
      'an INVALID index. `SET`, `SET LOCAL` and `set_config(\'lock_timeout\', …)` are recognised, and so ' +
      'is `RESET`. Statements with `NOWAIT` never queue and are not reported.',
  },
  facts: [
    lockFact('ALTER TABLE … ADD COLUMN', 'ACCESS EXCLUSIVE', PROBE_TABLE_SETUP, 'ALTER TABLE lock_probe ADD COLUMN note text'),
    lockFact(
      'CREATE TRIGGER … ON table',
      'SHARE ROW EXCLUSIVE',
      PROBE_TRIGGER_FUNCTION_SETUP,
      'CREATE TRIGGER lock_probe_touch BEFORE UPDATE ON lock_probe FOR EACH ROW EXECUTE FUNCTION lock_probe_touch()',
    ),
  ],
  fixChecks: [
    { setup: PROBE_TABLE_SETUP, migration: 'ALTER TABLE lock_probe ADD COLUMN note text;\n' },
    {
      setup: PROBE_TABLE_SETUP,
      migration: 'BEGIN;\nCREATE TABLE lock_probe_new (id int);\nALTER TABLE lock_probe ADD COLUMN note text;\nCOMMIT;\n\nBEGIN;\nALTER TABLE lock_probe DROP COLUMN note;\nCOMMIT;\n',
    },
    { setup: PROBE_TABLE_SETUP, migration: 'SET lock_timeout = 0;\nBEGIN; ALTER TABLE lock_probe ADD CONSTRAINT lock_probe_id_check CHECK (id > 0) NOT VALID; COMMIT;\n' },
  ],
  check(statement, context) {
    // Only a statement that takes a blocking lock can be the one reported: the others never look at the file.
    if (!mayNeedTimeout(statement, context.options.pgVersion, LOCK_TIMEOUT)) return [];
    if (!isFirstUncovered(statement, context, LOCK_TIMEOUT)) return [];
    const uncovered = uncoveredStatements(context, LOCK_TIMEOUT);
    const first = uncovered[0];
    if (!first || first.statement !== statement) return [];
    // Copied only here: every blocking statement of the file asks whether it is the first.
    const others = uncovered.slice(1);

    const table = displayRelation(first.lock.relation);
    // CONCURRENTLY forms wait for every older transaction and would fail on a short lock_timeout, leaving invalid indexes.
    const planned = planTimeoutSets(context, LOCK_TIMEOUT, SUGGESTED_LOCK_TIMEOUT_MS, (later) => nonTransactionalForm(later, context.options.pgVersion) !== undefined);
    const value = formatMilliseconds(SUGGESTED_LOCK_TIMEOUT_MS);
    const inTransactionOnly = [...planned.values()].every((change) => change.local);
    const sets = [...planned.values()].filter((change) => change.value !== 'default').length;
    return [
      {
        message:
          `This statement takes ${first.lock.mode} on ${table} with no lock_timeout set.${whyMissing(first, context)} If ${holdersOf(first.lock.mode, table)}, ` +
          `the statement waits for it, and meanwhile ${queuedTraffic(first.lock.mode, table)} ` +
          `behind it, with no limit. Set a short lock_timeout first (SET lock_timeout = '${value}') so it fails fast and can be retried.${alsoMissing(others, context)}`,
        range: statementKeywords(statement),
        lock: { mode: first.lock.mode, relation: first.lock.relation, blocks: blockedOperations(first.lock.mode) },
        safeAlternative: `SET lock_timeout = '${value}' (SET LOCAL inside a transaction) before the first blocking statement, and retry on timeout.`,
        related: others.slice(0, MAX_RELATED).map((other) => ({
          range: statementKeywords(other.statement),
          message: `Also takes ${other.lock.mode} on ${displayRelation(other.lock.relation)} without a lock_timeout`,
        })),
        fixes: [
          timeoutSetsFix(
            context,
            'lock_timeout',
            value,
            planned,
            sets > 1 ? `Set lock_timeout = '${value}' before the blocking statements (${sets} places)` : `Set lock_timeout = '${value}' before this statement`,
            inTransactionOnly,
          ),
        ],
      },
    ];
  },
};

/**
 * Who can make the statement wait, in the user's terms: any query for ACCESS EXCLUSIVE; for the modes
 * plain reads do not conflict with (SHARE, SHARE ROW EXCLUSIVE, …), a transaction that writes to the table.
 */
function holdersOf(mode: LockMode, table: string): string {
  if (conflicts('ACCESS SHARE', mode)) return `a long query or an idle transaction holds any lock on ${table}`;
  if (conflicts('ROW EXCLUSIVE', mode)) return `a long write or an idle transaction that wrote to ${table} holds its lock (plain reads do not get in the way)`;
  return `another transaction holds a conflicting lock on ${table}`;
}

/** Why the timeout is missing when the file does mention it: turned off with 0, or set only later (a rollback's SET does not count). */
function whyMissing(first: BlockingStatement, context: RuleContext): string {
  const setBy = first.inForce.setBy === undefined ? undefined : context.statements[first.inForce.setBy];
  if (first.inForce.value === 0 && setBy) return ` ${describeLines(context, [setBy])} sets lock_timeout to 0, which turns it off.`;
  const later = context.statements.slice(first.statement.index + 1).find((candidate) => {
    if (candidate.section !== 'up') return false;
    const change = settingChange(candidate, 'lock_timeout');
    return change !== undefined && isTimeoutInForce(change.value);
  });
  return later ? ` The lock_timeout of ${describeLines(context, [later])} comes after this statement.` : '';
}

/** The file's other blocking statements without a timeout, the first few by line. */
function alsoMissing(others: readonly BlockingStatement[], context: RuleContext): string {
  if (others.length === 0) return '';
  const shown = describeLines(context, others.slice(0, LINES_SHOWN).map((other) => other.statement), Math.max(0, others.length - LINES_SHOWN));
  return others.length === 1 ? ` The statement on ${shown} also locks without a timeout.` : ` ${others.length} more statements (${shown}) also lock without a timeout.`;
}

const LINES_SHOWN = 5;
/** Related locations an editor lists under the finding: enough to navigate, not a wall on a huge file. */
const MAX_RELATED = 20;

function lockFact(form: string, mode: LockFact['mode'], setup: readonly string[], statement: string): LockFact {
  return {
    kind: 'lock',
    statement: form,
    mode,
    on: 'the table; while the request waits, later conflicting requests queue behind it',
    blocks: blockedOperations(mode),
    rewrite: false,
    fullScan: false,
    versions: { from: 9 },
    source: DOCS_LOCKING,
    probe: { setup, statement, relation: 'lock_probe' },
  };
}
