import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'enum-value-used-in-same-transaction';
const findings = (sql: string, pgVersion = 15) => findingsOf(RULE, sql, { pgVersion });

const IN_BLOCK = "BEGIN;\nALTER TYPE order_status ADD VALUE 'archived';\nUPDATE orders SET status = 'archived' WHERE id < 10;\nCOMMIT;\n";

describe(RULE, () => {
  it('flags the first use of the new value in the same transaction, pointing at the ADD VALUE', () => {
    const [finding, ...others] = findings(IN_BLOCK);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(IN_BLOCK, finding!)).toBe("'archived'");
    expect(finding!.message).toContain("'archived' is added to enum order_status on line 2");
    expect(finding!.message).toMatch(/55P04/);
    expect(finding!.related).toEqual([{ range: expect.anything(), message: expect.stringContaining('usable only after this transaction commits') }]);
    expect(IN_BLOCK.slice(finding!.related[0]!.range.start, finding!.related[0]!.range.end)).toBe("ALTER TYPE order_status ADD VALUE 'archived'");
  });

  it('fixes it by committing right after ADD VALUE', () => {
    const [finding] = findings(IN_BLOCK);
    const [fix] = finding!.fixes;
    expect(fix).toMatchObject({ preferred: true, autoApplicable: false });
    const fixed = applyFix(IN_BLOCK, fix!);
    expect(fixed).toBe("BEGIN;\nALTER TYPE order_status ADD VALUE 'archived';\nCOMMIT;\nBEGIN;\nUPDATE orders SET status = 'archived' WHERE id < 10;\nCOMMIT;\n");
    expect(findings(fixed)).toEqual([]);
    expect(lint(fixed).map((f) => f.ruleId)).not.toContain('syntax-error');
  });

  it.each([
    ['a cast', "SELECT 'happy'::mood;", "'happy'"],
    ['an INSERT', "INSERT INTO people (name, mood) VALUES ('ann', 'happy');", "'happy'"],
    ['a default', "ALTER TABLE people ALTER COLUMN mood SET DEFAULT 'happy';", "'happy'"],
    ['an index predicate', "CREATE INDEX happy_people ON people (id) WHERE mood = 'happy';", "'happy'"],
  ])('recognises a use in %s', (_name, use, underlined) => {
    const sql = `BEGIN;\nALTER TYPE mood ADD VALUE IF NOT EXISTS 'happy' BEFORE 'sad';\n${use}\nCOMMIT;`;
    const [finding] = findings(sql);
    expect(textOf(sql, finding!)).toBe(underlined);
  });

  it('reports only the first statement that uses the value: the migration stops there', () => {
    const sql = "BEGIN;\nALTER TYPE mood ADD VALUE 'happy';\nSELECT 'happy'::mood;\nUPDATE people SET mood = 'happy';\nCOMMIT;";
    expect(findings(sql)).toHaveLength(1);
  });

  it('in a file the migration tool wraps, explains how to split it instead of fixing', () => {
    const sql = "-- migrate:up\nALTER TYPE mood ADD VALUE 'happy';\nUPDATE people SET mood = 'happy';\n";
    const [finding] = findings(sql);
    expect(finding!.message).toMatch(/^dbmate runs this file in one transaction/);
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(/migration of its own.*transaction:false/);
  });

  describe('stays quiet where the value is usable', () => {
    it.each([
      ['autocommit: ADD VALUE commits at once', "ALTER TYPE mood ADD VALUE 'happy';\nUPDATE people SET mood = 'happy';"],
      ['committed before the use', "BEGIN;\nALTER TYPE mood ADD VALUE 'happy';\nCOMMIT;\nBEGIN;\nUPDATE people SET mood = 'happy';\nCOMMIT;"],
      ['another value', "BEGIN;\nALTER TYPE mood ADD VALUE 'happy';\nUPDATE people SET mood = 'sad';\nCOMMIT;"],
      ['placing another new value after it', "BEGIN;\nALTER TYPE mood ADD VALUE 'happy';\nALTER TYPE mood ADD VALUE 'glad' AFTER 'happy';\nCOMMIT;"],
      ['a PL/pgSQL body, which runs later', "BEGIN;\nALTER TYPE mood ADD VALUE 'happy';\nCREATE FUNCTION f() RETURNS mood LANGUAGE plpgsql AS $$BEGIN RETURN 'happy'; END$$;\nCOMMIT;"],
      ['the use comes first', "BEGIN;\nUPDATE people SET mood = 'happy';\nALTER TYPE mood ADD VALUE 'happy';\nCOMMIT;"],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });
  });

  it('version gates: before 12 ADD VALUE itself fails in a transaction (reported once, by concurrently-in-transaction)', () => {
    expect(findings(IN_BLOCK, 11)).toEqual([]);
    expect(lint(IN_BLOCK, { pgVersion: 11 }).map((f) => f.ruleId)).toContain('concurrently-in-transaction');
    expect(lint(IN_BLOCK, { pgVersion: 15 }).map((f) => f.ruleId)).not.toContain('concurrently-in-transaction');
  });

  it('version gates: a type created in the same transaction accepts its new values from PostgreSQL 17 (measured: 13–16 refuse them)', () => {
    const sql = "BEGIN;\nCREATE TYPE mood AS ENUM ('sad');\nALTER TYPE mood ADD VALUE 'happy';\nSELECT 'happy'::mood;\nCOMMIT;";
    expect(findings(sql, 16)).toHaveLength(1);
    expect(findings(sql, 17)).toEqual([]);
  });
});
