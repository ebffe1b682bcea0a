import type { Statement } from './model/statement';
import type { TextEdit } from './rules/rule';
import type { OffsetRange } from './text/positions';

/**
 * A comment that silences rules, with the reason a reviewer will read:
 *   -- lockguard-ignore create-index-without-concurrently: the table has 200 rows
 * before a statement, or for the whole file:
 *   -- lockguard-ignore-file prefer-text-over-varchar: legacy schema, kept as is
 */
export interface Suppression {
  scope: 'statement' | 'file';
  rules: string[];
  /** Empty when the comment gives none: that is reported, since the reason is the point. */
  reason: string;
  /** The comment. */
  range: OffsetRange;
  /** For statement suppressions: the statement right after the comment. */
  statementIndex: number | undefined;
}

const MARKER = /lockguard-ignore(-file)?\b/g;
const BODY = /^\s+([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*(?::(.*))?$/;

/** Finds suppression comments: in `--` or `/* … *\/` comments, never inside strings or statements' code. */
export function findSuppressions(source: string, statements: readonly Statement[]): Suppression[] {
  const suppressions: Suppression[] = [];
  for (const match of source.matchAll(MARKER)) {
    const offset = match.index;
    const comment = commentAround(source, offset);
    if (!comment || insideCode(statements, offset)) continue;
    const text = source.slice(offset + match[0].length, comment.end).replace(/\*\/$/, '');
    const body = BODY.exec(text.replace(/\s+$/, ''));
    const scope = match[1] ? 'file' : 'statement';
    const next = statements.find((statement) => statement.range.start >= comment.end);
    suppressions.push({
      scope,
      rules: body ? body[1]!.split(',').map((rule) => rule.trim()) : [],
      reason: body?.[2]?.trim() ?? '',
      range: comment,
      statementIndex: scope === 'statement' ? next?.index : undefined,
    });
  }
  return suppressions;
}

/** The `--` line comment or `/* … *\/` block comment that contains `offset`, if it is in one. */
function commentAround(source: string, offset: number): OffsetRange | undefined {
  const lineStart = source.lastIndexOf('\n', offset - 1) + 1;
  const dashes = source.lastIndexOf('--', offset);
  if (dashes >= lineStart) {
    const newline = source.indexOf('\n', offset);
    return { start: dashes, end: (newline === -1 ? source.length : newline) - (source[newline - 1] === '\r' ? 1 : 0) };
  }
  const open = source.lastIndexOf('/*', offset);
  const closeBefore = source.lastIndexOf('*/', offset);
  if (open === -1 || closeBefore > open) return undefined;
  const close = source.indexOf('*/', offset);
  return { start: open, end: close === -1 ? source.length : close + 2 };
}

/** Whether `offset` falls inside a statement's token (a string literal that merely mentions the marker). */
function insideCode(statements: readonly Statement[], offset: number): boolean {
  const statement = statements.find((candidate) => candidate.range.start <= offset && offset < candidate.range.end);
  return statement?.tokens.some((token) => token.start <= offset && offset < token.end) ?? false;
}

/** The edit that silences `ruleId` on a statement: a comment line above it, with the reason left to write. */
export function suppressionEdit(source: string, statement: Statement, ruleId: string, newline: string): TextEdit {
  // Back over the blanks before the statement only: made for every finding, and a file can hold
  // thousands of statements on one line.
  let lineStart = statement.range.start;
  while (lineStart > 0 && source[lineStart - 1] !== '\n' && /\s/.test(source[lineStart - 1]!)) lineStart--;
  const onOwnLine = lineStart === 0 || source[lineStart - 1] === '\n';
  const indentation = /^[ \t]*/.exec(source.slice(lineStart, statement.range.start))![0];
  return onOwnLine
    ? { range: { start: lineStart, end: lineStart }, newText: `${indentation}-- lockguard-ignore ${ruleId}: ${newline}` }
    : { range: { start: statement.range.start, end: statement.range.start }, newText: `${newline}-- lockguard-ignore ${ruleId}: ${newline}` };
}
