import type { RangeVar } from '@pgsql/types';
import { blockedOperations, trafficImpact, type LockMode } from '../locks/lock-modes';
import { isSlow, locksOf, type TableLock, type Work } from '../locks/statement-locks';
import { displayRelation, sameRelation, type RelationName } from '../model/relations';
import { nodeAs, type ParsedStatement, type Statement } from '../model/statement';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { LockFact, Rule, RuleContext } from './rule';
import { locksOnTables } from './support/held-locks';
import { isLockTimeoutInForce } from './support/timeout-coverage';
import { lineOf } from './support/lines';

const DOCS_LOCK = 'https://www.postgresql.org/docs/current/sql-lock.html';

/** The explicit modes that stop the application's writes (and, for ACCESS EXCLUSIVE, its reads). */
const FLAGGED_MODES: readonly LockMode[] = ['SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'];

type SlowWork = Exclude<Work, 'instant'>;
const isSlowWork = (work: Work): work is SlowWork => isSlow(work);

const WORK_DONE: Readonly<Record<SlowWork, string>> = {
  scan: 'scans a whole table',
  'index-build': 'builds an index',
  rewrite: 'rewrites a whole table',
  rows: 'touches rows of a table',
};

/**
 * LOCK TABLE holds its lock until the transaction ends: harmless for a few fast statements (if it
 * does not queue for long), an outage when the transaction then does slow work.
 */
export const lockTable: Rule = {
  id: 'lock-table',
  severity: 'error',
  category: 'locks',
  docs: {
    summary: 'Explicit LOCK TABLE in SHARE mode or stronger: writes (or all access) wait until COMMIT; an error when the transaction then does slow work.',
    why:
      '`LOCK TABLE` holds its lock until the transaction commits. SHARE, SHARE ROW EXCLUSIVE and EXCLUSIVE stop every ' +
      'INSERT, UPDATE and DELETE on the table; ACCESS EXCLUSIVE (the default when no mode is given) stops reads too. ' +
      'While it waits for queries already running on the table, every later query queues behind it. When the same ' +
      'transaction then scans, rewrites, indexes or updates a large table, the application waits for all of it: that is ' +
      'reported as an error. With only quick statements after it, the lock is brief once granted, but waiting for it ' +
      'stalls traffic: a warning, unless a `lock_timeout` set before it (or `NOWAIT`) bounds that wait.',
    example: {
      bad: "BEGIN;\nLOCK TABLE orders IN ACCESS EXCLUSIVE MODE;\nUPDATE orders SET status = 'archived' WHERE created_at < '2020-01-01';\nCOMMIT;",
      good: "SET lock_timeout = '2s';\nBEGIN;\nLOCK TABLE orders IN SHARE ROW EXCLUSIVE MODE;\nALTER TABLE orders ADD COLUMN archived_at timestamptz;\nCOMMIT;",
    },
    instead:
      'Take the weakest mode that protects what you need, set a short `lock_timeout` (and retry) so the lock never ' +
      'queues traffic for long, and keep the rest of the transaction fast: commit before a backfill or index build, or ' +
      'run that in a transaction of its own. Modes below SHARE (ACCESS SHARE, ROW SHARE, ROW EXCLUSIVE, SHARE UPDATE ' +
      'EXCLUSIVE) let reads and writes continue and are not flagged, nor are tables created earlier in the same migration.',
  },
  facts: FLAGGED_MODES.map(lockFact),
  fixChecks: [],
  check(statement, context) {
    if (!nodeAs(statement, 'LockStmt') || statement.kind !== 'parsed') return [];
    const locks = locksOf(statement, context.options.pgVersion).filter(
      (lock) => FLAGGED_MODES.includes(lock.mode) && !isNewRelation(lock.relation, statement.index, context),
    );
    const [first] = locks;
    if (!first) return [];
    const names = locks.map((lock) => displayRelation(lock.relation)).join(', ');
    const held = `LOCK TABLE holds ${first.mode} on ${names} until the transaction commits: ${trafficImpact(first.mode)}.`;
    const lock = { mode: first.mode, relation: first.relation, blocks: blockedOperations(first.mode) };

/**
 * Advice when slow work follows the LOCK: an explicit LOCK usually exists to keep that very work consistent
 * with concurrent writes (a backfill before its triggers exist), so committing before it is advised only for
 * work that does not need it; the lock itself can often be weaker.
 */
function afterSlowWork(mode: LockMode, otherAccessExclusive: Statement | undefined): string {
  const ifNeeded =
    mode === 'ACCESS EXCLUSIVE' && !otherAccessExclusive
      ? 'If the lock only has to hold off writes while that work runs, IN EXCLUSIVE MODE does so and lets plain reads go on'
      : 'If the lock keeps that work consistent with concurrent writes, keep the work short (fewer rows per migration, nothing unrelated under the lock)';
  return `${ifNeeded}; if the work does not need the lock, commit before it.`;
}
    const safeAlternative = 'The weakest mode that does the job, after a short lock_timeout, with only fast statements before COMMIT.';

    const slow = laterSlowStatement(statement, context);
    if (slow) {
      return [
        {
          message:
            `${held} The same transaction then runs line ${lineOf(slow.statement, context)} ` +
            `(${leadingText(slow.statement)}), which ${WORK_DONE[slow.work]}: the lock, and the waiting, last as long as ` +
            `that takes. ${afterSlowWork(first.mode, otherAccessExclusive(statement, locks, context))}`,
          related: [{ range: slow.statement.range, message: `This statement ${WORK_DONE[slow.work]} while the ${first.mode} lock of LOCK TABLE is still held` }],
          lock,
          safeAlternative,
        },
      ];
    }
    // Only fast statements follow: the lock is brief once granted, so what is left is the wait for it. NOWAIT or
    // a lock_timeout already bounds that wait — the safe form this rule asks for.
    if (nodeAs(statement, 'LockStmt')?.nowait || isLockTimeoutInForce(statement, context)) return [];
    return [
      {
        message: `${held} Until it gets the lock, every later query on the table queues behind it: set a short lock_timeout first and keep the rest of the transaction fast.`,
        severity: 'warning',
        lock,
        safeAlternative,
      },
    ];
  },
};

