import { describe, expect, it } from 'vitest';
import { splitStatements } from './splitter';

/** The text of each statement, from its first to its last significant character. */
const pieces = (text: string) => splitStatements(text).map((source) => text.slice(source.start, source.end));

describe('splitStatements', () => {
  it('splits on ; with exact offsets, terminators and significant tokens only', () => {
    const text = '-- lead\nselect 1; /* mid */ select 2 -- tail\n;\n';
    const sources = splitStatements(text);
    expect(sources.map(({ start, end, terminator, isMetaCommand }) => ({ start, end, terminator, isMetaCommand }))).toEqual([
      { start: 8, end: 16, terminator: 16, isMetaCommand: false },
      { start: 28, end: 36, terminator: 45, isMetaCommand: false },
    ]);
    expect(sources[1]!.tokens.map((token) => token.value)).toEqual(['SELECT', '2']);
  });

  it('keeps a last statement without a semicolon, with no terminator', () => {
    const sources = splitStatements('select 1;\nselect 2  \n-- done');
    expect(sources.map((source) => [source.start, source.end, source.terminator])).toEqual([
      [0, 8, 8],
      [10, 18, undefined],
    ]);
  });

  it('finds nothing in empty input, blank input, comments or bare semicolons', () => {
    expect(splitStatements('')).toEqual([]);
    expect(splitStatements(' \n\t ')).toEqual([]);
    expect(splitStatements('-- only a comment; really\n/* and /* nested; */ this */\n')).toEqual([]);
    expect(splitStatements(';; ;\n;')).toEqual([]);
    expect(pieces(';;select 1;;')).toEqual(['select 1']);
  });

  it('ignores ; inside quotes, comments and dollar quotes', () => {
    const text = [
      "insert into t values ('it''s;', E'\\';', \"weird;name\", U&\"x;\");",
      '/* a /* nested */ ; */ select 1 -- trailing ; comment',
      ';',
      'create function f() returns int as $fn$ select 1; $$;$$ $fn$ language sql;',
      'select $$;$$, $1;',
    ].join('\n');
    expect(pieces(text)).toEqual([
      "insert into t values ('it''s;', E'\\';', \"weird;name\", U&\"x;\")",
      'select 1',
      'create function f() returns int as $fn$ select 1; $$;$$ $fn$ language sql',
      'select $$;$$, $1',
    ]);
  });

  it('splits BEGIN; … COMMIT; transactions into their statements', () => {
    expect(pieces('BEGIN;\nCREATE INDEX i ON t (a);\nCOMMIT;\nbegin transaction; end;')).toEqual([
      'BEGIN',
      'CREATE INDEX i ON t (a)',
      'COMMIT',
      'begin transaction',
      'end',
    ]);
  });

  describe('BEGIN ATOMIC bodies', () => {
    it('keeps a SQL-standard function body one statement, CASE … END included', () => {
      const fn = [
        'CREATE OR REPLACE FUNCTION f(x int) RETURNS int LANGUAGE sql',
        'BEGIN ATOMIC',
        '  SELECT CASE WHEN x > 0 THEN 1 ELSE (CASE x WHEN 0 THEN 0 END) END;',
        '  SELECT 2;',
        'END',
      ].join('\n');
      expect(pieces(`${fn};\nselect 3;`)).toEqual([fn, 'select 3']);
    });

    it('does so for procedures, and leaves plain bodies and other statements alone', () => {
      const proc = 'create procedure p() begin atomic insert into t values (1); end';
      expect(pieces(`${proc}; create function g() returns int return 1; create table begin (a int); select 1;`)).toEqual([
        proc,
        'create function g() returns int return 1',
        'create table begin (a int)',
        'select 1',
      ]);
    });

    it('keeps a CREATE SCHEMA holding a routine with a body one statement', () => {
      const schema = 'CREATE SCHEMA s\n  CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1; END\n  CREATE VIEW begin AS SELECT 1 AS one';
      expect(pieces(`${schema};\nselect 2;`)).toEqual([schema, 'select 2']);
    });

    it('cuts a body left open at the end of the file at its first ;', () => {
      const text = 'create function f() returns int begin atomic select 1;\nselect 2;\ncreate table t (a int);';
      const sources = splitStatements(text);
      expect(pieces(text)).toEqual(['create function f() returns int begin atomic select 1', 'select 2', 'create table t (a int)']);
      expect(sources[0]!.terminator).toBe(text.indexOf(';'));
    });

    it('keeps a closed body without a final semicolon whole', () => {
      const text = 'create function f() returns int begin atomic select 1; end';
      expect(pieces(text)).toEqual([text]);
    });
  });

  describe('CREATE RULE action lists', () => {
    it('keeps ; inside the parenthesised actions, as psql does', () => {
      const rule = 'create or replace rule r as on insert to t do instead (notify a; notify b)';
      expect(pieces(`${rule};\nselect 1;`)).toEqual([rule, 'select 1']);
    });

    it('still splits a stray ; inside parentheses of other statements', () => {
      expect(pieces('select (1;\nselect 2;')).toEqual(['select (1', 'select 2']);
    });

    it('cuts an action list left open at the end of the file at its first ;', () => {
      expect(pieces('create rule r as on insert to t do instead (notify a;\nselect 2;')).toEqual([
        'create rule r as on insert to t do instead (notify a',
        'select 2',
      ]);
    });
  });

  describe('psql meta-commands', () => {
    it('makes each backslash line a statement of its own', () => {
      const text = '\\set x 1\nselect :x;\n\\i file.sql\nselect :\'x\';\n';
      expect(splitStatements(text).map((source) => [text.slice(source.start, source.end), source.isMetaCommand, source.terminator])).toEqual([
        ['\\set x 1', true, undefined],
        ['select :x', false, 18],
        ['\\i file.sql', true, undefined],
        ["select :'x'", false, 43],
      ]);
    });

    it('ends the statement before a meta-command that sends it', () => {
      expect(pieces('select 1 as one \\gset\nselect :one;')).toEqual(['select 1 as one', '\\gset', 'select :one']);
    });

    it('skips COPY … FROM STDIN data up to the \\. line', () => {
      const text = "COPY t (a) FROM stdin;\n1;2\n'x\n\\.\nselect 1;";
      const sources = splitStatements(text);
      expect(pieces(text)).toEqual(['COPY t (a) FROM stdin', 'select 1']);
      expect(sources[0]!.tokens.some((token) => token.type === 'copy-data')).toBe(false);
    });
  });

  describe('templated SQL', () => {
    it('keeps Go templates, ${…} and psql variables inside their statements', () => {
      const text = [
        'CREATE TABLE {{ index .Options "Namespace" }}.users (id int);',
        'ALTER TABLE ${schema}.t ADD b int;',
        'CREATE SCHEMA :GRAPHILE_WORKER_SCHEMA;',
        "SET search_path TO :'schema';",
      ].join('\n');
      const sources = splitStatements(text);
      expect(pieces(text)).toEqual([
        'CREATE TABLE {{ index .Options "Namespace" }}.users (id int)',
        'ALTER TABLE ${schema}.t ADD b int',
        'CREATE SCHEMA :GRAPHILE_WORKER_SCHEMA',
        "SET search_path TO :'schema'",
      ]);
      expect(sources.map((source) => source.tokens.filter((token) => token.type === 'placeholder').length)).toEqual([1, 1, 1, 1]);
    });
  });

  describe('recovery from broken text', () => {
    it('ends a statement with an unterminated quote at its line end, so the next one is found', () => {
      const text = "insert into t values ('oops);\nselect 1;\ncreate index i on t (a);";
      const sources = splitStatements(text);
      expect(pieces(text)).toEqual(["insert into t values ('oops);", 'select 1', 'create index i on t (a)']);
      expect(sources[0]!.terminator).toBeUndefined();
      expect(sources[0]!.tokens.at(-1)!.unterminated).toBe(true);
    });

    it('does the same for a quoted identifier or a placeholder left open', () => {
      expect(pieces('select "open;\nselect 1;')).toEqual(['select "open;', 'select 1']);
      expect(pieces('select {{ .X;\nselect 1;')).toEqual(['select {{ .X;', 'select 1']);
    });

    it('runs an unterminated dollar quote or block comment to the end', () => {
      expect(pieces('select 1;\ncreate function f() as $$ begin;\nselect 2;')).toEqual([
        'select 1',
        'create function f() as $$ begin;\nselect 2;',
      ]);
      expect(pieces('select 1; /* open ; select 2;')).toEqual(['select 1']);
    });
  });

  describe('pathological input', () => {
    it('stays linear over many bodies left open, and still finds every statement', () => {
      // Each open body is cut at its first `;`; after a few, bodies are no longer tracked at all.
      const text = 'create function f() returns int begin atomic select 1;\n'.repeat(2000);
      const sources = splitStatements(text);
      expect(sources).toHaveLength(2000);
      expect(new Set(sources.map((source) => text.slice(source.start, source.end))).size).toBe(1);
    });

    it('finishes on runs of unclosed quotes, templates, comments and deep parentheses', () => {
      const inputs = [
        '{{ x \n'.repeat(5000),
        '${ x \n'.repeat(5000),
        "E'\\\n'\n".repeat(5000),
        '/* '.repeat(5000),
        '('.repeat(50_000) + ';' + ')'.repeat(50_000),
        'create function f() begin '.concat('begin '.repeat(20_000), ';'),
      ];
      for (const text of inputs) {
        const sources = splitStatements(text);
        expect(sources.every((source) => source.start < source.end && source.end <= text.length)).toBe(true);
      }
    });
  });

  describe('line endings and non-ASCII text', () => {
    it('handles CRLF line endings', () => {
      const text = 'select 1;\r\n-- c\r\nselect 2\r\n;\r\n';
      expect(splitStatements(text).map((source) => [source.start, source.end, source.terminator])).toEqual([
        [0, 8, 8],
        [17, 25, 27],
      ]);
    });

    it('gives UTF-16 offsets around accents, CJK and emoji', () => {
      const text = "select 'é🚀';\ncreate table 日本 (\"🚀\" int);\nselect café;";
      const sources = splitStatements(text);
      expect(pieces(text)).toEqual(["select 'é🚀'", 'create table 日本 ("🚀" int)', 'select café']);
      expect(sources.map((source) => [source.start, source.end])).toEqual([
        [0, 12],
        [14, 40],
        [42, 53],
      ]);
    });
  });
});
