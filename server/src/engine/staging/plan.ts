/**
 * Decides, statement by statement, what the check does with a migration: run it inside the
 * rolled-back transaction, or leave it out and report it from the knowledge base — statements
 * that cannot run in a transaction, that would end the check's transaction, or that are not SQL.
 */
import { nonTransactionalForm } from '../knowledge/non-transactional';
import { blockedOperations } from '../locks/lock-modes';
import { locksOf } from '../locks/statement-locks';
import { displayRelation } from '../model/relations';
import { nodeAs, type Statement } from '../model/statement';
import { inferredVerdicts } from './blocking';
import type { KnownLock, NotRunReason, StatementLocation } from './report';

export type PlannedStatement = StatementLocation & {
  label: string;
  /**
   * The transaction segment the statement runs in when the migration is applied (the index of the
   * segment's first statement): its locks are released when that segment commits, so the check
   * reports them for that segment only. Autocommit statements are each a segment of their own.
   */
  segment: number;
} & (
    /** `documentedLocks`: what the knowledge base says it takes, for locks an earlier segment still holds on staging. */
    | { action: 'run'; documentedLocks: KnownLock[] }
    /** `equivalent`: the in-transaction form to time inside a savepoint (CONCURRENTLY removed). */
    | { action: 'skip'; reason: Exclude<NotRunReason, { kind: 'non-transactional' }> | { kind: 'non-transactional'; form: string }; knownLocks: KnownLock[]; equivalent: string | undefined }
    | { action: 'reject'; message: string }
  );

export function planStatements(statements: readonly Statement[], locationOf: (statement: Statement) => StatementLocation, pgVersion: number): PlannedStatement[] {
  return statements.map((statement) => ({ ...locationOf(statement), label: labelOf(statement, pgVersion), segment: segmentOf(statement), ...actionFor(statement, pgVersion) }));
}

/** The first statement of the transaction the runner executes the statement in (see model/transactions.ts). */
function segmentOf(statement: Statement): number {
  const { transaction } = statement;
  switch (transaction.kind) {
    case 'autocommit':
      return statement.index;
    case 'explicit':
      return transaction.begin;
    case 'implicit':
      return transaction.start;
  }
}

type Action = PlannedStatement extends infer P ? (P extends unknown ? Omit<P, keyof StatementLocation | 'label' | 'segment'> : never) : never;

function actionFor(statement: Statement, pgVersion: number): Action {
  if (statement.section !== 'up') {
    const why = statement.section === 'other-database' ? 'Written for another database: the migration tool never runs it on PostgreSQL, so' : `Part of the migration's ${statement.section} section, which does not run when the migration is applied:`;
    return { action: 'skip', reason: { kind: 'not-applied', message: `${why} the check does not run it.` }, knownLocks: [], equivalent: undefined };
  }
  if (statement.kind === 'meta-command') {
    return { action: 'skip', reason: { kind: 'meta-command', message: 'A psql meta-command, not SQL: the check does not run it.' }, knownLocks: [], equivalent: undefined };
  }
  if (statement.kind === 'invalid') {
    return { action: 'reject', message: `PostgreSQL cannot parse this statement (${statement.message}); the check stops here. Fix the statement and check again.` };
  }
  if (nodeAs(statement, 'TransactionStmt')) {
    return {
      action: 'skip',
      reason: {
        kind: 'transaction-control',
        message: 'The check never commits: it runs the migration in one transaction that it always rolls back, and reports the locks of each transaction of the file as held until that transaction ends.',
      },
      knownLocks: [],
      equivalent: undefined,
    };
  }
  const copy = nodeAs(statement, 'CopyStmt');
  if (copy && !copy.filename) {
    return { action: 'skip', reason: { kind: 'unsupported', message: 'COPY … FROM STDIN / TO STDOUT needs the data stream of a client such as psql: the check does not run it.' }, knownLocks: [], equivalent: undefined };
  }
  const form = nonTransactionalForm(statement, pgVersion);
  if (form !== undefined) {
    return { action: 'skip', reason: { kind: 'non-transactional', form }, knownLocks: knownLocks(statement, pgVersion), equivalent: inTransactionEquivalent(statement, form) };
  }
  return { action: 'run', documentedLocks: knownLocks(statement, pgVersion) };
}

function knownLocks(statement: Statement, pgVersion: number): KnownLock[] {
  if (statement.kind !== 'parsed') return [];
  return locksOf(statement, pgVersion).map((lock) => ({ relation: displayRelation(lock.relation), mode: lock.mode, work: lock.work, blocks: inferredVerdicts(lock.mode) }));
}

/**
 * The statement without CONCURRENTLY, which does the same work under a stronger lock and can run in a
 * transaction: timing it tells how long the concurrent form's build takes (CONCURRENTLY took 1.2–1.5×
 * the plain build at 1M rows, docs/staging-measurements.md §5). Only index builds are worth timing.
 */
function inTransactionEquivalent(statement: Statement, form: string): string | undefined {
  if (form !== 'CREATE INDEX CONCURRENTLY' && form !== 'REINDEX CONCURRENTLY') return undefined;
  const keyword = statement.tokens.find((token) => token.type === 'word' && token.value === 'CONCURRENTLY');
  if (!keyword) return undefined;
  const offset = statement.range.start;
  const text = statement.text.slice(0, keyword.start - offset) + statement.text.slice(keyword.end - offset);
  // `REINDEX (CONCURRENTLY) TABLE t` leaves empty parentheses behind.
  return text.replace(/\(\s*\)/, '').replace(/\s+/g, ' ').trim();
}

/** Commands whose object kind belongs in the label (`CREATE INDEX`, `ALTER TABLE`), and the words that may come between. */
const WITH_OBJECT_KIND = new Set(['CREATE', 'ALTER', 'DROP', 'REINDEX', 'REFRESH']);
const MODIFIERS = new Set(['UNIQUE', 'OR', 'REPLACE', 'MATERIALIZED', 'TEMP', 'TEMPORARY', 'UNLOGGED']);

/** A short name for the statement, e.g. `CREATE UNIQUE INDEX`, `ALTER TABLE`, `UPDATE`, `CREATE INDEX CONCURRENTLY`. */
function labelOf(statement: Statement, pgVersion: number): string {
  if (statement.kind === 'meta-command') return statement.text.split(/\s/)[0] ?? 'meta-command';
  const form = nonTransactionalForm(statement, pgVersion);
  if (form !== undefined) return form;
  const words = statement.tokens.filter((token) => token.type === 'word').map((token) => token.value);
  const [command] = words;
  if (command === undefined) return 'statement';
  if (!WITH_OBJECT_KIND.has(command)) return command;
  let end = 1;
  while (end < words.length && MODIFIERS.has(words[end]!)) end++;
  return words.slice(0, end + 1).join(' ');
}

/** Whether a skipped statement's own lock (from the knowledge base) stops reads or writes. */
export const knownLockBlocksTraffic = (locks: readonly KnownLock[]) => locks.some((lock) => blockedOperations(lock.mode).some((op) => op === 'INSERT' || op === 'SELECT'));
