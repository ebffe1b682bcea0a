import { parseSync } from 'libpg-query';
import { describe, expect, it } from 'vitest';
import { PostgresParser } from '../parse/parser';
import { readStringConstant } from './string-literal';

await PostgresParser.load();

type StringConst = { A_Const: { sval?: { sval?: string } } };
type Constant = StringConst | { TypeCast: { arg: StringConst } };

/** The value PostgreSQL's own lexer reads from a string constant. */
function valueByPostgres(constant: string): string {
  const stmt = parseSync(`SELECT ${constant}`).stmts![0]!.stmt!;
  const target = (stmt as { SelectStmt: { targetList: { ResTarget: { val: Constant } }[] } }).SelectStmt.targetList[0]!;
  // N'…' is a cast of the constant to char.
  const { val } = target.ResTarget;
  const constantNode = 'TypeCast' in val ? val.TypeCast.arg : val;
  return constantNode.A_Const.sval?.sval ?? '';
}

describe('readStringConstant', () => {
  it.each([
    "'plain'",
    "''",
    "'it''s'",
    "'back\\slash is literal'",
    "N'national'",
    "E'tab\\tnew\\nline \\\\ \\' '' end'",
    "e'octal \\101\\60 hex \\x41\\x4a unicode \\u00e9 \\U0001F600 other \\q'",
    '$$dollar \'quoted\' \\n$$',
    '$tag$ $$ inside $tag$',
    "'café ☕ 𝄞'",
  ])('reads %s as PostgreSQL does', (constant) => {
    expect(readStringConstant(constant)?.value).toBe(valueByPostgres(constant));
  });

  it('places each character of the value where it is written', () => {
    const raw = "E'a\\tb''c'";
    const constant = readStringConstant(raw, 100)!;
    expect(constant.value).toBe("a\tb'c");
    expect(constant.verbatim).toBe(false);
    expect([0, 1, 2, 3, 4, 5].map((i) => constant.at(i) - 100)).toEqual([2, 3, 5, 6, 8, 9]);
  });

  it('says when every character is written as itself', () => {
    expect(readStringConstant('$q$x \'y\'$q$', 10)).toMatchObject({ value: "x 'y'", verbatim: true });
    expect(readStringConstant('$q$x$q$', 10)!.at(0)).toBe(13);
    expect(readStringConstant("'abc'")!.verbatim).toBe(true);
    expect(readStringConstant("E'abc'")!.verbatim).toBe(true);
    expect(readStringConstant("'a''b'")!.verbatim).toBe(false);
  });

  it('does not read the forms it cannot place', () => {
    expect(readStringConstant("U&'d\\0061t'")).toBeUndefined();
    expect(readStringConstant("B'1010'")).toBeUndefined();
    expect(readStringConstant("X'ff'")).toBeUndefined();
    expect(readStringConstant("E'\\xe9'")).toBeUndefined();
    expect(readStringConstant("'unterminated")).toBeUndefined();
    expect(readStringConstant('$a$ unterminated $b$')).toBeUndefined();
  });
});
