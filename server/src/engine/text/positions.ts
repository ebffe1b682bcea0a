/**
 * Converts between the engine's positions (UTF-16 offsets into the JavaScript string, as LSP wants
 * them) and what other parties use: 0-based line/character for LSP and editors, UTF-8 byte offsets
 * (libpg_query's node locations) and code point indexes (libpg_query's error cursor).
 */

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based UTF-16 code unit offset in the line, as in LSP. */
  character: number;
}

export interface OffsetRange {
  start: number;
  end: number;
}

export class LineIndex {
  private readonly lineStarts: number[];

  constructor(private readonly text: string) {
    const starts = [0];
    if (text.includes('\r')) {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10 /* \n */) starts.push(i + 1);
        else if (c === 13 /* \r */ && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
      }
    } else {
      // Built for every analysis of a document: jumping from line break to line break is several times faster.
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= clamped) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: clamped - this.lineStarts[low]! };
  }

  offsetAt(position: Position): number {
    if (position.line < 0) return 0;
    if (position.line >= this.lineStarts.length) return this.text.length;
    const lineStart = this.lineStarts[position.line]!;
    // As LSP specifies, a character past the end of the line means the line's end (before its break).
    return Math.min(lineStart + Math.max(0, position.character), this.lineContentEnd(position.line));
  }

  /** Offset of the line break ending a 0-based line, or the text's end on the last line. */
  private lineContentEnd(line: number): number {
    let end = this.lineStarts[line + 1] ?? this.text.length;
    if (end > this.lineStarts[line]! && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > this.lineStarts[line]! && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  /** The text of a 0-based line without its line break. */
  lineText(line: number): string {
    if (line < 0 || line >= this.lineStarts.length) return '';
    return this.text.slice(this.lineStarts[line], this.lineContentEnd(line));
  }
}

const NON_ASCII = /[^\x00-\x7f]/;

/** Maps UTF-8 byte offsets of `text` to UTF-16 offsets (libpg_query reports byte locations). */
export function byteOffsetMapper(text: string): (byteOffset: number) => number {
  if (!NON_ASCII.test(text)) return (byteOffset) => Math.max(0, Math.min(byteOffset, text.length));
  const utf16AtByte: number[] = [];
  let byte = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i)!;
    const bytes = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    for (let b = 0; b < bytes; b++) utf16AtByte[byte + b] = i;
    byte += bytes;
    if (code >= 0x10000) i++; // surrogate pair: two UTF-16 units, one code point
  }
  // A byte inside a multi-byte character maps to the character's start.
  return (byteOffset) => (byteOffset >= byte ? text.length : byteOffset <= 0 ? 0 : utf16AtByte[byteOffset]!);
}

/** Maps a code point index of `text` to its UTF-16 offset (libpg_query's error cursor counts characters). */
export function codePointToOffset(text: string, codePointIndex: number): number {
  let offset = 0;
  for (let cp = 0; cp < codePointIndex && offset < text.length; cp++) {
    offset += text.codePointAt(offset)! >= 0x10000 ? 2 : 1;
  }
  return offset;
}
