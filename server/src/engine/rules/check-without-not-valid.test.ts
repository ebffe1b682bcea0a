import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';

const RULE = 'check-without-not-valid';
const findings = (sql: string) => findingsOf(RULE, sql);
// Hygiene rules (timeouts, IF NOT EXISTS, …) flag most migrations: not what these tests are about.
const ruleIds = (sql: string, options = {}) => lintWithoutHygiene(sql, options).map((finding) => finding.ruleId);

describe(RULE, () => {
  it('flags ADD CONSTRAINT … CHECK, with the lock, and splits it into NOT VALID + VALIDATE', () => {
    const sql = 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toMatch(/ACCESS EXCLUSIVE lock on orders and scans every row: all reads and writes/);
    expect(finding!.lock?.blocks).toEqual(expect.arrayContaining(['SELECT', 'INSERT', 'UPDATE', 'DELETE']));
    expect(textOf(sql, finding!)).toBe('ADD CONSTRAINT orders_total_check CHECK');
    const fixed = applyFix(sql, finding!.fixes[0]!);
    expect(fixed).toBe('ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;');
    expect(ruleIds(fixed)).toEqual([]);
  });

  it.each([
    ['one column: table_col_check', 'ALTER TABLE orders ADD CHECK (total >= 0);', 'orders_total_check'],
    ['several columns: table_check', 'ALTER TABLE orders ADD CHECK (total >= discount);', 'orders_check'],
  ])('names an unnamed constraint as PostgreSQL does (%s)', (_name, sql, name) => {
    const fixed = applyFix(sql, findings(sql)[0]!.fixes[0]!);
    expect(fixed).toBe(`${sql.replace('ADD CHECK', `ADD CONSTRAINT ${name} CHECK`).replace(');', ') NOT VALID;')}\nALTER TABLE orders VALIDATE CONSTRAINT ${name};`);
  });

  it('flags an inline CHECK of ADD COLUMN', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN note text CHECK (length(note) < 100);';
    const [finding] = findings(sql);
    expect(textOf(sql, finding!)).toBe('CHECK');
    const fixed = applyFix(sql, finding!.fixes[0]!);
    expect(fixed).toBe(
      'ALTER TABLE orders ADD COLUMN note text, ADD CONSTRAINT orders_note_check CHECK (length(note) < 100) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_note_check;',
    );
    expect(ruleIds(fixed)).toEqual([]);
  });

  it('inside BEGIN … COMMIT, puts VALIDATE after COMMIT', () => {
    const sql = 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0);\nCOMMIT;';
    const fixed = applyFix(sql, findings(sql)[0]!.fixes[0]!);
    expect(fixed).toBe('BEGIN;\nALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\nCOMMIT;\n\nALTER TABLE orders VALIDATE CONSTRAINT c;');
    expect(ruleIds(fixed)).toEqual([]);
  });

  it('reports each CHECK of a statement', () => {
    expect(findings('ALTER TABLE orders ADD CHECK (a > 0), ADD CHECK (b > 0);')).toHaveLength(2);
  });

  it.each([
    ['NOT VALID', 'ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;'],
    ['NOT ENFORCED (PostgreSQL 18)', 'ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT ENFORCED;'],
    ['table created earlier in the file', 'CREATE TABLE orders (total int);\nALTER TABLE orders ADD CHECK (total >= 0);'],
    ['CREATE TABLE with CHECK', 'CREATE TABLE orders (total int CHECK (total >= 0));'],
  ])('stays quiet: %s', (_name, sql) => {
    expect(findings(sql)).toEqual([]);
  });

  it('is the only rule reporting the plain case', () => {
    expect(ruleIds('ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0);')).toEqual([RULE]);
  });
});
