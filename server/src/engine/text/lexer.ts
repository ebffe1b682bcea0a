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
const isWordPart = (c: number) => isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
const OPERATOR_CHARS = new Set('+-*/<>=~!@#%^&|`?'.split('').map((c) => c.charCodeAt(0)));

export function lex(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  const push = (type: TokenType, start: number, end: number, unterminated = false) => {
    const raw = text.slice(start, end);
    const token: Token = { type, start, end, value: type === 'word' ? raw.toUpperCase() : raw };
    if (unterminated) token.unterminated = true;
    tokens.push(token);
  };
  /** Scans a quoted run closed by `quote` (doubled quote = escaped); backslashes escape when asked. */
  const scanQuoted = (from: number, quote: number, backslashEscapes: boolean): [end: number, closed: boolean] => {
    let j = from;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (backslashEscapes && c === 92) {
        j += 2;
        continue;
      }
      if (c === quote) {
        if (text.charCodeAt(j + 1) === quote) {
          j += 2;
          continue;
        }
        return [j + 1, true];
      }
      j++;
    }
    return [n, false];
  };
  /**
   * A quote left open swallows the rest of the file, which would hide every later statement.
   * Recover as a half-typed statement needs: close the token at the end of its line.
   */
  const recoverAtLineEnd = (from: number) => {
    const newline = text.indexOf('\n', from);
    return newline === -1 ? n : newline;
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    const start = i;

    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 45 /* - */ && next === 45) {
      const newline = text.indexOf('\n', i);
      i = newline === -1 ? n : newline;
      push('line-comment', start, i);
      continue;
    }
    if (c === 47 /* / */ && next === 42 /* * */) {
      // Block comments nest in PostgreSQL.
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (text.charCodeAt(j) === 47 && text.charCodeAt(j + 1) === 42) {
          depth++;
          j += 2;
        } else if (text.charCodeAt(j) === 42 && text.charCodeAt(j + 1) === 47) {
          depth--;
          j += 2;
        } else j++;
      }
      i = depth === 0 ? j : n;
      push('block-comment', start, i, depth !== 0);
      continue;
    }
    if (c === 123 /* { */ && next === 123) {
      // Go-template placeholder ({{ .Schema }}), as in some migration tools' templated SQL.
      const close = text.indexOf('}}', i + 2);
      i = close === -1 ? recoverAtLineEnd(i) : close + 2;
      push('placeholder', start, i, close === -1);
      continue;
    }
    if (c === 36 /* $ */) {
      if (next === 123 /* { */) {
        // Flyway-style placeholder ${schema}.
        const close = text.indexOf('}', i + 2);
        i = close === -1 ? recoverAtLineEnd(i) : close + 1;
        push('placeholder', start, i, close === -1);
        continue;
      }
      if (isDigit(next)) {
        let j = i + 1;
        while (j < n && isDigit(text.charCodeAt(j))) j++;
        i = j;
        push('parameter', start, i);
        continue;
      }
      // Dollar quote: $$ or $tag$ where the tag is an identifier without '$'.
      let j = i + 1;
      if (j < n && isWordStart(text.charCodeAt(j))) {
        while (j < n && isWordPart(text.charCodeAt(j)) && text.charCodeAt(j) !== 36) j++;
      }
      if (text.charCodeAt(j) === 36) {
        const delimiter = text.slice(i, j + 1);
        const close = text.indexOf(delimiter, j + 1);
        i = close === -1 ? n : close + delimiter.length;
        push('dollar-string', start, i, close === -1);
        continue;
      }
      i++;
      push('unknown', start, i);
      continue;
    }
    if (c === 39 /* ' */) {
      const [end, closed] = scanQuoted(i + 1, 39, false);
      i = closed ? end : recoverAtLineEnd(i);
      push('string', start, i, !closed);
      continue;
    }
    if (c === 34 /* " */) {
      const [end, closed] = scanQuoted(i + 1, 34, false);
      i = closed ? end : recoverAtLineEnd(i);
      push('quoted-identifier', start, i, !closed);
      continue;
    }
    if (isWordStart(c)) {
      // Prefixed literals: E'…' (backslash escapes), B'…', X'…', N'…', U&'…', U&"…".
      const upper = c & ~32;
      if ((upper === 69 || upper === 66 || upper === 88 || upper === 78) && next === 39) {
        const [end, closed] = scanQuoted(i + 2, 39, upper === 69);
        i = closed ? end : recoverAtLineEnd(i);
        push('string', start, i, !closed);
        continue;
      }
      if (upper === 85 && next === 38 /* & */ && (text.charCodeAt(i + 2) === 39 || text.charCodeAt(i + 2) === 34)) {
        const quote = text.charCodeAt(i + 2);
        const [end, closed] = scanQuoted(i + 3, quote, false);
        i = closed ? end : recoverAtLineEnd(i);
        push(quote === 39 ? 'string' : 'quoted-identifier', start, i, !closed);
        continue;
      }
      let j = i + 1;
      while (j < n && isWordPart(text.charCodeAt(j))) j++;
      i = j;
      push('word', start, i);
      continue;
    }
    if (isDigit(c) || (c === 46 /* . */ && isDigit(next))) {
      let j = i;
      while (j < n && (isWordPart(text.charCodeAt(j)) || text.charCodeAt(j) === 46)) {
        const d = text.charCodeAt(j);
        if (d === 46 && text.charCodeAt(j + 1) === 46) break; // 1..2 is not a number
        if ((d === 101 || d === 69) && (text.charCodeAt(j + 1) === 43 || text.charCodeAt(j + 1) === 45)) j++;
        j++;
      }
      i = j;
      push('number', start, i);
      continue;
    }
    if (c === 59 /* ; */) {
      i++;
      push('semicolon', start, i);
      continue;
    }
    if (c === 92 /* \ */) {
      // psql meta-command (\set, \i, \connect …) runs to the end of the line.
      i = recoverAtLineEnd(i);
      push('meta-command', start, i);
      continue;
    }
    if (c === 58 /* : */) {
      if (next === 58) {
        i += 2;
        push('punctuation', start, i);
        continue;
      }
      if (next === 39 || next === 34) {
        // psql variable interpolation :'name' / :"name"
        const [end, closed] = scanQuoted(i + 2, next, false);
        i = closed ? end : recoverAtLineEnd(i);
        push('placeholder', start, i, !closed);
        continue;
      }
      if (isWordStart(next)) {
        // psql variable :name, unless it is an array slice such as a[1:n].
        const previous = tokens[tokens.length - 1];
        const inSlice = previous !== undefined && previous.end === i && (previous.type === 'number' || previous.type === 'word');
        if (!inSlice) {
          let j = i + 1;
          while (j < n && isWordPart(text.charCodeAt(j))) j++;
          i = j;
          push('placeholder', start, i);
          continue;
        }
      }
      i++;
      push('punctuation', start, i);
      continue;
    }
    if (OPERATOR_CHARS.has(c)) {
      let j = i + 1;
      while (j < n && OPERATOR_CHARS.has(text.charCodeAt(j))) {
        // A comment start ends the operator.
        if ((text.charCodeAt(j) === 45 && text.charCodeAt(j + 1) === 45) || (text.charCodeAt(j) === 47 && text.charCodeAt(j + 1) === 42)) break;
        j++;
      }
      i = j;
      push('operator', start, i);
      continue;
    }
    i++;
    push(c === 40 || c === 41 || c === 44 || c === 91 || c === 93 || c === 46 ? 'punctuation' : 'unknown', start, i);
  }
  return tokens;
}

export const isTrivia = (token: Token) => token.type === 'line-comment' || token.type === 'block-comment';
