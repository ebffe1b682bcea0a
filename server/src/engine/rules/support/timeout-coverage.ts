import { nonTransactionalForm } from '../../knowledge/non-transactional';
import { blockedOperations, blocksOperation, type LockMode } from '../../locks/lock-modes';
import { locksOf, type TableLock } from '../../locks/statement-locks';
import { nodeAs, type ParsedStatement, type Statement } from '../../model/statement';
import { LineIndex, type OffsetRange } from '../../text/positions';
import { perFile, type Fix, type RuleContext } from '../rule';
import { insertBefore } from './insert-statement';
import { aboutStatement } from './recorded-questions';
import { optionEnabled } from './statement-options';
import { isTaken } from './trigger-guards';
import { isTimeoutInForce, SettingTracker, settingTimeline, type SettingChange, type SettingInForce, type TimeoutSetting } from './session-settings';

/** The lock_timeout the fixes set: long enough for a catalog change, short enough that queued traffic barely notices. */
export const SUGGESTED_LOCK_TIMEOUT_MS = 2000;

/** Above this, a lock_timeout lets a waiting statement queue traffic for longer than users tolerate (strong_migrations' default is 10s too). */
export const MAX_LOCK_TIMEOUT_MS = 10_000;

/** The statement_timeout the fixes set before blocking statements that do work: how long traffic may wait before the statement is cancelled. */
export const SUGGESTED_STATEMENT_TIMEOUT_MS = 5000;

/** Modes that make the application's reads or writes wait: SHARE, SHARE ROW EXCLUSIVE, EXCLUSIVE, ACCESS EXCLUSIVE. */
const blocksTraffic = (mode: LockMode) => blocksOperation(mode, 'SELECT') || blocksOperation(mode, 'INSERT');

/** A statement that takes a traffic-blocking lock on a relation the file did not create, and the setting it runs with. */
export interface BlockingStatement {
  statement: ParsedStatement;
  lock: TableLock;
  inForce: SettingInForce;
}

/**
 * The first traffic-blocking lock the statement queues for on a relation that already exists. Left
 * out: LOCK … NOWAIT, which fails at once instead of queueing; statements with a CONCURRENTLY form,
 * whose own rules already ask for that form — it takes no lock that blocks traffic, so a timeout
 * finding on top would only be noise; and statements that cannot run in the transaction they are
 * in (VACUUM FULL inside BEGIN): they fail at once (concurrently-in-transaction reports them); and
 * statements of a rollback section, which does not run when the migration is applied.
 */
export function blockingLock(statement: Statement, context: RuleContext): TableLock | undefined {
  // A statement of the file is looked up by its index; any other is judged on its own.
  return context.statements[statement.index] === statement ? blockingLocksOf(context)[statement.index] : findBlockingLock(statement, context);
}

/**
 * The blocking lock of each statement of the file, by index, in one pass per analysis (every blocking
 * statement asks for the file's). Per analysis, not per statement object: the answer depends on the
 * rest of the file (tables it creates), and a statement object can outlive one analysis (see ../../incremental.ts).
 */
const blockingLocksOf = perFile((context: RuleContext): readonly (TableLock | undefined)[] => context.statements.map((statement) => findBlockingLock(statement, context)));

function findBlockingLock(statement: Statement, context: RuleContext): TableLock | undefined {
  const { pgVersion } = context.options;
  if (!runsOnApply(statement) || !mayNeedTimeout(statement, pgVersion) || nodeAs(statement, 'LockStmt')?.nowait) return undefined;
  if (hasConcurrentForm(statement, pgVersion) || (statement.transaction.kind !== 'autocommit' && nonTransactionalForm(statement, pgVersion))) return undefined;
  return locksOf(statement, pgVersion).find((lock) => blocksAccess(lock) && !context.isCreatedInFile(lock.relation, statement.index) && isTaken(lock, statement, context));
}

/** A rollback (goose's `-- +goose Down`, dbmate's `-- migrate:down`) runs at another time: its locks are not the migration's. */
const runsOnApply = (statement: Statement) => statement.section === 'up';

/**
 * Whether any lock the statement takes blocks traffic, whatever the rest of the file does: a statement
 * for which this is false is never a blocking statement, so rules can skip the file-wide analysis.
 */
export function mayNeedTimeout(statement: Statement, pgVersion: number, policy?: TimeoutPolicy): statement is ParsedStatement {
  return statement.kind === 'parsed' && locksOf(statement, pgVersion).some((lock) => blocksAccess(lock) && (!policy || policy.needs(lock)));
}

