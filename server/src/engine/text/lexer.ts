import { detached } from './detached';

/**
 * A tolerant SQL lexer: it never throws and always reaches the end of the text. It knows just
 * enough of PostgreSQL's lexical rules (and psql's) to find statement boundaries and the tokens
 * that fixes edit; the real parser does the rest.
 */

export type TokenType =
  | 'word' // keyword or unquoted identifier
  | 'quoted-identifier' // "Name", U&"…"
  | 'string' // '…', E'…', B'…', X'…', N'…', U&'…'
  | 'dollar-string' // $tag$…$tag$
  | 'number'
  | 'parameter' // $1
  | 'placeholder' // {{ … }}, ${…}, :name, :'name', :"name" (migration-tool or psql templating)
  | 'operator'
  | 'punctuation' // ( ) , [ ] . :: and friends
  | 'semicolon'
  | 'line-comment'
  | 'block-comment'
  | 'meta-command' // psql backslash command, up to the end of its line
  | 'copy-data' // the data lines psql sends after COPY … FROM STDIN, up to and including the `\.` line
  | 'unknown';

export interface Token {
  type: TokenType;
  start: number;
  end: number;
  /** Upper-cased text for `word` tokens (keywords compare against it); otherwise the raw text. */
  value: string;
  /** Set when a quote, dollar quote or comment is not closed before the end of the text. */
  unterminated?: true;
}

const isWordStart = (c: number) =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
const isWordPart = (c: number) => isWordStart(c) || isDigit(c) || c === 36;
/** psql's variable_char: what may follow `:` in a psql variable reference (no `$`). */
const isVariableChar = (c: number) => isWordStart(c) || isDigit(c);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
const isLineBreak = (c: number) => c === 10 || c === 13;
const OPERATOR_CHARS = new Set('+-*/<>=~!@#%^&|`?'.split('').map((c) => c.charCodeAt(0)));
const PUNCTUATION_CHARS = new Set('(),[].'.split('').map((c) => c.charCodeAt(0)));
const BYTE_ORDER_MARK = 0xfeff;
const BACKSLASH = 92;
const COPY_FROM_STDIN_META = /^\\copy\b[\s\S]*\sfrom\s+stdin\b/i;

export function lex(text: string): Token[] {
  return new Lexer(text, 0, (value) => value).run(() => false).tokens;
}

/** Where a partial lex stopped: `end` is the text's length when it ran to the end. */
export interface PartialLex {
  tokens: Token[];
  end: number;
}

/**
 * Lexes from `from`, which must be where a statement may start (after a `;` or a psql meta-command,
 * outside COPY data), and stops before the first statement start, at or after `from`'s first
 * statement, for which `stopBefore` says yes: only comments and white space lie between it and the
 * previous `;` or meta-command. Lets an edit re-lex only the statements it touched.
 */
export function lexFrom(text: string, from: number, stopBefore: (offset: number) => boolean): PartialLex {
  // These tokens join statements kept from earlier versions of the document: they must not keep this one alive.
  return new Lexer(text, from, detached).run(stopBefore);
}

export const isTrivia = (token: Token) => token.type === 'line-comment' || token.type === 'block-comment';

class Lexer {
  private readonly tokens: Token[] = [];
  private readonly n: number;
  private i = 0;
  /** Index in `tokens` of the first token after the last `;` or meta-command. */
  private statementStart = 0;
  /** Whether a token other than a comment came after the last `;` or meta-command. */
  private inStatement = false;
  /** Set by the `;` of COPY … FROM STDIN: psql reads the following lines as data, not SQL. */
  private copyDataPending = false;
  /** No `\.` line starts at or after this offset (remembered so that many COPYs stay linear). */
  private noDataEndFrom = Infinity;
  /** No `}}` at or after this offset. */
  private noTemplateCloseFrom = Infinity;

  constructor(
    private readonly text: string,
    from: number,
    private readonly own: (value: string) => string,
  ) {
    this.n = text.length;
    this.i = from;
  }

  run(stopBefore: (offset: number) => boolean): PartialLex {
    // psql drops a UTF-8 byte order mark at the start of a file.
    if (this.i === 0 && this.text.charCodeAt(0) === BYTE_ORDER_MARK) this.i = 1;
    const started = this.i;
    while (this.i < this.n) {
      if (!this.inStatement && !this.copyDataPending && this.i > started && !isSpace(this.at(this.i)) && stopBefore(this.i)) return { tokens: this.tokens, end: this.i };
      this.scanToken();
    }
    return { tokens: this.tokens, end: this.n };
  }

  private at(offset: number): number {
    return this.text.charCodeAt(offset);
  }

  private push(type: TokenType, start: number, end: number, unterminated = false): Token {
    const raw = this.text.slice(start, end);
    const token: Token = { type, start, end, value: this.own(type === 'word' ? raw.toUpperCase() : raw) };
    if (unterminated) token.unterminated = true;
    if (!isTrivia(token)) this.inStatement = true;
    this.tokens.push(token);
    this.i = end;
    return token;
  }

