import type { Statement } from '../../model/statement';
import type { Token } from '../../text/lexer';
import { runOutsideTransaction } from '../fixes/new-migration';
import type { Fix, RuleContext } from '../rule';

/**
 * The fix that adds CONCURRENTLY after `keyword` (and `guard`, e.g. ` IF EXISTS`, after it): in place
 * when the statement runs in autocommit; in a transaction, the rewritten statement moves after the
 * file's COMMIT or into a new migration that runs without one, because the CONCURRENTLY forms cannot
 * run in a transaction block. Returns why not when neither is possible.
 */
export function addConcurrently(statement: Statement, context: RuleContext, keyword: Token, title: string, autoApplicable: boolean, guard = ''): Fix | string {
  const inserted = ` CONCURRENTLY${guard}`;
  if (statement.transaction.kind === 'autocommit') {
    return { title, edits: [{ range: { start: keyword.end, end: keyword.end }, newText: inserted }], preferred: true, autoApplicable };
  }
  const rewritten = context.source.slice(statement.range.start, keyword.end) + inserted + context.source.slice(keyword.end, statement.range.end);
  return runOutsideTransaction(statement, context, { text: rewritten, title, outsideTransaction: true });
}
