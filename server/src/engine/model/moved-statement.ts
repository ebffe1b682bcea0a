import type { Token } from '../text/lexer';
import { LazilyMovedTokens, movedOffset, movedRange } from '../text/moved';
import type { OffsetRange } from '../text/positions';
import type { SectionKind } from './frameworks/framework';
import { movedRelation, type RelationRef } from './relations';
import type { InvalidStatement, MetaCommandStatement, ParsedStatement, Statement, TransactionContext } from './statement';

/**
 * A statement below an edit: the same text, parse and model as before, at its new place (`delta`
 * characters on) and position in the file. Its transaction is assigned again by the build.
 */
export function movedStatement(statement: Statement, index: number, delta: number): Statement {
  const tokens = LazilyMovedTokens.of(statement instanceof MovedTokens ? statement.movedTokens : statement.tokens, delta);
  switch (statement.kind) {
    case 'meta-command':
      return new MovedMetaCommand(statement, index, delta, tokens);
    case 'invalid':
      return new MovedInvalid(statement, index, delta, tokens);
    case 'parsed':
      return new MovedParsed(statement, index, delta, tokens);
  }
}

/**
 * The statement as first built (parsed, or found invalid): the same for every moved copy of it. Two
 * statements of two versions of a file are the same statement when they share it.
 */
export function firstBuilt(statement: Statement): Statement {
  return statement instanceof MovedTokens ? statement.built : statement;
}

/** The offsets every statement kind has, moved; its tokens moved when first read. */
abstract class MovedTokens {
  /** The statement as first built (see `firstBuilt`). */
  readonly built: Statement;
  readonly index: number;
  readonly range: OffsetRange;
  readonly text: string;
  readonly terminator: number | undefined;
  transaction: TransactionContext;
  section: SectionKind;

  constructor(
    statement: Statement,
    index: number,
    delta: number,
    readonly movedTokens: LazilyMovedTokens,
  ) {
    this.built = firstBuilt(statement);
    this.index = index;
    this.range = movedRange(statement.range, delta);
    this.text = statement.text;
    this.terminator = movedOffset(statement.terminator, delta);
    this.transaction = statement.transaction;
    this.section = statement.section;
  }

  get tokens(): Token[] {
    return this.movedTokens.tokens;
  }
}

class MovedMetaCommand extends MovedTokens implements MetaCommandStatement {
  readonly kind = 'meta-command';
}

class MovedInvalid extends MovedTokens implements InvalidStatement {
  readonly kind = 'invalid';
  readonly message: string;
  readonly errorRange: OffsetRange;
  readonly templated: boolean;

  constructor(statement: InvalidStatement, index: number, delta: number, tokens: LazilyMovedTokens) {
    super(statement, index, delta, tokens);
    this.message = statement.message;
    this.errorRange = movedRange(statement.errorRange, delta);
    this.templated = statement.templated;
  }
}

/**
 * For a statement below an edit, the statement as first built and how far it has moved since: what
 * was derived from that one (its locks, say) holds for this one, moved.
 */
export function builtOrigin(statement: ParsedStatement): { built: ParsedStatement; movedBy: number } | undefined {
  return statement instanceof MovedParsed ? statement.origin : undefined;
}

class MovedParsed extends MovedTokens implements ParsedStatement {
  readonly kind = 'parsed';
  readonly nodeType: ParsedStatement['nodeType'];
  readonly ast: ParsedStatement['ast'];
  readonly targets: RelationRef[];
  readonly alterTableCommands: ParsedStatement['alterTableCommands'];
  readonly runBy: ParsedStatement['runBy'];
  /** The statement as first built, and how far it has moved since: moving again does not chain calls. */
  readonly #built: ParsedStatement;
  readonly #movedBy: number;
  readonly locate = (byteLocation: number) => this.#built.locate(byteLocation) + this.#movedBy;

  constructor(statement: ParsedStatement, index: number, delta: number, tokens: LazilyMovedTokens) {
    super(statement, index, delta, tokens);
    this.nodeType = statement.nodeType;
    this.ast = statement.ast;
    this.#built = statement instanceof MovedParsed ? statement.#built : statement;
    this.#movedBy = (statement instanceof MovedParsed ? statement.#movedBy : 0) + delta;
    this.targets = statement.targets.map((target) => movedRelation(target, delta));
    this.alterTableCommands = statement.alterTableCommands;
    this.runBy = statement.runBy;
  }

  get origin(): { built: ParsedStatement; movedBy: number } {
    return { built: this.#built, movedBy: this.#movedBy };
  }
}
