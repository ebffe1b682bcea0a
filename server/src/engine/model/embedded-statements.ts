import type { PostgresParser } from '../parse/parser';
import { detached } from '../text/detached';
import { isTrivia, lex, type Token } from '../text/lexer';
import type { OffsetRange } from '../text/positions';
import type { NodeType, ParsedStatement } from './statement';
import { alterTableCommandsOf, statementTargets } from './statement-parts';

/**
 * SQL that another statement runs (the statements of a DO block), and where it is written: its text
 * is what PostgreSQL runs, which differs from the document's where quotes are doubled or escaped.
 */
export interface EmbeddedSql {
  text: string;
  /** The document range that spells `text.slice(start, end)`. */
  placed(start: number, end: number): OffsetRange;
  /** Whether the document spells the text exactly: then `document.slice(placed(a, b))` is `text.slice(a, b)`. */
  verbatim: boolean;
}

/** Where embedded statements join the file's statement list: after the statement that runs them, in its transaction and section. */
export interface EmbeddedPlace extends Pick<ParsedStatement, 'transaction' | 'section'> {
  /** The `index` of the first statement built. */
  firstIndex: number;
}

export type EmbeddedParse =
  | { ok: true; statements: ParsedStatement[] }
  | { ok: false; /** PostgreSQL's own message. */ message: string; /** The token the parser stopped at, in the document. */ range: OffsetRange };

/**
 * Parses embedded SQL with the file's parser and models its statements in document offsets, as the
 * file's own statements are: range from first to last significant token, tokens, `locate`, targets.
 * They have no terminator: the `;` after SQL in a block belongs to the block.
 */
export function parseEmbeddedSql(sql: EmbeddedSql, parser: PostgresParser, place: EmbeddedPlace): EmbeddedParse {
  const outcome = parser.parse(sql.text);
  const ownTokens = lex(sql.text).filter((token) => !isTrivia(token));
  if (!outcome.ok) {
    const stoppedAt = ownTokens.find((token) => token.end > outcome.offset) ?? ownTokens[ownTokens.length - 1];
    return { ok: false, message: outcome.message, range: stoppedAt ? sql.placed(stoppedAt.start, stoppedAt.end) : sql.placed(0, sql.text.length) };
  }
  const statements: ParsedStatement[] = [];
  for (const node of outcome.nodes) {
    const own = ownTokens.filter((token) => token.type !== 'semicolon' && token.start >= node.start && token.end <= node.end);
    if (own.length === 0) continue;
    const first = own[0]!;
    const last = own[own.length - 1]!;
    const tokens = own.map((token) => placedToken(token, sql));
    const locate = (byteLocation: number) => sql.placed(node.locate(byteLocation), node.locate(byteLocation)).start;
    statements.push({
      kind: 'parsed',
      index: place.firstIndex + statements.length,
      range: sql.placed(first.start, last.end),
      text: detached(sql.text.slice(first.start, last.end)),
      tokens,
      terminator: undefined,
      transaction: place.transaction,
      section: place.section,
      nodeType: Object.keys(node.ast)[0] as NodeType,
      ast: node.ast,
      locate,
      targets: statementTargets(node.ast, locate, tokens),
      alterTableCommands: alterTableCommandsOf(node.ast),
    });
  }
  return { ok: true, statements };
}

/** A token of the embedded text at its place in the document; its value stays what PostgreSQL reads. */
function placedToken(token: Token, sql: EmbeddedSql): Token {
  const { start, end } = sql.placed(token.start, token.end);
  const placed: Token = { type: token.type, start, end, value: token.value };
  if (token.unterminated) placed.unterminated = true;
  return placed;
}