  /** Offset of the line break (\n or \r) ending the line that holds `from`, or the text's end. */
  private lineEnd(from: number): number {
    let j = from;
    while (j < this.n && !isLineBreak(this.at(j))) j++;
    return j;
  }

  private scanToken(): void {
    const { i } = this;
    const c = this.at(i);
    const next = this.at(i + 1);
    if (isSpace(c)) return this.scanSpace(c);
    if (c === 45 /* - */ && next === 45) return void this.push('line-comment', i, this.lineEnd(i));
    if (c === 47 /* / */ && next === 42 /* * */) return this.scanBlockComment();
    if (c === 123 /* { */ && next === 123) return this.scanGoTemplate();
    if (c === 36 /* $ */) return this.scanDollar(next);
    if (c === 39 /* ' */) return this.scanQuotedToken('string', i + 1, 39, false);
    if (c === 34 /* " */) return this.scanQuotedToken('quoted-identifier', i + 1, 34, false);
    if (isWordStart(c)) return this.scanWordOrPrefixedLiteral(c, next);
    if (isDigit(c) || (c === 46 /* . */ && isDigit(next))) return this.scanNumber();
    if (c === 46 && next === 46) return void this.push('punctuation', i, i + 2); // PostgreSQL's dot_dot
    if (c === 59 /* ; */) return this.scanSemicolon();
    if (c === BACKSLASH) return this.scanMetaCommand();
    if (c === 58 /* : */) return this.scanColon(next);
    if (OPERATOR_CHARS.has(c)) return this.scanOperator();
    this.push(PUNCTUATION_CHARS.has(c) ? 'punctuation' : 'unknown', i, i + 1);
  }

  private scanSpace(c: number): void {
    this.i++;
    if (c === 10 && this.copyDataPending) {
      this.copyDataPending = false;
      this.scanCopyData();
    }
  }

  private scanBlockComment(): void {
    // Block comments nest in PostgreSQL.
    let depth = 1;
    let j = this.i + 2;
    while (j < this.n && depth > 0) {
      const c = this.at(j);
      if (c === 47 && this.at(j + 1) === 42) {
        depth++;
        j += 2;
      } else if (c === 42 && this.at(j + 1) === 47) {
        depth--;
        j += 2;
      } else j++;
    }
    this.push('block-comment', this.i, depth === 0 ? j : this.n, depth !== 0);
  }

  /** Go-template placeholder ({{ .Schema }}, {{ index .Options "Namespace" }}) of templated migrations. */
  private scanGoTemplate(): void {
    const close = this.i + 2 >= this.noTemplateCloseFrom ? -1 : this.text.indexOf('}}', this.i + 2);
    if (close === -1) {
      this.noTemplateCloseFrom = Math.min(this.noTemplateCloseFrom, this.i + 2);
      this.push('placeholder', this.i, this.lineEnd(this.i), true);
    } else this.push('placeholder', this.i, close + 2);
  }

  private scanDollar(next: number): void {
    const start = this.i;
    if (next === 123 /* { */) {
      // Flyway-style placeholder ${schema}: a name on one line.
      let close = start + 2;
      while (close < this.n && this.at(close) !== 125 /* } */ && !isLineBreak(this.at(close))) close++;
      if (this.at(close) === 125) this.push('placeholder', start, close + 1);
      else this.push('placeholder', start, close, true);
      return;
    }
    if (isDigit(next)) {
      let j = start + 1;
      while (j < this.n && isDigit(this.at(j))) j++;
      this.push('parameter', start, j);
      return;
    }
    // Dollar quote: $$ or $tag$ where the tag is an identifier without '$'.
    let j = start + 1;
    if (isWordStart(this.at(j))) {
      while (j < this.n && isVariableChar(this.at(j))) j++;
    }
    if (this.at(j) !== 36) {
      this.push('unknown', start, start + 1);
      return;
    }
    const delimiter = this.text.slice(start, j + 1);
    const close = this.text.indexOf(delimiter, j + 1);
    if (close === -1) this.push('dollar-string', start, this.n, true);
    else this.push('dollar-string', start, close + delimiter.length);
  }

  /**
   * Scans a quoted run from `from` (just past the opening quote) up to the closing `quote`; a
   * doubled quote is an escaped one, and in E'…' strings so is any backslashed character.
   * A quote left open would swallow the rest of the file and hide every later statement, so it is
   * closed at the end of its line instead (what a half-typed statement needs).
   */
  private scanQuotedToken(type: TokenType, from: number, quote: number, backslashEscapes: boolean): void {
    const start = this.i;
    let j = from;
    while (j < this.n) {
      const c = this.at(j);
      if (backslashEscapes && c === BACKSLASH) {
        j += 2;
        continue;
      }
      if (c === quote) {
        if (this.at(j + 1) !== quote) {
          this.push(type, start, j + 1);
          return;
        }
        j++;
      }
      j++;
    }
    this.push(type, start, this.lineEnd(from), true);
  }

