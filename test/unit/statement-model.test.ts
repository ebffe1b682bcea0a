import { describe, expect, it } from 'vitest';
import { Linter } from '../../server/src/engine/lint';
import type { Statement } from '../../server/src/engine/model/statement';

const linter = await Linter.create();
const model = (sql: string) => linter.lint(sql).statements;
const parsed = (statement: Statement | undefined) => {
  if (statement?.kind !== 'parsed') throw new Error(`expected a parsed statement, got ${statement?.kind}`);
  return statement;
};

describe('statement model', () => {
  it('gives each statement its kind, exact range and text, without comments or the semicolon', () => {
    const sql = '-- first\nCREATE TABLE a (id int); /* between */ ALTER TABLE a ADD COLUMN b int;\n\\set x 1\nSELEC oops;';
    const statements = model(sql);
    expect(statements.map((s) => [s.kind, s.kind === 'parsed' ? s.nodeType : undefined, s.text])).toEqual([
      ['parsed', 'CreateStmt', 'CREATE TABLE a (id int)'],
      ['parsed', 'AlterTableStmt', 'ALTER TABLE a ADD COLUMN b int'],
      ['meta-command', undefined, '\\set x 1'],
      ['invalid', undefined, 'SELEC oops'],
    ]);
    for (const statement of statements) expect(sql.slice(statement.range.start, statement.range.end)).toBe(statement.text);
    expect(statements[0]!.terminator).toBe(sql.indexOf(';'));
  });

  it('resolves target relations as PostgreSQL does, with the range of the written name', () => {
    const sql = 'CREATE INDEX i ON "Sales".Orders (id);';
    const [statement] = model(sql);
    const [target] = parsed(statement).targets;
    expect(target).toMatchObject({ schema: 'Sales', name: 'orders' });
    expect(sql.slice(target!.range!.start, target!.range!.end)).toBe('"Sales".Orders');
  });

  it('lists ALTER TABLE subcommands in order', () => {
    const [statement] = model('ALTER TABLE t ADD COLUMN c int, ALTER COLUMN d SET NOT NULL, DROP CONSTRAINT k;');
    expect(parsed(statement).alterTableCommands.map((cmd) => cmd.subtype)).toEqual(['AT_AddColumn', 'AT_SetNotNull', 'AT_DropConstraint']);
  });

  it('marks statements inside BEGIN … COMMIT, START TRANSACTION … ROLLBACK and unclosed blocks', () => {
    const statements = model('SELECT 0;\nBEGIN;\nSELECT 1;\nCOMMIT;\nSTART TRANSACTION;\nSELECT 2;\nROLLBACK;\nSELECT 3;\nBEGIN;\nSELECT 4;');
    const contexts = statements.map((s) => [s.text, s.transaction]);
    expect(contexts).toEqual([
      ['SELECT 0', { kind: 'autocommit' }],
      ['BEGIN', { kind: 'autocommit' }],
      ['SELECT 1', { kind: 'explicit', begin: 1, end: 3 }],
      ['COMMIT', { kind: 'autocommit' }],
      ['START TRANSACTION', { kind: 'autocommit' }],
      ['SELECT 2', { kind: 'explicit', begin: 4, end: 6 }],
      ['ROLLBACK', { kind: 'autocommit' }],
      ['SELECT 3', { kind: 'autocommit' }],
      ['BEGIN', { kind: 'autocommit' }],
      ['SELECT 4', { kind: 'explicit', begin: 8, end: undefined }],
    ]);
  });

  it('keeps a BEGIN ATOMIC function body and a DO block as one statement each', () => {
    const statements = model(
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;\nDO $$ BEGIN PERFORM 1; END $$;\nSELECT 3;",
    );
    expect(statements.map((s) => (s.kind === 'parsed' ? s.nodeType : s.kind))).toEqual(['CreateFunctionStmt', 'DoStmt', 'SelectStmt']);
    expect(statements.every((s) => s.transaction.kind === 'autocommit')).toBe(true);
  });

  it('splits a half-typed statement from the complete one on the next line', () => {
    const statements = model('ALTER TABLE orders ADD COLUMN\nCREATE INDEX i ON orders (a);');
    expect(statements.map((s) => s.kind)).toEqual(['invalid', 'parsed']);
  });

  it('re-parses only the statements whose text changed', () => {
    const before = model('CREATE INDEX a ON t (x);\nCREATE INDEX b ON t (y);');
    const after = model('-- edited below\nCREATE INDEX a ON t (x);\nCREATE INDEX b ON t (y, z);');
    expect(parsed(after[0]).ast).toBe(parsed(before[0]).ast);
    expect(parsed(after[1]).ast).not.toBe(parsed(before[1]).ast);
  });
});
