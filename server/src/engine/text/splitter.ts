import { isTrivia, lex, type Token } from './lexer';

/** One statement's source, as psql would send it to the server. */
export interface StatementSource {
  /** UTF-16 offset of the first significant token. */
  start: number;
  /** UTF-16 offset just past the last significant token (the terminating `;` excluded). */
  end: number;
  /** Offset of the terminating `;`, when there is one. */
  terminator: number | undefined;
  /** Significant tokens (comments left out), document offsets. */
  tokens: Token[];
  /** A psql meta-command line such as `\set` or `\i`: not SQL, never parsed. */
  isMetaCommand: boolean;
}

/**
 * After this many statements that held a `;` in a body and never closed it, the rest of the file is
 * split on every `;`: each such recovery rescans to the end of the file, and a pathological file
 * must not turn the split quadratic.
 */
const MAX_UNCLOSED_RECOVERIES = 8;

/**
 * Splits a file into statements the way psql does: on `;` outside quotes, comments and dollar
 * quotes, and not inside the body of a `BEGIN ATOMIC … END` SQL function.
 */
export function splitStatements(text: string): StatementSource[] {
  // Comments and COPY data belong to no statement.
  const tokens = lex(text).filter((token) => !isTrivia(token) && token.type !== 'copy-data');
  const sources: StatementSource[] = [];
  let recoveries = 0;
  for (let from = 0; from < tokens.length; ) {
    const extent = statementExtent(tokens, from, recoveries < MAX_UNCLOSED_RECOVERIES);
    if (extent.recovered) recoveries++;
    const statementTokens = tokens.slice(from, extent.end);
    from = extent.next;
    if (statementTokens.length === 0) continue; // `;;`: psql sends nothing
    sources.push({
      start: statementTokens[0]!.start,
      end: statementTokens[statementTokens.length - 1]!.end,
      terminator: extent.terminator === undefined ? undefined : tokens[extent.terminator]!.start,
      tokens: statementTokens,
      isMetaCommand: statementTokens[0]!.type === 'meta-command',
    });
  }
  return sources;
}

interface Extent {
  /** Index just past the statement's last token. */
  end: number;
  /** Index of the terminating `;`. */
  terminator: number | undefined;
  /** Index where the next statement starts. */
  next: number;
  /** The statement reached the end of the file inside a body and was cut at its first `;`. */
  recovered: boolean;
}

/**
 * Finds where the statement starting at `tokens[from]` ends. Like psql, a `;` does not end it inside
 * a `BEGIN ATOMIC … END` body of CREATE FUNCTION/PROCEDURE (psql's begin_depth, which also counts
 * CASE … END there) or inside the parenthesised action list of CREATE RULE (psql's paren_depth).
 * Unlike psql, a body still open at the end of the file is cut at its first `;`, so that one
 * missing END or `)` does not hide every later statement; and psql would keep `;` inside
 * parentheses of any statement, which only CREATE RULE can use, so only CREATE RULE does.
 */
function statementExtent(tokens: readonly Token[], from: number, allowBodies: boolean): Extent {
  const first = tokens[from]!;
  if (first.type === 'meta-command') return { end: from + 1, terminator: undefined, next: from + 1, recovered: false };
  const isRule = allowBodies && defines(tokens, from, 'RULE');
  // CREATE SCHEMA … CREATE FUNCTION … BEGIN ATOMIC … END (PostgreSQL 19) holds routines too.
  const isSchema = allowBodies && defines(tokens, from, 'SCHEMA');
  let inRoutine = false;
  let beginDepth = 0;
  let parenDepth = 0;
  let firstHeldSemicolon: number | undefined;
  for (let k = from; k < tokens.length; k++) {
    const token = tokens[k]!;
    switch (token.type) {
      case 'meta-command': // psql runs it at once: what came before is a statement of its own
        return { end: k, terminator: undefined, next: k, recovered: false };
      case 'semicolon':
        if (beginDepth === 0 && !(isRule && parenDepth > 0)) return { end: k, terminator: k, next: k + 1, recovered: false };
        firstHeldSemicolon ??= k;
        break;
      case 'punctuation':
        if (token.value === '(') parenDepth++;
        else if (token.value === ')' && parenDepth > 0) parenDepth--;
        break;
      case 'word':
        if (parenDepth > 0) break;
        if (token.value === 'CREATE' && beginDepth === 0 && allowBodies && (k === from || isSchema)) {
          inRoutine = defines(tokens, k, 'FUNCTION', 'PROCEDURE');
        } else if (inRoutine) beginDepth = nextBeginDepth(beginDepth, token.value);
        break;
      default:
        // A quote closed at its line end (see the lexer) leaves this statement broken anyway:
        // ending it there lets the following lines be analysed.
        if (token.unterminated) return { end: k + 1, terminator: undefined, next: k + 1, recovered: false };
    }
  }
  const bodyOpen = beginDepth > 0 || (isRule && parenDepth > 0);
  if (bodyOpen && firstHeldSemicolon !== undefined) {
    return { end: firstHeldSemicolon, terminator: firstHeldSemicolon, next: firstHeldSemicolon + 1, recovered: true };
  }
  return { end: tokens.length, terminator: undefined, next: tokens.length, recovered: false };
}

/** psql's begin_depth: BEGIN opens a body; inside one, CASE opens a block too; END closes one. */
function nextBeginDepth(depth: number, word: string): number {
  if (word === 'BEGIN' || (word === 'CASE' && depth > 0)) return depth + 1;
  if (word === 'END' && depth > 0) return depth - 1;
  return depth;
}

/** Whether the statement starting at `tokens[from]` is CREATE [OR REPLACE] <one of kinds>. */
function defines(tokens: readonly Token[], from: number, ...kinds: string[]): boolean {
  const word = (k: number) => (tokens[from + k]?.type === 'word' ? tokens[from + k]!.value : undefined);
  if (word(0) !== 'CREATE') return false;
  const kind = word(1) === 'OR' && word(2) === 'REPLACE' ? word(3) : word(1);
  return kind !== undefined && kinds.includes(kind);
}
