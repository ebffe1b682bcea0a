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
 * Splits a file into statements the way psql does: on `;` outside quotes, comments and dollar
 * quotes, and not inside the body of a `BEGIN ATOMIC … END` SQL function.
 */
export function splitStatements(text: string): StatementSource[] {
  const sources: StatementSource[] = [];
  let current: Token[] = [];
  /** psql's begin_depth: > 0 inside CREATE FUNCTION/PROCEDURE … BEGIN ATOMIC bodies. */
  let atomicDepth = 0;

  const flush = (terminator: number | undefined) => {
    if (current.length > 0) {
      sources.push({
        start: current[0]!.start,
        end: current[current.length - 1]!.end,
        terminator,
        tokens: current,
        isMetaCommand: false,
      });
    }
    current = [];
    atomicDepth = 0;
  };

  for (const token of lex(text)) {
    if (isTrivia(token)) continue;
    if (token.type === 'meta-command') {
      flush(undefined);
      sources.push({ start: token.start, end: token.end, terminator: undefined, tokens: [token], isMetaCommand: true });
      continue;
    }
    if (token.type === 'semicolon' && atomicDepth === 0) {
      flush(token.start);
      continue;
    }
    if (token.type === 'word' && defines(current, 'FUNCTION', 'PROCEDURE')) {
      if (token.value === 'BEGIN' || (token.value === 'CASE' && atomicDepth > 0)) atomicDepth++;
      else if (token.value === 'END' && atomicDepth > 0) atomicDepth--;
    }
    current.push(token);
  }
  flush(undefined);
  return sources;
}

/** Whether the statement so far is CREATE [OR REPLACE] <one of kinds>. */
function defines(tokens: Token[], ...kinds: string[]): boolean {
  if (tokens[0]?.value !== 'CREATE') return false;
  const kind = tokens[1]?.value === 'OR' ? tokens[3] : tokens[1];
  return kind !== undefined && kinds.includes(kind.value);
}
