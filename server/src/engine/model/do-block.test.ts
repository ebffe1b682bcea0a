import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CORPUS, HAS_CORPUS } from '../../../../test/helpers/corpus';
import { sqlFiles } from '../../../../test/helpers/sql-files';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';
import { buildStatements } from './build';
import { analyseDoBlock, doStatementOf, readDoBlock, statementsInDoBlock, type DoBlockAnalysis } from './do-block';
import type { ParsedStatement, Statement } from './statement';

const parser = await PostgresParser.load();

function build(text: string): Statement[] {
  return buildStatements(text, parser, defaultOptions());
}

function doStatementIn(statements: Statement[]): ParsedStatement {
  const found = statements.find((statement): statement is ParsedStatement => statement.kind === 'parsed' && statement.nodeType === 'DoStmt');
  if (!found) throw new Error('no DO statement');
  return found;
}

function analyse(text: string): DoBlockAnalysis {
  return analyseDoBlock(doStatementIn(build(text)), parser)!;
}

const slice = (text: string, range: { start: number; end: number }) => text.slice(range.start, range.end);

describe('the statements a DO block runs', () => {
  it('finds CREATE INDEX inside IF NOT EXISTS (SELECT …) THEN … END IF, and not the condition', () => {
    const text = [
      'SET lock_timeout = \'2s\';',
      'DO $$',
      'BEGIN',
      '  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = \'orders_customer_idx\') THEN',
      '    CREATE INDEX orders_customer_idx ON public.orders (customer_id);',
      '  END IF;',
      'END',
      '$$;',
    ].join('\n');
    const statements = build(text);
    const doStatement = doStatementIn(statements);
    const { statements: run, notFollowed } = analyseDoBlock(doStatement, parser)!;
    expect(notFollowed).toEqual([]);
    expect(run).toHaveLength(1);
    const [index] = run;
    expect(index).toMatchObject({ kind: 'parsed', nodeType: 'IndexStmt', index: doStatement.index + 1, terminator: undefined, runBy: { via: 'sql', verbatim: true } });
    expect(index!.transaction).toBe(doStatement.transaction);
    expect(slice(text, index!.range)).toBe('CREATE INDEX orders_customer_idx ON public.orders (customer_id)');
    expect(index!.text).toBe('CREATE INDEX orders_customer_idx ON public.orders (customer_id)');
    expect(index!.targets).toEqual([{ schema: 'public', name: 'orders', range: expect.anything() }]);
    expect(slice(text, index!.targets[0]!.range!)).toBe('public.orders');
    expect(index!.tokens.map((token) => slice(text, token))).toEqual(['CREATE', 'INDEX', 'orders_customer_idx', 'ON', 'public', '.', 'orders', '(', 'customer_id', ')']);
    expect(index!.tokens[1]).toMatchObject({ type: 'word', value: 'INDEX' });
  });

  it("follows EXECUTE of a string constant, with the constant's contents placed inside the quotes", () => {
    const text = "DO $$ BEGIN EXECUTE 'ALTER TABLE accounts ADD COLUMN plan text'; END $$;";
    const { statements, notFollowed } = analyse(text);
    expect(notFollowed).toEqual([]);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ nodeType: 'AlterTableStmt', runBy: { via: 'execute', verbatim: true } });
    expect(slice(text, statements[0]!.range)).toBe('ALTER TABLE accounts ADD COLUMN plan text');
    expect(slice(text, statements[0]!.targets[0]!.range!)).toBe('accounts');
    expect(statements[0]!.alterTableCommands.map((command) => command.subtype)).toEqual(['AT_AddColumn']);
  });

  it('reads doubled quotes and E-string escapes in an EXECUTEd constant, and says its text is not spelled as written', () => {
    const text = "DO $$ BEGIN EXECUTE 'COMMENT ON TABLE t IS ''it''''s'''; EXECUTE E'CREATE INDEX i ON t (a)\\n  WHERE b = \\'x\\''; END $$;";
    const { statements, notFollowed } = analyse(text);
    expect(notFollowed).toEqual([]);
    expect(statements.map((statement) => [statement.nodeType, statement.text, statement.runBy.verbatim])).toEqual([
      ['CommentStmt', "COMMENT ON TABLE t IS 'it''s'", false],
      ['IndexStmt', "CREATE INDEX i ON t (a)\n  WHERE b = 'x'", false],
    ]);
    // The ranges still cover exactly what spells each statement.
    expect(slice(text, statements[0]!.range)).toBe("COMMENT ON TABLE t IS ''it''''s''");
    expect(slice(text, statements[1]!.range)).toBe("CREATE INDEX i ON t (a)\\n  WHERE b = \\'x\\'");
    expect(slice(text, statements[1]!.targets[0]!.range!)).toBe('t');
  });

  it('does not follow EXECUTE of format(), a concatenation or a variable, and says where they are', () => {
    const text = [
      'DO $$',
      'DECLARE',
      '  s text;',
      '  ddl text := \'DROP INDEX old_idx\';',
      'BEGIN',
      '  FOR s IN SELECT nspname FROM pg_namespace WHERE nspname LIKE \'tenant_%\' LOOP',
      "    EXECUTE format('CREATE INDEX ON %I.orders (created_at)', s);",
      "    EXECUTE 'ANALYZE ' || quote_ident(s) || '.orders';",
      '  END LOOP;',
      '  EXECUTE ddl;',
      'END $$;',
    ].join('\n');
    const { statements, notFollowed } = analyse(text);
    expect(statements).toEqual([]);
    expect(notFollowed.map((item) => [item.kind, slice(text, item.range)])).toEqual([
      ['dynamic-execute', "format('CREATE INDEX ON %I.orders (created_at)', s)"],
      ['dynamic-execute', "'ANALYZE ' || quote_ident(s) || '.orders'"],
      ['dynamic-execute', 'ddl'],
    ]);
    expect(notFollowed[0]!.message).toContain('Lockguard cannot check the locks it takes');
  });

  it('finds SQL in nested blocks, exception handlers, loops, CASE and ELSIF/ELSE branches, in written order', () => {
    const text = [
      'DO $body$',
      'DECLARE',
      '  r record;',
      'BEGIN',
      '  BEGIN',
      '    ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0) NOT VALID;',
      '  EXCEPTION WHEN duplicate_object THEN',
      "    RAISE NOTICE 'ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0)';",
      '    ALTER TABLE t VALIDATE CONSTRAINT t_a_check;',
      '  END;',
      '  FOR r IN SELECT id FROM t LOOP',
      '    UPDATE t SET a = 1 WHERE id = r.id;',
      '  END LOOP;',
      '  CASE WHEN current_setting(\'server_version_num\')::int >= 110000 THEN CREATE INDEX a ON t (a); ELSE NULL; END CASE;',
      '  IF false THEN DROP INDEX x; ELSIF true THEN DROP INDEX x; ELSE DROP INDEX x; END IF;',
      'END',
      '$body$;',
    ].join('\n');
    const { statements, notFollowed } = analyse(text);
    expect(notFollowed).toEqual([]);
    expect(statements.map((statement) => slice(text, statement.range))).toEqual([
      'ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0) NOT VALID',
      'ALTER TABLE t VALIDATE CONSTRAINT t_a_check',
      'UPDATE t SET a = 1 WHERE id = r.id',
      'CREATE INDEX a ON t (a)',
      'DROP INDEX x',
      'DROP INDEX x',
      'DROP INDEX x',
    ]);
    // The three DROP INDEX written on one line are three places, in order.
    const drops = statements.slice(4).map((statement) => statement.range.start);
    expect(new Set(drops).size).toBe(3);
    expect(drops).toEqual([...drops].sort((a, b) => a - b));
    expect(statements.map((statement) => statement.index)).toEqual(statements.map((_, i) => 1 + i));
  });

  it('leaves out PL/pgSQL statements (PERFORM, RAISE, assignments) and blanks out SELECT … INTO as PL/pgSQL does', () => {
    const text = [
      'DO $$',
      'DECLARE n bigint;',
      'BEGIN',
      '  n := 0;',
      "  PERFORM pg_advisory_xact_lock(42);",
      '  SELECT count(*) INTO n FROM orders;',
      "  RAISE NOTICE 'orders: %', n;",
      'END $$;',
    ].join('\n');
    const { statements } = analyse(text);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ nodeType: 'SelectStmt', text: 'SELECT count(*)        FROM orders', runBy: { via: 'sql', verbatim: false } });
    expect(slice(text, statements[0]!.range)).toBe('SELECT count(*) INTO n FROM orders');
  });

  it('places a statement where it is written, not in a comment or string that holds the same text before it', () => {
    const text = [
      'DO $$',
      'BEGIN',
      "  /* CREATE INDEX i ON t (a) */ RAISE NOTICE 'CREATE INDEX i ON t (a)'; -- CREATE INDEX i ON t (a)",
      '  CREATE INDEX i ON t (a);',
      'END $$;',
    ].join('\n');
    const { statements } = analyse(text);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.range.start).toBe(text.lastIndexOf('CREATE INDEX i ON t (a)'));
  });

  it('reads a body with LANGUAGE plpgsql before it, in an E-string, and after non-ASCII text', () => {
    const text = "DO LANGUAGE plpgsql E'-- café ☕ 𝄞\\nBEGIN\\n  CREATE INDEX \"índice\" ON \"tablé\" (a);\\nEND';";
    const { statements, notFollowed } = analyse(text);
    expect(notFollowed).toEqual([]);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.runBy.verbatim).toBe(false);
    expect(slice(text, statements[0]!.range)).toBe('CREATE INDEX "índice" ON "tablé" (a)');
    expect(statements[0]!.targets[0]).toMatchObject({ name: 'tablé' });
    expect(slice(text, statements[0]!.targets[0]!.range!)).toBe('"tablé"');
  });

  it('reads a body in plain quotes with doubled quotes, LANGUAGE after it', () => {
    const text = "DO 'BEGIN EXECUTE ''CREATE INDEX i ON t (a)''; ALTER TABLE t ADD COLUMN c text DEFAULT ''x''; END' LANGUAGE plpgsql;";
    const { statements } = analyse(text);
    expect(statements.map((statement) => [statement.text, slice(text, statement.range), statement.runBy.verbatim])).toEqual([
      ['CREATE INDEX i ON t (a)', 'CREATE INDEX i ON t (a)', false],
      ["ALTER TABLE t ADD COLUMN c text DEFAULT 'x'", "ALTER TABLE t ADD COLUMN c text DEFAULT ''x''", false],
    ]);
  });

  it('follows a DO block run inside a DO block', () => {
    const text = 'DO $outer$ BEGIN DO $inner$ BEGIN CREATE INDEX i ON t (a); END $inner$; ALTER TABLE t ADD COLUMN b int; END $outer$;';
    const { statements } = analyse(text);
    expect(statements.map((statement) => [statement.index, statement.nodeType, slice(text, statement.range)])).toEqual([
      [1, 'DoStmt', 'DO $inner$ BEGIN CREATE INDEX i ON t (a); END $inner$'],
      [2, 'IndexStmt', 'CREATE INDEX i ON t (a)'],
      [3, 'AlterTableStmt', 'ALTER TABLE t ADD COLUMN b int'],
    ]);
    const file = [doStatementIn(build(text)), ...statements];
    expect(doStatementOf(statements[1]!, file)).toBe(statements[0]);
    expect(doStatementOf(statements[2]!, file)).toBe(file[0]);
  });

  it('reports a syntax error in the block as not followed, without throwing', () => {
    const text = 'DO $$\nBEGIN\n  CREATE INDX i ON t (a);\nEND $$;';
    const { statements, notFollowed } = analyse(text);
    expect(statements).toEqual([]);
    expect(notFollowed).toHaveLength(1);
    expect(notFollowed[0]).toMatchObject({ kind: 'invalid-block', message: expect.stringContaining('syntax error at or near "INDX"') });
    expect(slice(text, notFollowed[0]!.range)).toBe('INDX');
  });

  it('reports an EXECUTEd constant that does not parse, at the token PostgreSQL stops at', () => {
    const text = "DO $$ BEGIN EXECUTE 'ALTER TABLE t ADD COLUM c int'; END $$;";
    const { statements, notFollowed } = analyse(text);
    expect(statements).toEqual([]);
    expect(notFollowed.map((item) => [item.kind, slice(text, item.range)])).toEqual([['invalid-sql', 'int']]);
  });

  it('runs no transaction command: PL/pgSQL refuses them, so the file\'s transactions stay as they are', () => {
    const text = "DO $$ BEGIN EXECUTE 'COMMIT'; CREATE INDEX i ON t (a); END $$;";
    const { statements, notFollowed } = analyse(text);
    expect(statements.map((statement) => statement.nodeType)).toEqual(['IndexStmt']);
    expect(notFollowed.map((item) => [item.kind, slice(text, item.range)])).toEqual([['invalid-sql', 'COMMIT']]);
  });

  it('says a templated block was not read, at its first placeholder', () => {
    const text = 'DO $$ BEGIN ALTER TABLE {{ index .Options "Namespace" }}.users ADD COLUMN x int; END $$;';
    const { statements, notFollowed } = analyse(text);
    expect(statements).toEqual([]);
    expect(notFollowed.map((item) => [item.kind, slice(text, item.range)])).toEqual([['templated', '{{ index .Options "Namespace" }}']]);
  });

  it('says a block in another language was not read', () => {
    const text = "DO $$ plpy.execute('CREATE INDEX i ON t (a)') $$ LANGUAGE plpython3u;";
    expect(analyse(text)).toEqual({ statements: [], notFollowed: [{ kind: 'other-language', range: { start: 3, end: 48 }, message: expect.stringContaining('plpython3u') }] });
  });

  it('reads nothing from statements other than DO, including function bodies, which run later', () => {
    const [create] = build("CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN CREATE INDEX i ON t (a); END $$;");
    expect(readDoBlock(create as ParsedStatement)).toBeUndefined();
    expect(statementsInDoBlock(create!, parser)).toEqual([]);
  });

  it('numbers the statements from the index given, for insertion into the file', () => {
    const text = 'CREATE TABLE t (a int);\nDO $$ BEGIN CREATE INDEX i ON t (a); CREATE INDEX j ON t (a); END $$;';
    const statements = build(text);
    const run = statementsInDoBlock(statements[1]!, parser, 7);
    expect(run.map((statement) => statement.index)).toEqual([7, 8]);
  });
});

