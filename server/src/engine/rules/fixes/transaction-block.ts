import type { Statement } from '../../model/statement';
import type { Fix, TextEdit } from '../rule';

/**
 * Moves a statement that must run outside a transaction block to just after the block's COMMIT,
 * rewritten as `newText`. Returns the reason instead when that cannot work: the file never closes
 * the block, or the migration tool wraps the whole file in its own transaction.
 */
export function moveAfterTransaction(statement: Statement, statements: readonly Statement[], source: string, newText: string, title: string): Fix | string {
  if (statement.transaction.kind === 'implicit') return `${statement.transaction.tool.name} runs this whole file in one transaction. ${statement.transaction.tool.optOut}`;
  if (statement.transaction.kind !== 'explicit') return 'The statement is not inside a transaction block.';
  const end = statement.transaction.end === undefined ? undefined : statements[statement.transaction.end];
  if (!end) {
    return 'This file opens a transaction block and never closes it, so there is no place after COMMIT to move the statement to. Put it in a migration of its own that runs outside a transaction.';
  }
  return moveAfter(statement, end, source, newText, title);
}

/**
 * Moves the statement (as `newText`) to just after the COMMIT the file itself writes to end the runner's
 * transaction (a Drizzle file's own COMMIT, say): what follows that COMMIT runs in autocommit or a new
 * transaction, either way no longer under the locks taken before it. Why not, when the file has none.
 */
export function moveAfterFileCommit(statement: Statement, statements: readonly Statement[], source: string, newText: string, title: string): Fix | string {
  const end = statement.transaction.kind === 'implicit' && statement.transaction.end !== undefined ? statements[statement.transaction.end] : undefined;
  return end ? moveAfter(statement, end, source, newText, title) : moveAfterTransaction(statement, statements, source, newText, title);
}

function moveAfter(statement: Statement, end: Statement, source: string, newText: string, title: string): Fix {
  const removal = statementRemoval(source, statement).range;
  const afterCommit = lineEnd(source, (end.terminator ?? end.range.end - 1) + 1);
  const edits: TextEdit[] = [
    { range: removal, newText: '' },
    { range: { start: afterCommit, end: afterCommit }, newText: `\n\n${newText};` },
  ];
  // Not applied blindly: it changes which statements commit together.
  return { title, edits, preferred: true, autoApplicable: false };
}

/** Removes the statement and its semicolon, and its line when nothing else is on it. */
export function statementRemoval(source: string, statement: Statement): TextEdit {
  return { range: wholeLines(source, statement.range.start, (statement.terminator ?? statement.range.end - 1) + 1), newText: '' };
}

/** Widens [start, end) to whole lines when nothing but whitespace shares them, so no blank line is left behind. */
function wholeLines(source: string, start: number, end: number): { start: number; end: number } {
  let from = start;
  while (from > 0 && (source[from - 1] === ' ' || source[from - 1] === '\t')) from--;
  const startsLine = from === 0 || source[from - 1] === '\n';
  let to = end;
  while (to < source.length && (source[to] === ' ' || source[to] === '\t')) to++;
  const endsLine = to === source.length || source[to] === '\n' || source[to] === '\r';
  if (!startsLine || !endsLine) return { start, end };
  if (source[to] === '\r') to++;
  if (source[to] === '\n') to++;
  return { start: from, end: to };
}

/** The end of the line holding `offset` (before its line break). */
function lineEnd(source: string, offset: number): number {
  const newline = source.indexOf('\n', offset);
  const end = newline === -1 ? source.length : newline;
  return source[end - 1] === '\r' ? end - 1 : end;
}