/** A materialized view is only ever read (REFRESH writes it), so only a lock that stops SELECT blocks its traffic. */
function blocksAccess(lock: TableLock): boolean {
  return lock.objectKind === 'materialized view' ? blocksOperation(lock.mode, 'SELECT') : blocksTraffic(lock.mode);
}

/** CREATE INDEX, DROP INDEX, REINDEX (PostgreSQL 12+), REFRESH MATERIALIZED VIEW and DETACH PARTITION (14+) without CONCURRENTLY. */
function hasConcurrentForm(statement: ParsedStatement, pgVersion: number): boolean {
  const index = nodeAs(statement, 'IndexStmt');
  if (index) return !index.concurrent;
  const drop = nodeAs(statement, 'DropStmt');
  if (drop?.removeType === 'OBJECT_INDEX') return !drop.concurrent;
  if (nodeAs(statement, 'ReindexStmt')) return pgVersion >= 12 && !optionEnabled(nodeAs(statement, 'ReindexStmt')!.params, 'concurrently');
  const refresh = nodeAs(statement, 'RefreshMatViewStmt');
  if (refresh) return !refresh.concurrent;
  const commands = statement.alterTableCommands;
  return (
    pgVersion >= 14 &&
    commands.length > 0 &&
    commands.every((cmd) => cmd.subtype === 'AT_DetachPartition' && cmd.def !== undefined && 'PartitionCmd' in cmd.def && !cmd.def.PartitionCmd.concurrent)
  );
}

/** Every blocking statement of the file with the value of `setting` it starts with (computed once per file and setting). */
export function blockingStatements(context: RuleContext, setting: TimeoutSetting): BlockingStatement[] {
  const perFile = analyses.get(context.statements) ?? new Map<TimeoutSetting, BlockingStatement[]>();
  analyses.set(context.statements, perFile);
  if (!perFile.has(setting)) {
    const timeline = settingTimeline(context.statements, setting);
    const found = context.statements.flatMap((statement) => {
      const lock = blockingLock(statement, context);
      return lock && statement.kind === 'parsed' ? [{ statement, lock, inForce: timeline[statement.index]! }] : [];
    });
    perFile.set(setting, found);
  }
  return perFile.get(setting)!;
}

const analyses = new WeakMap<readonly Statement[], Map<TimeoutSetting, BlockingStatement[]>>();

const runsWithout = (blocking: BlockingStatement) => !isTimeoutInForce(blocking.inForce.value);

/**
 * Whether a lock_timeout is in force when the statement starts — a SET earlier in the session, a SET
 * LOCAL earlier in its transaction, set_config(), a value the file cannot read — the same judgment
 * missing-lock-timeout makes: rules that would advise one say nothing about it then.
 */
export const isLockTimeoutInForce = aboutStatement('lock timeout in force', (statement: Statement, context: RuleContext): boolean =>
  isTimeoutInForce(lockTimeoutTimeline(context)[statement.index]?.value ?? 'default'),
);

const lockTimeoutTimeline = perFile((context: RuleContext) => settingTimeline(context.statements, 'lock_timeout'));

/** Which timeout a rule asks for, and before which blocking statements. */
export interface TimeoutPolicy {
  setting: TimeoutSetting;
  needs: (lock: TableLock) => boolean;
}

/** The blocking statements the policy wants covered that run without the timeout, in file order (computed once per file and policy). */
export function uncoveredStatements(context: RuleContext, policy: TimeoutPolicy): BlockingStatement[] {
  const perFile = uncoveredCache.get(context.statements) ?? new Map<TimeoutPolicy, BlockingStatement[]>();
  uncoveredCache.set(context.statements, perFile);
  if (!perFile.has(policy)) perFile.set(policy, blockingStatements(context, policy.setting).filter((blocking) => policy.needs(blocking.lock) && runsWithout(blocking)));
  return perFile.get(policy)!;
}

const uncoveredCache = new WeakMap<readonly Statement[], Map<TimeoutPolicy, BlockingStatement[]>>();

/**
 * Whether the statement is the first the policy wants covered that runs without the timeout: the one
 * a timeout rule reports. Every blocking statement asks, so it is a recorded question (./recorded-questions.ts).
 */