  private scanWordOrPrefixedLiteral(c: number, next: number): void {
    const start = this.i;
    // Prefixed literals: E'…' (backslash escapes), B'…', X'…', N'…', U&'…', U&"…".
    const upper = c & ~32;
    if ((upper === 69 || upper === 66 || upper === 88 || upper === 78) && next === 39) {
      return this.scanQuotedToken('string', start + 2, 39, upper === 69);
    }
    const quote = this.at(start + 2);
    if (upper === 85 && next === 38 /* & */ && (quote === 39 || quote === 34)) {
      return this.scanQuotedToken(quote === 39 ? 'string' : 'quoted-identifier', start + 3, quote, false);
    }
    let j = start + 1;
    while (j < this.n && isWordPart(this.at(j))) j++;
    this.push('word', start, j);
  }

  private scanNumber(): void {
    let j = this.i;
    while (j < this.n && (isWordPart(this.at(j)) || this.at(j) === 46)) {
      const d = this.at(j);
      if (d === 46 && this.at(j + 1) === 46) break; // 1..2 is not a number
      if ((d === 101 || d === 69) && (this.at(j + 1) === 43 || this.at(j + 1) === 45)) j++; // 1e-5
      j++;
    }
    this.push('number', this.i, j);
  }

  private scanSemicolon(): void {
    this.push('semicolon', this.i, this.i + 1);
    if (isCopyFromStdin(this.tokens, this.statementStart)) this.copyDataPending = true;
    this.statementStart = this.tokens.length;
    this.inStatement = false;
  }

  /** psql meta-command (\set, \i, \connect …): runs to the end of its line. */
  private scanMetaCommand(): void {
    const token = this.push('meta-command', this.i, this.lineEnd(this.i));
    // `\copy … from stdin` in a script reads its data from the script, like COPY … FROM STDIN.
    if (COPY_FROM_STDIN_META.test(token.value)) this.copyDataPending = true;
    this.statementStart = this.tokens.length;
    this.inStatement = false;
  }

  /**
   * psql reads the lines after COPY … FROM STDIN as data, up to a line holding just `\.`; lexing
   * them as SQL would misread every quote in them. Without such a line the file was not written
   * for psql (a migration tool sends statements one by one, or the data was cut out), so the lines
   * stay SQL.
   */
  private scanCopyData(): void {
    const start = this.i;
    if (start >= this.noDataEndFrom) return;
    // Lines end at \n only: psql reads the data with fgets.
    for (let line = start; line < this.n; ) {
      if (this.at(line) === BACKSLASH && this.at(line + 1) === 46 /* . */ && endsDataLine(this.text, line + 2)) {
        this.push('copy-data', start, line + 2);
        return;
      }
      const newline = this.text.indexOf('\n', line);
      if (newline === -1) break;
      line = newline + 1;
    }
    this.noDataEndFrom = start;
  }

  private scanColon(next: number): void {
    const start = this.i;
    if (next === 58) {
      this.push('punctuation', start, start + 2); // :: cast
      return;
    }
    if (next === 39 || next === 34) {
      // psql variable interpolation :'name' / :"name" (only variable characters between the quotes).
      let j = start + 2;
      while (j < this.n && isVariableChar(this.at(j))) j++;
      if (j > start + 2 && this.at(j) === next) {
        this.push('placeholder', start, j + 1);
        return;
      }
    } else if (isVariableChar(next) && !this.inArraySlice()) {
      // psql variable :name.
      let j = start + 1;
      while (j < this.n && isVariableChar(this.at(j))) j++;
      this.push('placeholder', start, j);
      return;
    }
    this.push('punctuation', start, start + 1);
  }

  /** `a[1:n]`, `a[lo:hi]`: a colon right after a number or name inside brackets is a slice. */
  private inArraySlice(): boolean {
    const previous = this.tokens[this.tokens.length - 1];
    return previous !== undefined && previous.end === this.i && (previous.type === 'number' || previous.type === 'word');
  }

  private scanOperator(): void {
    let j = this.i + 1;
    while (j < this.n && OPERATOR_CHARS.has(this.at(j))) {
      // A comment start ends the operator.
      const c = this.at(j);
      const next = this.at(j + 1);
      if ((c === 45 && next === 45) || (c === 47 && next === 42)) break;
      j++;
    }
    this.push('operator', this.i, j);
  }
}

/** After `\.`, only a line break (\n or \r\n) or the end of the text may follow (psql's own test). */
function endsDataLine(text: string, from: number): boolean {
  if (from >= text.length) return true;
  const c = text.charCodeAt(from);
  return c === 10 || (c === 13 && (from + 1 === text.length || text.charCodeAt(from + 1) === 10));
}

/** Whether the tokens from `start` (up to the `;` just pushed) are COPY … FROM STDIN. */
function isCopyFromStdin(tokens: readonly Token[], start: number): boolean {
  let k = start;
  while (k < tokens.length && isTrivia(tokens[k]!)) k++;
  if (tokens[k]?.value !== 'COPY') return false;
  let previous: Token | undefined;
  for (; k < tokens.length - 1; k++) {
    const token = tokens[k]!;
    if (isTrivia(token)) continue;
    if (previous?.value === 'FROM' && token.value === 'STDIN' && token.type === 'word') return true;
    previous = token;
  }
  return false;
}