/**
 * Whether no one else can be using the relation: the file created it earlier, or it is a view the file
 * created over such relations only (LOCK TABLE on a view also locks every relation its query reads).
 */
function isNewRelation(relation: RelationName, beforeStatement: number, context: RuleContext, seen = new Set<string>()): boolean {
  const view = context.statements
    .slice(0, beforeStatement)
    .map((statement) => nodeAs(statement, 'ViewStmt'))
    .find((candidate) => candidate?.view?.relname !== undefined && sameRelation({ schema: candidate.view.schemaname, name: candidate.view.relname }, relation));
  // A new view is new, but locking it also locks what it reads: those decide.
  if (!view?.query) return context.isCreatedInFile(relation, beforeStatement);
  const key = displayRelation(relation);
  if (seen.has(key)) return false;
  seen.add(key);
  return relationsIn(view.query).every((read) => isNewRelation(read, beforeStatement, context, seen));
}

/** Every relation a query names (CTE names included, which only makes the check stricter). */
function relationsIn(node: unknown): RelationName[] {
  if (Array.isArray(node)) return node.flatMap(relationsIn);
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) => {
    const rangeVar = value as RangeVar;
    if (key === 'RangeVar' && rangeVar.relname !== undefined) return [{ schema: rangeVar.schemaname, name: rangeVar.relname }];
    return relationsIn(value);
  });
}

function lockFact(mode: LockMode): LockFact {
  return {
    kind: 'lock',
    statement: `LOCK TABLE table IN ${mode} MODE`,
    mode,
    on: 'the table, until the transaction ends',
    blocks: blockedOperations(mode),
    rewrite: false,
    fullScan: false,
    versions: { from: 9 },
    source: DOCS_LOCK,
    probe: { setup: PROBE_TABLE_SETUP, statement: `LOCK TABLE lock_probe IN ${mode} MODE`, relation: 'lock_probe' },
  };
}

/**
 * The first statement after `statement`, in the same transaction, whose lock is held while doing work
 * that grows with a table this file did not create. In autocommit the rest of the file counts: LOCK
 * TABLE only works inside a transaction, so it is meant for a runner that wraps the file.
 */
function laterSlowStatement(statement: ParsedStatement, context: RuleContext): { statement: Statement; work: SlowWork } | undefined {
  for (const later of context.statements.slice(statement.index + 1)) {
    if (later.kind !== 'parsed' || !sameTransaction(statement, later) || insertsLiteralRows(later)) continue;
    const work = locksOf(later, context.options.pgVersion)
      .filter((lock) => !context.isCreatedInFile(lock.relation, later.index))
      .map((lock) => lock.work)
      .find(isSlowWork);
    if (work) return { statement: later, work };
  }
  return undefined;
}

/** INSERT … VALUES and DEFAULT VALUES write the rows they list: quick, although locksOf counts every INSERT as row work. */
function insertsLiteralRows(statement: ParsedStatement): boolean {
  const insert = nodeAs(statement, 'InsertStmt');
  if (!insert) return false;
  const source = insert.selectStmt;
  return source === undefined || ('SelectStmt' in source && source.SelectStmt.valuesLists !== undefined);
}

/** Another statement of the transaction that takes ACCESS EXCLUSIVE on a locked table anyway (an ADD COLUMN): a weaker LOCK would not let reads go on. */
function otherAccessExclusive(statement: ParsedStatement, locks: readonly TableLock[], context: RuleContext): Statement | undefined {
  return context.statements.find(
    (other) =>
      other !== statement &&
      other.kind === 'parsed' &&
      sameTransaction(statement, other) &&
      locksOnTables(other, context).some((lock) => lock.mode === 'ACCESS EXCLUSIVE' && locks.some((locked) => sameRelation(locked.relation, lock.relation))),
  );
}

function sameTransaction(a: Statement, b: Statement): boolean {
  if (a.transaction.kind === 'explicit') return b.transaction.kind === 'explicit' && b.transaction.begin === a.transaction.begin;
  return b.transaction.kind === a.transaction.kind;
}

/** The statement's first line, shortened: enough for the reader to recognise it. */
function leadingText(statement: Statement): string {
  const firstLine = statement.text.split('\n', 1)[0]!.trim();
  return firstLine.length > 50 ? `${firstLine.slice(0, 49)}…` : firstLine;
}
