import { relationFromNames, sameRelation, type RelationName } from '../../model/relations';
import { nodeAs, type Statement } from '../../model/statement';
import { isTrivia, lex, type Token } from '../../text/lexer';
import type { RuleContext } from '../rule';
import { aboutStatement } from './recorded-questions';

/**
 * What the author wrote about a column where a reader of the migration looks for it: the comments on the
 * line where its type is written, the comment lines just above that line, those just above the statement
 * that name the column, and the COMMENT ON COLUMN statements of the same section. `typeAt` is where the type is written, relative to the statement's
 * start (stable when an edit moves the statement). A recorded question (./recorded-questions.ts): the
 * comments above a statement lie outside its text.
 */
export const commentsAboutColumn = aboutStatement(
  'comments about column',
  (statement: Statement, context: RuleContext, table: RelationName, column: string, typeAt: number): string[] => {
    const source = context.source;
    const comments = commentTokensOf(source);
    const offset = statement.range.start + typeAt;
    const lineStart = source.lastIndexOf('\n', offset - 1) + 1;
    const lineEnd = endOfLine(source, offset);
    const onLine = comments.filter((comment) => comment.start >= lineStart && comment.start < lineEnd);
    const statementLineStart = source.lastIndexOf('\n', statement.range.start - 1) + 1;
    const namesColumn = new RegExp(`(^|[^\\w$])${column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^\\w$]|$)`, 'i');
    const aboveStatement =
      statementLineStart === lineStart ? [] : commentLinesAbove(source, comments, statementLineStart).filter((comment) => namesColumn.test(source.slice(comment.start, comment.end)));
    return [...aboveStatement, ...commentLinesAbove(source, comments, lineStart), ...onLine]
      .map((comment) => source.slice(comment.start, comment.end))
      .concat(columnCommentsOf(context, statement, table, column));
  },
);

/** The comments that fill the lines just above `lineStart`, up to the first blank line or line with code. */
function commentLinesAbove(source: string, comments: readonly Token[], lineStart: number): Token[] {
  const above: Token[] = [];
  let cursor = lineStart;
  while (cursor > 0) {
    const start = source.lastIndexOf('\n', cursor - 2) + 1;
    const text = source.slice(start, cursor - 1);
    const first = start + text.search(/\S/);
    const last = start + text.trimEnd().length;
    if (first < start) break;
    // A comment alone on its line, or a block comment the line lies in.
    const comment = comments.find((candidate) => candidate.start <= first && candidate.end >= last);
    if (!comment) break;
    above.unshift(comment);
    cursor = source.lastIndexOf('\n', comment.start - 1) + 1;
  }
  return above;
}

/** The strings of `COMMENT ON COLUMN table.column IS '…'` in the statement's section. */
function columnCommentsOf(context: RuleContext, statement: Statement, table: RelationName, column: string): string[] {
  return context.statements.flatMap((candidate) => {
    const comment = candidate.section === statement.section ? nodeAs(candidate, 'CommentStmt') : undefined;
    if (comment?.objtype !== 'OBJECT_COLUMN' || !comment.object || !('List' in comment.object) || comment.comment === undefined) return [];
    const names = (comment.object.List.items ?? []).flatMap((item) =>
      'String' in item && item.String.sval !== undefined ? [item.String.sval] : [],
    );
    const commented = relationFromNames(names.slice(0, -1));
    return names[names.length - 1] === column && commented && sameRelation(commented, table) ? [comment.comment] : [];
  });
}

function endOfLine(source: string, offset: number): number {
  const end = source.indexOf('\n', offset);
  return end === -1 ? source.length : end;
}

// Asked only about the few columns a rule has something to say about: the file is lexed once per text.
let lexed: { source: string; comments: Token[] } | undefined;

function commentTokensOf(source: string): Token[] {
  if (lexed?.source !== source) lexed = { source, comments: lex(source).filter(isTrivia) };
  return lexed.comments;
}
