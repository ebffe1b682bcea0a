import { nonTransactionalForm } from '../knowledge/non-transactional';
import { blockedOperations } from '../locks/lock-modes';
import { isSlow, locksOf, type Work } from '../locks/statement-locks';
import { displayRelation } from '../model/relations';
import type { Statement } from '../model/statement';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Report, Rule, RuleContext } from './rule';
import { reasonForIgnoring } from './support/ignored-with-reason';
import { formatMilliseconds } from './support/session-settings';
import { holdsFewRowsOrNone } from './support/tables-with-rows';
import {
  blockingLock,
  planTimeoutSets,
  queuedTraffic,
  type TimeoutPolicy,
  uncoveredStatements,
  isFirstUncovered,
  statementKeywords,
  SUGGESTED_STATEMENT_TIMEOUT_MS,
  timeoutSetsFix,
  mayNeedTimeout,
} from './support/timeout-coverage';

const DOCS_STATEMENT_TIMEOUT = 'https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-STATEMENT-TIMEOUT';

/**
 * statement_timeout caps how long a blocking statement can hold its lock when it does more work than
 * expected. Advice, once per file, and off by default: the work grows with the table, so the right
 * limit is above the statement's run time on production data, which the SQL does not say. Only where
 * the team said why each such statement is quick (a reasoned lockguard-ignore of the rule that flagged
 * it, e.g. "250 rows") does the fix propose a short limit: it holds the migration to that.
 */
export const missingStatementTimeout: Rule = {
  id: 'missing-statement-timeout',
  severity: 'info',
  category: 'hygiene',
  defaultSetting: 'off',
  docs: {
    summary: 'A statement that blocks reads or writes on an existing table also does work that grows with it (scan, index build, rewrite), and no statement_timeout caps it.',
    why:
      '`lock_timeout` limits the wait for a lock; once the lock is granted, nothing limits how long the statement holds ' +
      'it. A schema change that turns out slower than on staging (an unexpected rewrite or validation scan, a trigger, ' +
      'a table far larger than assumed) keeps every read or write on the table waiting until it ends. ' +
      '`statement_timeout` cancels it instead, and the transaction rolls back. Reported once per file, at the first ' +
      'statement that takes SHARE, SHARE ROW EXCLUSIVE, EXCLUSIVE or ACCESS EXCLUSIVE on a table the migration did not ' +
      'create and then scans, indexes, rewrites or changes rows under it — typically one you kept after another rule ' +
      'flagged it because the table is small. Catalog-only changes (most ADD COLUMN, ' +
      'DROP, RENAME) are not reported: once they have the lock they finish in milliseconds, and `lock_timeout` bounds the wait. ' +
      'Nor are statements with a CONCURRENTLY form (CREATE INDEX, REINDEX, …): their own rules ask for that form, which blocks nothing. ' +
      'The rule is off by default: the right limit depends on how long the statement takes on production data, which ' +
      'the migration does not say, and a limit below that cancels the migration every time it runs. Turn it on with ' +
      '`"rules": { "missing-statement-timeout": "info" }` in lockguard.json.',
    example: {
      bad: "-- lockguard-ignore alter-column-type: countries has 250 rows\nALTER TABLE countries ALTER COLUMN id TYPE bigint;",
      good: "SET statement_timeout = '5s';\n-- lockguard-ignore alter-column-type: countries has 250 rows\nALTER TABLE countries ALTER COLUMN id TYPE bigint;",
    },
    instead:
      'Set `statement_timeout` before the blocking statements, above the time they take on a production-size copy of the ' +
      'table (the staging check measures it) — never a short limit on a validation, index build or rewrite of a large ' +
      'table: that cancels the migration every time. Lockguard proposes no value for those. Where you ignored the ' +
      'statement\'s own finding with a reason (`-- lockguard-ignore alter-column-type: countries has 250 rows`), the ' +
      `fix inserts \`SET statement_timeout = '${formatMilliseconds(SUGGESTED_STATEMENT_TIMEOUT_MS)}'\` (\`SET LOCAL\` inside a ` +
      'transaction), which holds the migration to that reason. Statements meant to run long without blocking traffic ' +
      'must not run under it: a cancelled `CREATE INDEX CONCURRENTLY` leaves an INVALID index behind, and a cancelled ' +
      'backfill or VALIDATE is wasted work. So the fix puts `RESET statement_timeout` before those (CONCURRENTLY forms, ' +
      'VACUUM, VALIDATE CONSTRAINT, UPDATE/DELETE/INSERT … SELECT on existing tables). It is never applied automatically.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ALTER TABLE … ADD CONSTRAINT … CHECK (held while every row is checked)',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the altered table',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_STATEMENT_TIMEOUT,
      probe: { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe ADD CONSTRAINT lock_probe_id_check CHECK (id > 0)', relation: 'lock_probe' },
    },
  ],
  fixChecks: [
    {
      setup: PROBE_TABLE_SETUP,
      migration: "SET lock_timeout = '2s';\n-- lockguard-ignore check-without-not-valid: lock_probe has 1,000 rows\nALTER TABLE lock_probe ADD CONSTRAINT lock_probe_id_check CHECK (id > 0);\n",
    },
    {
      setup: PROBE_TABLE_SETUP,
      migration:
        '-- lockguard-ignore check-without-not-valid: lock_probe has 1,000 rows\nALTER TABLE lock_probe ADD COLUMN note text CHECK (note <> \'\');\nCREATE INDEX CONCURRENTLY lock_probe_note_idx ON lock_probe (note);\n' +
        'BEGIN;\nALTER TABLE lock_probe ADD CONSTRAINT lock_probe_id_check CHECK (id > 0) NOT VALID;\nALTER TABLE lock_probe VALIDATE CONSTRAINT lock_probe_id_check;\n' +
        '-- lockguard-ignore alter-column-type: lock_probe has 1,000 rows\nALTER TABLE lock_probe ALTER COLUMN customer_id TYPE bigint;\nCOMMIT;\n',
    },
  ],
  check(statement, context) {
    // Only a statement that takes a blocking lock can be the one reported: the others never look at the file.
    if (!mayNeedTimeout(statement, context.options.pgVersion, STATEMENT_TIMEOUT)) return [];
    if (!isFirstUncovered(statement, context, STATEMENT_TIMEOUT)) return [];
    const uncovered = uncoveredStatements(context, STATEMENT_TIMEOUT);
    const [first] = uncovered;
    if (!first || first.statement !== statement) return [];
    const table = displayRelation(first.lock.relation);
    const report: Report = {
      message:
        `No statement_timeout caps this statement, which ${WORK_DONE[first.lock.work]} while it holds ${first.lock.mode} on ${table}: if that takes longer than expected, ` +
        `${queuedTraffic(first.lock.mode, table)} until it ends.`,
      range: statementKeywords(statement),
      lock: { mode: first.lock.mode, relation: first.lock.relation, blocks: blockedOperations(first.lock.mode) },
    };
    const reasons = uncovered.map((blocking) => reasonForIgnoring(context, blocking.statement, missingStatementTimeout.id));
    if (reasons.every((reason) => reason !== undefined)) return [shortLimit(report, reasons[0]!, context)];
    return [
      {
        ...report,
        message:
          `${report.message} Its run time grows with the table, so no short limit fits: one below it cancels the migration every time. ` +
          'Time it on a production-size copy and SET statement_timeout above that, or use the form that does not block.',
        safeAlternative: 'SET statement_timeout above the run time measured on production-size data, before the blocking statement.',
        noFixReason:
          "The limit must be above this statement's run time on your production table, which the migration does not say: measure it " +
          '(Lockguard: Check migration against staging), or ignore the rule that flagged the statement with the reason it is quick, e.g. the table\'s size.',
      },
    ];
  },
};

