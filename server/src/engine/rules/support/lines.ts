import type { Statement } from '../../model/statement';
import { LineIndex } from '../../text/positions';
import type { RuleContext } from '../rule';

/** The 1-based line a statement starts on, as messages cite it ("line 12 of this file"). */
export function lineOf(statement: Statement, context: RuleContext): number {
  return lineAt(context.source, statement.range.start);
}

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
