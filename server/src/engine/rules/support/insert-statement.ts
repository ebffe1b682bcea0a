import { sectionOf } from '../../model/migration';
import type { Statement } from '../../model/statement';
import type { RuleContext, TextEdit } from '../rule';

/**
 * An edit inserting `sql` as a statement before `statement`: on a new line after the previous
 * statement (so comments above `statement`, such as suppressions, stay attached to it), or on the
 * statement's own line when it is the first of its section (a section marker may sit in between).
 */
export function insertBefore(statement: Statement, context: RuleContext, sql: string): TextEdit {
  const { source } = context;
  const lineStart = source.lastIndexOf('\n', statement.range.start - 1) + 1;
  const indentation = source.slice(lineStart, statement.range.start);
  const ownLine = indentation.trim() === '';
  const previous = context.statements[statement.index - 1];
  if (previous && sectionOf(context.migration, previous) === sectionOf(context.migration, statement)) {
    const after = lineEnd(source, (previous.terminator ?? previous.range.end - 1) + 1);
    if (after <= statement.range.start) return { range: { start: after, end: after }, newText: `\n${ownLine ? indentation : ''}${sql}` };
  }
  if (ownLine) {
    const start = suppressionLinesStart(source, lineStart);
    return { range: { start, end: start }, newText: `${indentation}${sql}\n` };
  }
  return { range: { start: statement.range.start, end: statement.range.start }, newText: `${sql} ` };
}

function lineEnd(source: string, offset: number): number {
  const newline = source.indexOf('\n', offset);
  const end = newline === -1 ? source.length : newline;
  return source[end - 1] === '\r' ? end - 1 : end;
}

/** Where the `-- lockguard-ignore` lines right above `lineStart` begin: the inserted statement goes above them, so they keep silencing their statement. */
function suppressionLinesStart(source: string, lineStart: number): number {
  let start = lineStart;
  while (start > 0) {
    const previousStart = source.lastIndexOf('\n', start - 2) + 1;
    const line = source.slice(previousStart, start).trim();
    if (!line.startsWith('--') || !line.includes('lockguard-ignore')) break;
    start = previousStart;
  }
  return start;
}