export const isFirstUncovered = aboutStatement('first uncovered', (statement: Statement, context: RuleContext, policy: TimeoutPolicy): boolean => firstUncovered(context, policy) === statement);

/** `uncoveredStatements(context, policy)[0]`, looking no further down the file than it (once per analysis and policy). */
function firstUncovered(context: RuleContext, policy: TimeoutPolicy): Statement | undefined {
  const perFile = firstUncoveredCache.get(context.statements) ?? new Map<TimeoutPolicy, Statement | undefined>();
  firstUncoveredCache.set(context.statements, perFile);
  if (perFile.has(policy)) return perFile.get(policy);
  const tracker = new SettingTracker(policy.setting);
  let first: Statement | undefined;
  for (const statement of context.statements) {
    tracker.enter(statement);
    const lock = isTimeoutInForce(tracker.inForce.value) ? undefined : findBlockingLock(statement, context);
    if (lock && statement.kind === 'parsed' && policy.needs(lock)) {
      first = statement;
      break;
    }
    tracker.leave(statement);
  }
  perFile.set(policy, first);
  return first;
}

const firstUncoveredCache = new WeakMap<readonly Statement[], Map<TimeoutPolicy, Statement | undefined>>();

/**
 * The SETs (and RESETs) a fix inserts so that every blocking statement the policy `needs` covered runs
 * with it: a SET before the first uncovered one of each scope — SET LOCAL inside a transaction (it
 * ends with the transaction, so it never leaks into a pooled connection), a session SET in autocommit
 * — and a RESET before each statement the timeout must not cover (`spared`), such as a concurrent build.
 * A rollback section gets neither: it runs at another time.
 */
export function planTimeoutSets(context: RuleContext, policy: TimeoutPolicy, milliseconds: number, spared: (statement: Statement) => boolean): Map<number, SettingChange> {
  const planned = new Map<number, SettingChange>();
  const tracker = new SettingTracker(policy.setting);
  for (const statement of context.statements) {
    tracker.enter(statement);
    const { value, setBy } = tracker.inForce;
    const lock = blockingLock(statement, context);
    const change: SettingChange | undefined =
      lock && policy.needs(lock) && !isTimeoutInForce(value)
        ? { value: milliseconds, local: statement.transaction.kind !== 'autocommit', valueRange: undefined }
        : !lock && runsOnApply(statement) && setBy !== undefined && planned.has(setBy) && isTimeoutInForce(value) && spared(statement)
          ? { value: 'default', local: false, valueRange: undefined }
          : undefined;
    if (change) {
      planned.set(statement.index, change);
      tracker.apply(change, statement.index);
    }
    tracker.leave(statement);
  }
  return planned;
}

/** The fix that inserts the planned SETs and RESETs, each on a line of its own before its statement. */
export function timeoutSetsFix(context: RuleContext, setting: TimeoutSetting, value: string, planned: ReadonlyMap<number, SettingChange>, title: string, autoApplicable: boolean): Fix {
  const edits = [...planned.entries()].map(([index, change]) =>
    insertBefore(context.statements[index]!, context, change.value === 'default' ? `RESET ${setting};` : `SET ${change.local ? 'LOCAL ' : ''}${setting} = '${value}';`),
  );
  return { title, edits, preferred: true, autoApplicable };
}

/** What queues behind a statement waiting for `mode` on `table`. */
export function queuedTraffic(mode: LockMode, table: string): string {
  return blockedOperations(mode).includes('SELECT') ? `every read and write on ${table} queues` : `every write (INSERT, UPDATE, DELETE) on ${table} queues`;
}

/** "line 4" / "lines 4, 9 and 12" / "lines 4, 9 and 3 more", for messages that point elsewhere in the file. */
export function describeLines(context: RuleContext, statements: readonly Statement[], more = 0): string {
  const lines = new LineIndex(context.source);
  const numbers = statements.map((statement) => String(lines.positionAt(statement.range.start).line + 1));
  if (more > 0) numbers.push(`${more} more`);
  if (numbers.length === 1) return `line ${numbers[0]}`;
  return `lines ${numbers.slice(0, -1).join(', ')} and ${numbers[numbers.length - 1]}`;
}

/** The statement's first two tokens (`ALTER TABLE`, `CREATE INDEX`, `DROP TABLE`): what a finding underlines. */
export function statementKeywords(statement: Statement): OffsetRange {
  const [first, second] = statement.tokens;
  return first ? { start: first.start, end: (second ?? first).end } : statement.range;
}
