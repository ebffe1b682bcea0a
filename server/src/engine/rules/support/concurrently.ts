import type { Statement } from '../../model/statement';
import type { Token } from '../../text/lexer';
import { moveAfterTransaction } from '../fixes/transaction-block';
import type { Fix, RuleContext } from '../rule';

/**
 * The fix that adds CONCURRENTLY after `keyword`: in place when the statement runs in autocommit;
 * inside BEGIN … COMMIT, the rewritten statement moves after the COMMIT, because the CONCURRENTLY
 * forms cannot run in a transaction block. Returns why not when that is impossible (the migration
 * tool wraps the file, or the block is never closed).
 */
export function addConcurrently(statement: Statement, context: RuleContext, keyword: Token, title: string, autoApplicable: boolean): Fix | string {
  if (statement.transaction.kind === 'autocommit') {
    return { title, edits: [{ range: { start: keyword.end, end: keyword.end }, newText: ' CONCURRENTLY' }], preferred: true, autoApplicable };
  }
  const rewritten = context.source.slice(statement.range.start, keyword.end) + ' CONCURRENTLY' + context.source.slice(keyword.end, statement.range.end);
  return moveAfterTransaction(statement, context.statements, context.source, rewritten, `${title} after COMMIT (CONCURRENTLY cannot run inside a transaction block)`);
}