/** Every blocking statement is quick by the team's own account: a short limit holds the migration to it. */
function shortLimit(report: Report, reason: string, context: RuleContext): Report {
  const value = formatMilliseconds(SUGGESTED_STATEMENT_TIMEOUT_MS);
  const planned = planTimeoutSets(context, STATEMENT_TIMEOUT, SUGGESTED_STATEMENT_TIMEOUT_MS, (later) => runsLongWithoutBlocking(later, context));
  const sets = [...planned.values()].filter((change) => change.value !== 'default').length;
  return {
    ...report,
    message: `${report.message} You kept it because "${reason}": SET statement_timeout = '${value}' before it holds the migration to that, cancelling (and rolling back) a run that takes longer.`,
    safeAlternative: `SET statement_timeout = '${value}' (SET LOCAL inside a transaction) before blocking statements; RESET it before long, non-blocking ones.`,
    fixes: [
      timeoutSetsFix(
        context,
        'statement_timeout',
        value,
        planned,
        sets > 1 ? `Set statement_timeout = '${value}' before the blocking statements (${sets} places)` : `Set statement_timeout = '${value}' before this statement`,
        false,
      ),
    ],
  };
}

const WORK_DONE: Readonly<Record<Work, string>> = {
  instant: 'changes the catalog',
  rows: 'changes rows',
  scan: 'scans the table',
  'index-build': 'builds an index',
  rewrite: 'rewrites the table',
};

/** A catalog-only change holds its lock for milliseconds once granted (lock_timeout bounds the wait): no statement_timeout needed. */
const STATEMENT_TIMEOUT: TimeoutPolicy = { setting: 'statement_timeout', needs: (lock) => isSlow(lock.work) };

/** Statements meant to take long while reads and writes continue: a statement_timeout would cancel them for nothing. */
function runsLongWithoutBlocking(statement: Statement, context: RuleContext): boolean {
  if (statement.kind !== 'parsed' || blockingLock(statement, context)) return false;
  if (nonTransactionalForm(statement, context.options.pgVersion) !== undefined) return true;
  return locksOf(statement, context.options.pgVersion).some((lock) => isSlow(lock.work) && !holdsFewRowsOrNone(context, lock.relation, statement.index));
}
