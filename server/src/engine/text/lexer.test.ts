import { describe, expect, it } from 'vitest';
import { lex, type Token } from './lexer';

/** [type, raw text] of every token: the raw text shows the exact offsets. */
const shape = (text: string) => lex(text).map((token) => [token.type, text.slice(token.start, token.end)]);
const only = (text: string): Token => {
  const tokens = lex(text);
  expect(tokens).toHaveLength(1);
  return tokens[0]!;
};

describe('lexer', () => {
  it('gives words upper-cased values and exact offsets', () => {
    expect(lex('select foo$bar, _x1 from T')).toEqual([
      { type: 'word', start: 0, end: 6, value: 'SELECT' },
      { type: 'word', start: 7, end: 14, value: 'FOO$BAR' },
      { type: 'punctuation', start: 14, end: 15, value: ',' },
      { type: 'word', start: 16, end: 19, value: '_X1' },
      { type: 'word', start: 20, end: 24, value: 'FROM' },
      { type: 'word', start: 25, end: 26, value: 'T' },
    ]);
  });

  describe('dollar quotes and parameters', () => {
    it('keeps $$ … ; … $$ one token', () => {
      expect(shape("select $$a; 'b$$;")).toEqual([
        ['word', 'select'],
        ['dollar-string', "$$a; 'b$$"],
        ['semicolon', ';'],
      ]);
    });

    it('closes a tagged quote only on the same tag, across inner $$', () => {
      const text = 'as $fn$ begin; x := $$in$$; $other$ end; $fn$ language plpgsql';
      const token = lex(text)[1]!;
      expect(token).toMatchObject({ type: 'dollar-string', start: 3 });
      expect(text.slice(token.start, token.end)).toBe('$fn$ begin; x := $$in$$; $other$ end; $fn$');
    });

    it('reads $1 as a parameter and a lone $ as unknown', () => {
      expect(shape('where a = $1 and b = $23')).toEqual([
        ['word', 'where'],
        ['word', 'a'],
        ['operator', '='],
        ['parameter', '$1'],
        ['word', 'and'],
        ['word', 'b'],
        ['operator', '='],
        ['parameter', '$23'],
      ]);
      expect(shape('$abc')).toEqual([
        ['unknown', '$'],
        ['word', 'abc'],
      ]);
    });

    it('runs an unterminated dollar quote to the end of the text', () => {
      const text = 'select $x$ never closed;\nselect 2;';
      expect(lex(text)[1]).toEqual({ type: 'dollar-string', start: 7, end: text.length, value: text.slice(7), unterminated: true });
    });
  });

  describe('comments', () => {
    it('nests block comments', () => {
      expect(shape('/* a /* b */ ; */ select')).toEqual([
        ['block-comment', '/* a /* b */ ; */'],
        ['word', 'select'],
      ]);
    });

    it('runs an unterminated block comment to the end of the text', () => {
      const text = 'select 1; /* open /* nested */ ; select 2;';
      expect(lex(text).at(-1)).toMatchObject({ type: 'block-comment', start: 10, end: text.length, unterminated: true });
    });

    it('ends a line comment at \\n or \\r, whatever it holds', () => {
      expect(shape("-- a; 'b\nselect")).toEqual([
        ['line-comment', "-- a; 'b"],
        ['word', 'select'],
      ]);
      expect(shape('-- a;\r\nx')).toEqual([
        ['line-comment', '-- a;'],
        ['word', 'x'],
      ]);
      expect(shape('-- old Mac\rx')).toEqual([
        ['line-comment', '-- old Mac'],
        ['word', 'x'],
      ]);
    });

    it('ends an operator where a comment starts', () => {
      expect(shape('a =-- c\n/*/ */<>/* d */b')).toEqual([
        ['word', 'a'],
        ['operator', '='],
        ['line-comment', '-- c'],
        ['block-comment', '/*/ */'],
        ['operator', '<>'],
        ['block-comment', '/* d */'],
        ['word', 'b'],
      ]);
    });
  });

  describe('strings and quoted identifiers', () => {
    it('reads doubled quotes as escaped ones', () => {
      expect(only("'it''s;'")).toMatchObject({ type: 'string', start: 0, end: 8 });
      expect(only('"a""b;c"')).toMatchObject({ type: 'quoted-identifier', start: 0, end: 8 });
    });

    it('honours backslash escapes in E strings only', () => {
      expect(shape("E'\\';' x")).toEqual([
        ['string', "E'\\';'"],
        ['word', 'x'],
      ]);
      expect(shape("e'a\\\\' x")).toEqual([
        ['string', "e'a\\\\'"],
        ['word', 'x'],
      ]);
      // standard_conforming_strings: a backslash is an ordinary character.
      expect(shape("'\\' x")).toEqual([
        ['string', "'\\'"],
        ['word', 'x'],
      ]);
    });

    it('reads prefixed literals and Unicode-escaped names', () => {
      expect(shape("B'101' X'ff' N'n' U&'\\0041' u&\"d\\0061t\" \"weird;name\"")).toEqual([
        ['string', "B'101'"],
        ['string', "X'ff'"],
        ['string', "N'n'"],
        ['string', "U&'\\0041'"],
        ['quoted-identifier', 'u&"d\\0061t"'],
        ['quoted-identifier', '"weird;name"'],
      ]);
    });

    it('does not read a prefix inside a longer word', () => {
      expect(shape("typE'x'")).toEqual([
        ['word', 'typE'],
        ['string', "'x'"],
      ]);
    });

    it('keeps a string that spans lines whole', () => {
      expect(only("'line 1;\nline 2'")).toMatchObject({ type: 'string', end: 16 });
    });

    it('closes a quote left open at the end of its line', () => {
      const text = "select 'oops;\r\nselect 1;";
      expect(lex(text)[1]).toEqual({ type: 'string', start: 7, end: 13, value: "'oops;", unterminated: true });
      expect(shape(text).slice(2)).toEqual([
        ['word', 'select'],
        ['number', '1'],
        ['semicolon', ';'],
      ]);
      expect(lex('"open\nx').map((token) => [token.type, token.end, token.unterminated])).toEqual([
        ['quoted-identifier', 5, true],
        ['word', 7, undefined],
      ]);
    });
  });

  describe('psql and migration-tool syntax', () => {
    it('reads a meta-command up to its line end, without the line break', () => {
      expect(shape('\\set x 1\r\n\\i file.sql\nselect')).toEqual([
        ['meta-command', '\\set x 1'],
        ['meta-command', '\\i file.sql'],
        ['word', 'select'],
      ]);
    });

    it('reads a Go template as one placeholder, double quotes included', () => {
      expect(shape('CREATE TABLE {{ index .Options "Namespace" }}.users (')).toEqual([
        ['word', 'CREATE'],
        ['word', 'TABLE'],
        ['placeholder', '{{ index .Options "Namespace" }}'],
        ['punctuation', '.'],
        ['word', 'users'],
        ['punctuation', '('],
      ]);
    });

    it('reads ${name} and psql variables as placeholders', () => {
      expect(shape("${schema}.t :GRAPHILE_WORKER_SCHEMA.jobs :'var' :\"ident\"")).toEqual([
        ['placeholder', '${schema}'],
        ['punctuation', '.'],
        ['word', 't'],
        ['placeholder', ':GRAPHILE_WORKER_SCHEMA'],
        ['punctuation', '.'],
        ['word', 'jobs'],
        ['placeholder', ":'var'"],
        ['placeholder', ':"ident"'],
      ]);
    });

    it('leaves casts, array slices and quoted text after a colon alone', () => {
      expect(shape("x::int a[1:n] b[lo:hi] :'not a var'")).toEqual([
        ['word', 'x'],
        ['punctuation', '::'],
        ['word', 'int'],
        ['word', 'a'],
        ['punctuation', '['],
        ['number', '1'],
        ['punctuation', ':'],
        ['word', 'n'],
        ['punctuation', ']'],
        ['word', 'b'],
        ['punctuation', '['],
        ['word', 'lo'],
        ['punctuation', ':'],
        ['word', 'hi'],
        ['punctuation', ']'],
        ['punctuation', ':'],
        ['string', "'not a var'"],
      ]);
    });

    it('closes an unterminated placeholder at its line end', () => {
      expect(lex('{{ .Schema \nx').map((token) => [token.type, token.end, token.unterminated])).toEqual([
        ['placeholder', 11, true],
        ['word', 13, undefined],
      ]);
      expect(lex('${schema\n}').map((token) => [token.type, token.end, token.unterminated])).toEqual([
        ['placeholder', 8, true],
        ['unknown', 10, undefined],
      ]);
    });

    it('skips the data lines after COPY … FROM STDIN up to the \\. line', () => {
      const text = "COPY t (a, b) FROM stdin;\n1\t'it;s\n2\t\"x\n\\.\nselect 1;";
      const data = lex(text).find((token) => token.type === 'copy-data')!;
      expect(text.slice(data.start, data.end)).toBe("1\t'it;s\n2\t\"x\n\\.");
      expect(shape(text.slice(data.end))).toEqual([
        ['word', 'select'],
        ['number', '1'],
        ['semicolon', ';'],
      ]);
    });

    it('lexes the rest of the COPY line as SQL and accepts \\.\\r\\n', () => {
      const text = "copy t from STDIN; -- data follows\r\na';b\r\n\\.\r\nselect";
      expect(shape(text).slice(-3)).toEqual([
        ['line-comment', '-- data follows'],
        ['copy-data', "a';b\r\n\\."],
        ['word', 'select'],
      ]);
    });

    it('reads data after \\copy … from stdin too', () => {
      expect(shape("\\copy t from stdin\n'x;\n\\.\n")).toEqual([
        ['meta-command', '\\copy t from stdin'],
        ['copy-data', "'x;\n\\."],
      ]);
    });

    it('lexes the lines after COPY as SQL when no \\. line ends the data', () => {
      // Not a psql script (a migration tool, or the data was cut out): there is no data block.
      expect(shape('copy t from stdin;\n-- 1\tx\nselect 1;').map(([type]) => type)).toEqual([
        'word', 'word', 'word', 'word', 'semicolon', 'line-comment', 'word', 'number', 'semicolon',
      ]);
    });

    it('does not read data after COPY … TO STDOUT or FROM a file', () => {
      expect(lex("copy t to stdout;\n'x'\n\\.\n").some((token) => token.type === 'copy-data')).toBe(false);
      expect(lex("copy t from '/tmp/stdin';\n'x'\n\\.\n").some((token) => token.type === 'copy-data')).toBe(false);
    });
  });

  describe('numbers and odd input', () => {
    it('reads numbers with exponents and stops before ..', () => {
      expect(shape('1.5e-3 .5 1..2')).toEqual([
        ['number', '1.5e-3'],
        ['number', '.5'],
        ['number', '1'],
        ['punctuation', '..'],
        ['number', '2'],
      ]);
    });

    it('drops a byte order mark at the start', () => {
      expect(lex('\uFEFFselect')).toEqual([{ type: 'word', start: 1, end: 7, value: 'SELECT' }]);
    });

    it('returns nothing for empty or blank text', () => {
      expect(lex('')).toEqual([]);
      expect(lex(' \t\r\n\f\v')).toEqual([]);
    });

    it('counts offsets in UTF-16 code units around non-ASCII text', () => {
      const text = "select café, '日本🚀', \"ü\" from 🚀t";
      expect(shape(text)).toEqual([
        ['word', 'select'],
        ['word', 'café'],
        ['punctuation', ','],
        ['string', "'日本🚀'"],
        ['punctuation', ','],
        ['quoted-identifier', '"ü"'],
        ['word', 'from'],
        ['word', '🚀t'],
      ]);
      expect(lex(text)[3]).toMatchObject({ start: 13, end: 19 });
    });

    it('never throws and always reaches the end of the text', () => {
      const nasty = ["'", '"', '$', '$a', '$$', '/*', '{{', '${', ':', ':\'', 'E\'\\', 'U&', '\\', '--', "E'\\'", '\uFEFF'];
      for (const text of nasty) {
        const tokens = lex(text);
        const end = tokens.length === 0 ? text.length : tokens[tokens.length - 1]!.end;
        expect(end, JSON.stringify(text)).toBe(text.length);
      }
    });
  });
});
