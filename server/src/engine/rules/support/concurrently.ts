import type { Statement } from '../../model/statement';
import type { Token } from '../../text/lexer';
import { runOutsideTransaction } from '../fixes/new-migration';
import type { Fix, RuleContext } from '../rule';
import { postgresOnlyRewriteRefused } from '../fixes/postgres-only';

/**
 * The fix that adds CONCURRENTLY after `keyword` (and `guard`, e.g. ` IF EXISTS`, after it): in place
 * when the statement runs in autocommit; in a transaction, the rewritten statement moves after the
 * file's COMMIT or into a new migration that runs without one, because the CONCURRENTLY forms cannot
 * run in a transaction block. Returns why not when neither is possible.
 */
export function addConcurrently(statement: Statement, context: RuleContext, keyword: Token, title: string, autoApplicable: boolean, guard = ''): Fix | string {
  const inserted = ` CONCURRENTLY${guard}`;
  const otherDatabases = postgresOnlyRewriteRefused(statement, context, 'CONCURRENTLY');
  if (otherDatabases) return otherDatabases;
  if (statement.transaction.kind === 'autocommit') {
    return { title, edits: [{ range: { start: keyword.end, end: keyword.end }, newText: inserted }], preferred: true, autoApplicable };
  }
  const keywordEnd = keyword.end - statement.range.start;
  const rewritten = statement.text.slice(0, keywordEnd) + inserted + statement.text.slice(keywordEnd);
  return runOutsideTransaction(statement, context, { text: rewritten, title, outsideTransaction: true });
}
