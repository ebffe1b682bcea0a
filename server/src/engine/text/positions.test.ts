import { loadModule, parseSync } from 'libpg-query';
import { describe, expect, it } from 'vitest';
import { byteOffsetMapper, codePointToOffset, LineIndex } from './positions';

/**
 * Every offset of `text` survives offset → position → offset, except the one between the \r and
 * \n of a CRLF: as LSP wants, a character past the line's content is the line's end.
 */
function expectRoundTrip(text: string) {
  const index = new LineIndex(text);
  for (let offset = 0; offset <= text.length; offset++) {
    if (text[offset - 1] === '\r' && text[offset] === '\n') continue;
    expect(index.offsetAt(index.positionAt(offset)), `offset ${offset}`).toBe(offset);
  }
}

describe('LineIndex', () => {
  it('maps offsets to lines and characters over \\n, \\r\\n and lone \\r', () => {
    const text = 'ab\ncd\r\nef\rgh';
    const index = new LineIndex(text);
    expect(index.lineCount).toBe(4);
    expect([0, 2, 3, 5, 7, 9, 10, 12].map((offset) => index.positionAt(offset))).toEqual([
      { line: 0, character: 0 },
      { line: 0, character: 2 },
      { line: 1, character: 0 },
      { line: 1, character: 2 },
      { line: 2, character: 0 },
      { line: 2, character: 2 },
      { line: 3, character: 0 },
      { line: 3, character: 2 },
    ]);
    expect([0, 1, 2, 3].map((line) => index.lineText(line))).toEqual(['ab', 'cd', 'ef', 'gh']);
  });

  it('round-trips every offset, whatever the line breaks', () => {
    expectRoundTrip('ab\ncd\r\nef\rgh\n');
    expectRoundTrip('\r\n\r\n\n\r\r');
    expectRoundTrip('');
  });

  it('clamps: past a line end to that line end (before its break), outside the text to its bounds', () => {
    const text = 'ab\r\ncd\nef';
    const index = new LineIndex(text);
    expect(index.offsetAt({ line: 0, character: 99 })).toBe(2);
    expect(index.offsetAt({ line: 1, character: 99 })).toBe(6);
    expect(index.offsetAt({ line: 2, character: 99 })).toBe(text.length);
    expect(index.offsetAt({ line: 0, character: -5 })).toBe(0);
    expect(index.offsetAt({ line: -1, character: 3 })).toBe(0);
    expect(index.offsetAt({ line: 9, character: 0 })).toBe(text.length);
    expect(index.positionAt(-3)).toEqual({ line: 0, character: 0 });
    expect(index.positionAt(999)).toEqual({ line: 2, character: 2 });
    expect(index.lineText(9)).toBe('');
  });

  it('counts LSP characters in UTF-16 code units, two for an emoji', () => {
    const text = "select '🚀' as x;\n  -- é日本🚀\nselect 1;";
    const index = new LineIndex(text);
    expect(index.positionAt(text.indexOf(' as'))).toEqual({ line: 0, character: 11 });
    expect(index.positionAt(text.lastIndexOf('🚀'))).toEqual({ line: 1, character: 8 });
    expect(index.positionAt(text.indexOf('select 1'))).toEqual({ line: 2, character: 0 });
    expect(index.offsetAt({ line: 1, character: 10 })).toBe(text.indexOf('\nselect 1'));
    expectRoundTrip(text);
  });
});

describe('byteOffsetMapper', () => {
  /** 1-, 2-, 3- and 4-byte UTF-8 characters, and a pair of each next to the other. */
  const mixed = "a é 日 🚀 ü€😀x\n'ß';";

  it('maps the byte offset of every character boundary to its UTF-16 offset', () => {
    const toUtf16 = byteOffsetMapper(mixed);
    let checked = 0;
    for (let offset = 0; offset <= mixed.length; offset++) {
      const code = mixed.charCodeAt(offset - 1);
      if (code >= 0xd800 && code <= 0xdbff) continue; // inside a surrogate pair: no byte boundary there
      expect(toUtf16(Buffer.byteLength(mixed.slice(0, offset))), `offset ${offset}`).toBe(offset);
      checked++;
    }
    expect(checked).toBe([...mixed].length + 1);
  });

  it('maps a byte inside a character to that character, and clamps outside the text', () => {
    const toUtf16 = byteOffsetMapper('a🚀b');
    expect([1, 2, 3, 4, 5].map(toUtf16)).toEqual([1, 1, 1, 1, 3]);
    expect(toUtf16(-1)).toBe(0);
    expect(toUtf16(99)).toBe(4);
  });

  it('is the identity on ASCII text, clamped to it', () => {
    const toUtf16 = byteOffsetMapper('select 1');
    expect([0, 3, 8, 9, -2].map(toUtf16)).toEqual([0, 3, 8, 8, 0]);
  });

  it('agrees with libpg_query-style offsets on a statement after non-ASCII text', () => {
    const text = "select '日本🚀'; create index i on t (a);";
    const byteLocation = Buffer.byteLength(text.slice(0, text.indexOf('create')));
    expect(byteOffsetMapper(text)(byteLocation)).toBe(text.indexOf('create'));
  });
});

describe('codePointToOffset', () => {
  it('counts an emoji as one code point and two UTF-16 units', () => {
    const text = 'é🚀x🚀';
    expect([0, 1, 2, 3, 4].map((cp) => codePointToOffset(text, cp))).toEqual([0, 1, 3, 4, 6]);
  });

  it('stops at the end of the text', () => {
    expect(codePointToOffset('ab', 10)).toBe(2);
    expect(codePointToOffset('', 3)).toBe(0);
  });

  it('turns the cursor libpg_query reports (0-based code points) into the offending token', async () => {
    await loadModule();
    const text = "select 'é🚀' frm x";
    const cursor = (() => {
      try {
        parseSync(text);
      } catch (error) {
        return (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
      }
      return undefined;
    })();
    expect(cursor).toBe([...text].indexOf('x'));
    expect(codePointToOffset(text, cursor!)).toBe(text.indexOf('x'));
  });
});
