import type { Runner } from '../../model/frameworks/framework';
import type { Statement } from '../../model/statement';
import { transactionControlOf } from '../../model/transaction-control';
import { perFile, type RuleContext } from '../rule';
import { sectionOf } from '../../model/migration';

export { transactionControlOf, type TransactionControl } from '../../model/transaction-control';

/** The BEGIN whose block is still open before statement `index`: PostgreSQL ignores a BEGIN inside a block, so the outer one counts. */
export function openBlockBefore(statements: readonly Statement[], index: number): Statement | undefined {
  return transactionBlocks(statements).openBefore[Math.min(index, statements.length)];
}

/** Whether a statement after statement `index` ends a transaction block (COMMIT, ROLLBACK, PREPARE TRANSACTION). */
export function closesAfter(statements: readonly Statement[], index: number): boolean {
  return transactionBlocks(statements).lastClose > index;
}

/** The file's blocks in one pass, however many of its BEGINs and COMMITs ask. */
const transactionBlocks = perFile((statements: readonly Statement[]) => {
  const openBefore: (Statement | undefined)[] = [];
  let open: Statement | undefined;
  let lastClose = -1;
  for (const statement of statements) {
    openBefore.push(open);
    const control = transactionControlOf(statement);
    if (control === 'open') open ??= statement;
    else if (control === 'close') {
      open = undefined;
      lastClose = openBefore.length - 1;
    }
  }
  openBefore.push(open);
  return { openBefore, lastClose };
});

/**
 * The runner that wraps the statement's section in a transaction of its own, into which the file's
 * BEGIN would nest. Tools that send the file as one multi-statement query are not among them:
 * PostgreSQL's implicit transaction gives way to the file's own BEGIN … COMMIT, so a block in the
 * file is how such migrations are meant to be written.
 */
export function wrappingRunner(statement: Statement, context: RuleContext): Runner | undefined {
  const section = sectionOf(context.migration, statement);
  return section?.wrapping === 'transaction' ? context.migration.runner : undefined;
}

/** The runner that sends a statement's section in a transaction (its own, or PostgreSQL's implicit one), if any. */
export function transactionRunner(statement: Statement, context: RuleContext): Runner | undefined {
  const section = sectionOf(context.migration, statement);
  return section && section.wrapping !== 'none' ? context.migration.runner : undefined;
}

/**
 * The runner whose transaction holds the statement, when its framework has no way to run a statement
 * outside it — neither a new migration nor a switch in place (Authelia, Drizzle's migrator): advice that
 * needs one must go through the runner's own opt-out text instead.
 */
export function inescapableRunner(statement: Statement, context: RuleContext): Runner | undefined {
  const { framework } = context.migration;
  if (statement.transaction.kind !== 'implicit' || !framework || framework.newMigration || framework.withoutTransaction) return undefined;
  return statement.transaction.tool;
}

/** " <the runner's opt-out text>" to end a piece of advice with, or nothing without a runner. */
export const optOutOf = (runner: Runner | undefined): string => (runner ? ` ${runner.optOut}` : '');
