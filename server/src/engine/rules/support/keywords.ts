import type { Statement } from '../../model/statement';
import type { Token } from '../../text/lexer';
import type { OffsetRange } from '../../text/positions';

/** The statement's first keyword among `words` (upper case), e.g. the INDEX of `DROP INDEX i`. */
export function firstKeyword(statement: Statement, words: readonly string[]): Token | undefined {
  return statement.tokens.find((token) => token.type === 'word' && words.includes(token.value));
}

/**
 * The statement's leading keywords, from its start through the first of `words` (e.g. `REFRESH
 * MATERIALIZED VIEW`): the range a finding underlines. Just the first token when none occurs.
 */
export function leadingKeywords(statement: Statement, words: readonly string[]): OffsetRange {
  const last = firstKeyword(statement, words) ?? statement.tokens[0];
  return { start: statement.range.start, end: last?.end ?? statement.range.end };
}
