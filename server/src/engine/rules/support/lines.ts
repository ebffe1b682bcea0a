import type { Statement } from '../../model/statement';
import { LineIndex, type OffsetRange } from '../../text/positions';
import type { RuleContext } from '../rule';
import { aboutStatement } from './recorded-questions';

/**
 * The 1-based line a statement starts on, as messages cite it ("line 12 of this file"). A recorded
 * question (./recorded-questions.ts): a finding that cites it is taken over while the line stays.
 */
export const lineOf = aboutStatement('line of', (statement: Statement, context: RuleContext): number => lineAt(context.source, statement.range.start));

/** The 1-based line of an offset in the file. */
function lineAt(source: string, offset: number): number {
  return linesOf(source).positionAt(offset).line + 1;
}

// A file with many findings cites many lines: index its line starts once per text, not once per message.
let indexed: { source: string; lines: LineIndex } | undefined;

function linesOf(source: string): LineIndex {
  if (indexed?.source !== source) indexed = { source, lines: new LineIndex(source) };
  return indexed.lines;
}

/**
 * What precedes the statement on its line (its indentation, or the statement before it), and where:
 * for a fix that inserts a line above the statement. A recorded question (./recorded-questions.ts).
 */
export const lineBefore = aboutStatement('line before', (statement: Statement, context: RuleContext): { range: OffsetRange; text: string } => {
  const { source } = context;
  const lineStart = source.lastIndexOf('\n', statement.range.start - 1) + 1;
  return { range: { start: lineStart, end: statement.range.start }, text: source.slice(lineStart, statement.range.start) };
});
