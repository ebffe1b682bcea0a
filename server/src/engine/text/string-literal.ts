/**
 * Reads a string constant as PostgreSQL does, keeping track of where each character of its value is
 * written: SQL inside a DO block's body or an `EXECUTE '…'` is analysed in the value, and what is
 * found there must be shown where the user wrote it.
 */

/** Where the characters of a string's value are written, as offsets into the text that holds it. */
export interface WrittenAt {
  /** Offset of what spells `value[index]`; `at(value.length)` is the offset just past the last one. */
  at(index: number): number;
  /** Whether every character is written as itself, so `written.slice(at(a), at(b)) === value.slice(a, b)`. */
  verbatim: boolean;
}

export interface StringConstant extends WrittenAt {
  value: string;
}

/**
 * The value of a string constant token (`'…'`, `N'…'`, `E'…'`, `$tag$…$tag$`) that starts at `start`,
 * with offsets `start`-based; undefined for the forms it does not read (`U&'…'`, bit and hex strings,
 * unterminated quotes, octal or hex escapes that make bytes rather than characters). `'…'` follows
 * `standard_conforming_strings = on`, PostgreSQL's default: only `''` is an escape.
 */
export function readStringConstant(raw: string, start = 0): StringConstant | undefined {
  const dollarTag = /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(raw)?.[0];
  if (dollarTag !== undefined) {
    if (raw.length < 2 * dollarTag.length || !raw.endsWith(dollarTag)) return undefined;
    const from = start + dollarTag.length;
    return { value: raw.slice(dollarTag.length, raw.length - dollarTag.length), at: (index) => from + index, verbatim: true };
  }
  const prefix = /^(?:[Ee]|[Nn])?'/.exec(raw)?.[0];
  if (prefix === undefined || raw.length < prefix.length + 1 || !raw.endsWith("'")) return undefined;
  const read = prefix[0] === 'E' || prefix[0] === 'e' ? readEscapeString(raw, prefix.length) : readQuotedString(raw, prefix.length);
  if (!read) return undefined;
  const { value, offsets } = read;
  if (offsets === undefined) return { value, at: (index) => start + prefix.length + index, verbatim: true };
  return { value, at: (index) => start + offsets[index]!, verbatim: false };
}

/** A value read, and where each of its characters starts in the raw text (absent when each is written as itself). */
interface Read {
  value: string;
  offsets: number[] | undefined;
}

/** `'…'`: a doubled quote stands for one. */
function readQuotedString(raw: string, from: number): Read | undefined {
  const body = raw.slice(from, -1);
  if (!body.includes("'")) return { value: body, offsets: undefined };
  let value = '';
  const offsets: number[] = [];
  for (let i = from; i < raw.length - 1; i++) {
    offsets.push(i);
    value += raw[i];
    if (raw[i] === "'") {
      if (raw[i + 1] !== "'" || i + 1 === raw.length - 1) return undefined; // a lone quote ends the string early
      i++;
    }
  }
  offsets.push(raw.length - 1);
  return { value, offsets };
}

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** `E'…'`: backslash escapes as PostgreSQL's lexer reads them, and doubled quotes. */
function readEscapeString(raw: string, from: number): Read | undefined {
  let value = '';
  const offsets: number[] = [];
  let verbatim = true;
  const end = raw.length - 1;
  for (let i = from; i < end; ) {
    const at = i;
    let chars: string;
    if (raw[i] === "'") {
      if (raw[i + 1] !== "'" || i + 1 === end) return undefined;
      chars = "'";
      i += 2;
    } else if (raw[i] === '\\') {
      const escape = readBackslashEscape(raw, i + 1, end);
      if (!escape) return undefined;
      chars = escape.chars;
      i = escape.next;
    } else {
      chars = raw[i]!;
      i++;
    }
    if (i - at !== chars.length) verbatim = false;
    // A character written as an escape maps to the whole escape; a surrogate pair spans both units.
    for (let k = 0; k < chars.length; k++) offsets.push(i - at === chars.length ? at + k : at);
    value += chars;
  }
  offsets.push(end);
  return { value, offsets: verbatim ? undefined : offsets };
}

function readBackslashEscape(raw: string, i: number, end: number): { chars: string; next: number } | undefined {
  const c = raw[i];
  if (c === undefined || i >= end) return undefined;
  if (c in SIMPLE_ESCAPES) return { chars: SIMPLE_ESCAPES[c]!, next: i + 1 };
  const octal = /^[0-7]{1,3}/.exec(raw.slice(i, Math.min(end, i + 3)))?.[0];
  if (octal) return asciiByte(parseInt(octal, 8), i + octal.length);
  const hex = /^x([0-9A-Fa-f]{1,2})/.exec(raw.slice(i, Math.min(end, i + 3)))?.[1];
  if (hex) return asciiByte(parseInt(hex, 16), i + 1 + hex.length);
  const unicode = /^(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))/.exec(raw.slice(i, Math.min(end, i + 9)));
  if (unicode) {
    const code = parseInt(unicode[1] ?? unicode[2]!, 16);
    if (code === 0 || code > 0x10ffff) return undefined;
    return { chars: code <= 0xffff ? String.fromCharCode(code) : String.fromCodePoint(code), next: i + unicode[0].length };
  }
  // Any other character stands for itself, quote and backslash included.
  const codePoint = raw.codePointAt(i)!;
  return { chars: String.fromCodePoint(codePoint), next: i + (codePoint > 0xffff ? 2 : 1) };
}

/** Octal and hex escapes make bytes: above 0x7f they are parts of a multi-byte character this reader does not assemble. */
function asciiByte(byte: number, next: number): { chars: string; next: number } | undefined {
  return byte > 0 && byte < 0x80 ? { chars: String.fromCharCode(byte), next } : undefined;
}