describe.skipIf(!HAS_CORPUS)('DO blocks of real migrations', () => {
  it('reads every DO block of the corpus without throwing, and places every statement exactly', () => {
    const counts = { blocks: 0, statements: 0, followedExecutes: 0, notFollowed: 0 };
    for (const file of sqlFiles(CORPUS)) {
      const text = readFileSync(file, 'utf8');
      if (!/\bdo\s*(?:\$|'|e'|language\b)/i.test(text)) continue;
      for (const statement of build(text)) {
        if (statement.kind !== 'parsed' || statement.nodeType !== 'DoStmt') continue;
        counts.blocks++;
        const { statements, notFollowed } = analyseDoBlock(statement, parser)!;
        counts.notFollowed += notFollowed.length;
        for (const item of notFollowed) expect(item.range.start >= statement.range.start && item.range.end <= statement.range.end, `${file}: ${item.message}`).toBe(true);
        for (const run of statements) {
          counts.statements++;
          if (run.runBy.via === 'execute') counts.followedExecutes++;
          expect(run.range.start >= statement.range.start && run.range.end <= statement.range.end, file).toBe(true);
          if (run.runBy.verbatim) expect(slice(text, run.range), file).toBe(run.text);
        }
      }
    }
    // What the corpus holds at the time of writing: hundreds of blocks, most running SQL.
    expect(counts.blocks).toBeGreaterThan(300);
    expect(counts.statements).toBeGreaterThan(counts.blocks);
    expect(counts.followedExecutes).toBeGreaterThan(0);
    expect(counts.notFollowed).toBeGreaterThan(0);
  });
});
