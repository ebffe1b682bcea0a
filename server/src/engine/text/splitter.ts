import { isTrivia, lex, lexFrom, type Token } from './lexer';
import { MovedSource } from './moved';
import type { StatementSource } from './statement-source';

export type { StatementSource } from './statement-source';

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
  return splitFile(text).sources;
}

/** A file's statements, with what re-splitting it after an edit needs to know. */
export interface SplitFile {
  text: string;
  sources: StatementSource[];
  /** Whether every statement ended where it did for local reasons, so the split can be redone piecewise. */
  resplittable: boolean;
  /** Which sources were taken over from the split this one was redone from. */
  reuse: SplitReuse;
}

/**
 * Sources `[0, kept)` are the previous split's, unchanged (the same objects); the last `moved` sources
 * are the previous split's from `movedFrom` on, moved by `delta`. The sources between are new.
 */
export interface SplitReuse {
  kept: number;
  moved: number;
  movedFrom: number;
  delta: number;
}

const NOTHING_REUSED: SplitReuse = { kept: 0, moved: 0, movedFrom: 0, delta: 0 };

export function splitFile(text: string): SplitFile {
  const tokens = lex(text);
  const { sources, recovered } = splitTokens(tokens);
  return { text, sources, resplittable: !recovered && !tokens.some(isUnterminated) && !COPY_DATA.test(text), reuse: NOTHING_REUSED };
}

/** A quote, dollar quote or comment left open: where it ends depends on the rest of the file. */
const isUnterminated = (token: Token) => token.unterminated === true;

/**
 * psql's COPY … FROM STDIN data, whose end (`\.`) an edit far below can move: a file that may hold
 * some is always split whole.
 */
const COPY_DATA = /\bstdin\b/i;

/**
 * The split of `text`, an edit of `previous.text`: the statements before the edit and after it are
 * taken from `previous` (those after moved by the change in length), and only the text between is
 * lexed and split again. The result is the one `splitFile(text)` gives.
 */
export function resplitFile(previous: SplitFile, text: string): SplitFile {
  if (!previous.resplittable || COPY_DATA.test(text)) return splitFile(text);
  const old = previous.text;
  const { prefix, suffix } = commonEnds(old, text);
  const delta = text.length - old.length;

  // Statements that end (with the character after them) before the first changed character, and that
  // something there ended (a `;`, a meta-command, the statement after), stay as they are.
  const { sources } = previous;
  const closedBefore = (k: number) =>
    extentEnd(sources[k]!) < prefix && (sources[k]!.terminator !== undefined || sources[k]!.isMetaCommand || (sources[k + 1]?.start ?? Infinity) < prefix);
  let kept = 0;
  while (kept < sources.length && closedBefore(kept)) kept++;
  const restart = kept === 0 ? 0 : extentEnd(sources[kept - 1]!);

  // Statements that start after the last changed character are taken over, moved, once lexing reaches one of them.
  const changedEnd = text.length - suffix;
  const oldChangedEnd = old.length - suffix;
  const oldStarts = new Map<number, number>();
  for (let k = sources.length - 1; k >= kept && sources[k]!.start >= oldChangedEnd; k--) oldStarts.set(sources[k]!.start, k);
  const relexed = lexFrom(text, restart, (offset) => offset >= changedEnd && oldStarts.has(offset - delta));
  const split = splitTokens(relexed.tokens);
  if (split.recovered) return splitFile(text);
  const movedFrom = relexed.end === text.length ? sources.length : oldStarts.get(relexed.end - delta)!;
  const following = delta === 0 ? sources.slice(movedFrom) : sources.slice(movedFrom).map((source) => new MovedSource(source, delta));
  return {
    text,
    sources: [...sources.slice(0, kept), ...split.sources, ...following],
    resplittable: !relexed.tokens.some(isUnterminated),
    reuse: { kept, moved: following.length, movedFrom, delta },
  };
}

/** Where a statement's text ends: after its `;`, or after its last token. */
const extentEnd = (source: StatementSource) => (source.terminator === undefined ? source.end : source.terminator + 1);

/** The lengths of the longest common prefix and suffix of two texts, not overlapping in either. */
export function commonEnds(a: string, b: string): { prefix: number; suffix: number } {
  const limit = Math.min(a.length, b.length);
  // Whole chunks first: comparing substrings runs in the engine's string code, far faster than a
  // loop over characters, and a keystroke in a long file leaves nearly all of it equal.
  let prefix = 0;
  while (prefix + CHUNK <= limit && a.slice(prefix, prefix + CHUNK) === b.slice(prefix, prefix + CHUNK)) prefix += CHUNK;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix + CHUNK <= limit - prefix && a.slice(a.length - suffix - CHUNK, a.length - suffix) === b.slice(b.length - suffix - CHUNK, b.length - suffix)) suffix += CHUNK;
  while (suffix < limit - prefix && a.charCodeAt(a.length - 1 - suffix) === b.charCodeAt(b.length - 1 - suffix)) suffix++;
  return { prefix, suffix };
}

const CHUNK = 1024;

/** Splits lexed tokens into statements; `recovered` when a body left open had to be cut (see `statementExtent`). */
function splitTokens(lexed: readonly Token[]): { sources: StatementSource[]; recovered: boolean } {
  // Comments and COPY data belong to no statement.
  const tokens = lexed.filter((token) => !isTrivia(token) && token.type !== 'copy-data');
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
  return { sources, recovered: recoveries > 0 };
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
