import type { Token } from './lexer';
import type { OffsetRange } from './positions';
import type { StatementSource } from './statement-source';

/**
 * Statements below an edit move by the edit's change in length. Their tokens are moved only when
 * read: between two keystrokes few of them are looked at token by token, and moving every token of a
 * long file would cost more than analysing the edited statement.
 */
export class LazilyMovedTokens {
  #moved: Token[] | undefined;

  private constructor(
    /** Tokens at their place in an earlier text. */
    private readonly origin: readonly Token[],
    private readonly delta: number,
  ) {}

  /** `tokens` moved by `delta`; moving moved tokens again starts from the real ones, so no chain of moves builds up while the user types. */
  static of(tokens: readonly Token[] | LazilyMovedTokens, delta: number): LazilyMovedTokens {
    return tokens instanceof LazilyMovedTokens ? new LazilyMovedTokens(tokens.origin, tokens.delta + delta) : new LazilyMovedTokens(tokens, delta);
  }

  get tokens(): Token[] {
    return (this.#moved ??= this.origin.map((token) => movedToken(token, this.delta)));
  }
}

function movedToken(token: Token, delta: number): Token {
  const copy: Token = { type: token.type, start: token.start + delta, end: token.end + delta, value: token.value };
  if (token.unterminated) copy.unterminated = true;
  return copy;
}

/** A statement's source below an edit: the previous one's, moved. */
export class MovedSource implements StatementSource {
  readonly start: number;
  readonly end: number;
  readonly terminator: number | undefined;
  readonly isMetaCommand: boolean;
  readonly #tokens: LazilyMovedTokens;

  constructor(source: StatementSource, delta: number) {
    this.start = source.start + delta;
    this.end = source.end + delta;
    this.terminator = movedOffset(source.terminator, delta);
    this.isMetaCommand = source.isMetaCommand;
    this.#tokens = LazilyMovedTokens.of(source instanceof MovedSource ? source.#tokens : source.tokens, delta);
  }

  get tokens(): Token[] {
    return this.#tokens.tokens;
  }
}

export const movedRange = (range: OffsetRange, delta: number): OffsetRange => ({ start: range.start + delta, end: range.end + delta });

export const movedOffset = (offset: number | undefined, delta: number) => (offset === undefined ? undefined : offset + delta);
